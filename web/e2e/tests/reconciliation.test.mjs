// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { createOrderMutation, demo, orderBasics, requireBackend, signIn, unique } from '../lib.mjs';

/**
 * Reconciliation as staff do it: a Paywerk order is paid, the provider captures
 * 10.00 of it behind our back (the sandbox's simulate control), staff run the
 * day's reconciliation, find the difference on the order, open the order (which
 * shows the flag) and resolve the difference with a note.
 */
test('staff reconcile a day, open the order with a difference and resolve it with a note', async ({ page, artifact, baseURL }) => {
  await requireBackend(page, { mutations: ['runReconciliation', 'resolveMismatch'], queries: ['reconciliationReports'] });

  // The merchant's order, through the API with a bearer token (the page stays the staff's).
  const login = await fetch(`${baseURL}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo.merchantAdmin, password: demo.password }),
  });
  const { token } = await login.json();
  /** @param {string} query @param {Record<string, unknown>} [variables] */
  const asMerchant = async (query, variables = {}) => {
    const r = await fetch(`${baseURL}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await r.json();
    assert.ok(!body.errors?.length, JSON.stringify(body.errors));
    return body.data;
  };
  const { viewer } = await asMerchant('{ viewer { merchantId } }');
  const { node: merchant } = await asMerchant('query($id: ID!) { node(id: $id) { ... on Merchant { companies { id } shops { id } } } }', {
    id: viewer.merchantId,
  });
  const reference = `REC-${unique()}`;
  const created = await asMerchant(
    createOrderMutation,
    {
      input: {
        ...orderBasics(merchant, reference),
        amount: '179.80',
        items: [{ sku: 'LAMP-OAK', name: 'Oak table lamp', quantity: '2', unitPrice: '89.90', vatRate: '22' }],
        provider: 'PAYWERK',
        productType: 'INVOICE',
        successUrl: `${baseURL}/login`,
        failedUrl: `${baseURL}/login`,
      },
    },
  );
  const { order, paymentUrl, userErrors } = created.createOrder;
  assert.deepEqual(userErrors, [], 'createOrder refused');
  await page.goto(paymentUrl);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(/\/login/);
  let providerReference = '';
  for (let attempt = 0; attempt < 60; attempt++) {
    const { node } = await asMerchant('query($id: ID!) { node(id: $id) { ... on Order { status providerReference } } }', { id: order.id });
    if (node.status === 'CONFIRMED') {
      providerReference = node.providerReference;
      break;
    }
    await page.waitForTimeout(500);
  }
  assert.ok(providerReference, 'the order was confirmed');

  // Staff: the provider captures 10.00 without telling us.
  await signIn(page, demo.pspAdmin);
  const simulated = await page.request.post('/sandbox/paywerk/_sandbox/simulate', {
    data: { providerReference, event: 'capture', amount: '10.00' },
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'backoffice' },
  });
  assert.equal(simulated.status(), 200, await simulated.text());

  // Run the day's Paywerk reconciliation from the Reconciliation page.
  await page.getByRole('link', { name: 'Reconciliation' }).click();
  await page.getByRole('heading', { name: 'Reconciliation', level: 2 }).waitFor();
  await page.getByRole('textbox', { name: 'Provider' }).click();
  await page.getByRole('option', { name: 'Paywerk' }).click();
  await page.getByRole('button', { name: 'Run reconciliation' }).click();
  await page.getByText(/report written/).waitFor();
  await page.getByRole('button', { name: /^Paywerk .* MISMATCHED$/ }).first().click();
  // The capture we never recorded (Paywerk also shows the quantity it fulfilled).
  const row = page.getByRole('row').filter({ hasText: reference }).filter({ hasText: 'Missing here' });
  await row.waitFor();
  await page.screenshot({ path: artifact('reconciliation.png') });
  assert.match(await row.innerText(), /€10\.00|€9\.\d\d/);

  // The order shows the flag.
  await row.getByRole('link', { name: reference }).click();
  await page.getByRole('heading', { name: reference, level: 2 }).waitFor();
  await page.getByText('Reconciliation differences').waitFor();
  await page.screenshot({ path: artifact('reconciliation-order-flag.png') });

  // Back to the report: resolve with a note.
  await page.getByRole('link', { name: 'Open reconciliation' }).click();
  await page.getByRole('button', { name: /^Paywerk .* MISMATCHED$/ }).first().click();
  const again = page.getByRole('row').filter({ hasText: reference }).filter({ hasText: 'Missing here' });
  await again.getByLabel('Resolution note').fill('Capture confirmed with Paywerk support; booked by hand');
  await again.getByRole('button', { name: 'Resolve' }).click();
  await again.getByText(/Resolved .*booked by hand/).waitFor();
  await page.screenshot({ path: artifact('reconciliation-resolved.png') });
});
