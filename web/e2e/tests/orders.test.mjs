// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { createOrderMutation, demo, gql, orderBasics, requireBackend, signIn, unique } from '../lib.mjs';

/**
 * The merchant's whole day: an order comes in through the API, the shopper
 * pays on the sandbox page, the merchant fulfils 1.5 metres of cable, refunds
 * the rest of the cable with AUTO (RETURN the 1.5 fulfilled, CANCEL the 1.5
 * open), and finds the refund in the settlement the PSP ran.
 */
test('an order is paid, fulfilled in part, refunded with AUTO and found in the settlements', async ({ page, artifact, baseURL }) => {
  await requireBackend(page, {
    mutations: ['createOrder', 'fulfilOrder', 'previewRefund', 'refundOrder', 'runSettlements'],
    queries: ['settlementOverview'],
  });
  await signIn(page, demo.merchantAdmin);
  await page.screenshot({ path: artifact('orders.png') });

  // The order, created through the API with the merchant's session.
  const { viewer } = await gql(page, '{ viewer { merchantId } }');
  const { node: merchant } = await gql(page, 'query($id: ID!) { node(id: $id) { ... on Merchant { companies { id } shops { id } } } }', {
    id: viewer.merchantId,
  });
  const reference = `E2E-${unique()}`;
  const created = await gql(
    page,
    createOrderMutation,
    {
      input: {
        ...orderBasics(merchant, reference),
        amount: '96.95',
        items: [
          { sku: 'CABLE-3M', name: 'Cable per metre', quantity: '3', unitPrice: '2.35', vatRate: '22' },
          { sku: 'LAMP-OAK', name: 'Oak table lamp', quantity: '1', unitPrice: '89.90', vatRate: '22' },
        ],
        provider: 'PAYWERK',
        productType: 'PAY_NOW_CARD',
        successUrl: `${baseURL}/orders`,
        failedUrl: `${baseURL}/orders`,
      },
    },
  );
  const { order, paymentUrl, userErrors } = created.createOrder;
  assert.deepEqual(userErrors, [], 'createOrder refused');
  assert.ok(paymentUrl, 'a payment URL');

  // The shopper pays on the sandbox page.
  await page.goto(paymentUrl);
  await page.getByRole('button', { name: 'Approve' }).waitFor();
  await page.screenshot({ path: artifact('sandbox-payment-page.png') });
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(/\/orders/);

  // The merchant finds the order by its reference and opens it.
  await page.goto('/orders');
  await page.getByLabel('Search orders').fill(reference);
  await page.getByRole('link', { name: reference }).click();
  await page.getByRole('heading', { name: reference, level: 2 }).waitFor();
  // The provider's confirmation may take a moment (webhook, then a job); the Fulfil
  // button appears once the order is CONFIRMED. ("Confirmed" alone also matches the
  // payment card's label, so it is no sign of the status.)
  const fulfil = page.getByRole('button', { name: 'Fulfil', exact: true });
  for (let attempt = 0; attempt < 60 && !(await fulfil.isVisible()); attempt++) {
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByRole('heading', { name: reference, level: 2 }).waitFor();
  }

  // Fulfil 1.5 metres of the cable.
  await page.getByRole('button', { name: 'Fulfil', exact: true }).click();
  await page.getByLabel('Quantity to fulfil of Cable per metre').fill('1.5');
  await page.screenshot({ path: artifact('fulfil-dialog.png') });
  await page.getByRole('dialog').getByRole('button', { name: 'Fulfil', exact: true }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  const cableRow = page.getByRole('row').filter({ hasText: 'Cable per metre' }).first();
  await cableRow.getByRole('cell', { name: '1.5', exact: true }).first().waitFor();

  // What the coming settlements hold before the refund (for the check at the end).
  const companyId = merchant.companies[0].id;
  const before = new Map((await upcoming(page, companyId)).map((u) => [u.date, u.minor]));

  // Refund the rest of the cable with AUTO: the preview shows the split before confirming.
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await page.getByRole('button', { name: 'Refund all of Cable per metre' }).click();
  await page.getByLabel('Reason').fill('Wrong length');
  const preview = page.getByRole('region', { name: 'Refund preview' });
  await preview.waitFor({ timeout: 15_000 });
  await preview.getByText('Return', { exact: true }).waitFor();
  await preview.getByText('Cancel', { exact: true }).waitFor();
  await preview.getByText(/will be deducted from your/).waitFor();
  await page.screenshot({ path: artifact('refund-dialog.png') });
  await page.getByRole('dialog').getByRole('button', { name: /^Refund €/ }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.getByText(/^Refunded /).first().waitFor();
  const refunded = page.getByRole('row').filter({ hasText: 'Cable per metre' }).first();
  assert.deepEqual(
    (await refunded.getByRole('cell').allInnerTexts()).slice(2, 7).map((t) => t.trim()),
    ['3', '1.5', '1.5', '1.5', '0'],
    'ordered, fulfilled, cancelled, returned, open after the AUTO refund',
  );
  await page.screenshot({ path: artifact('order.png'), fullPage: true });

  // The PSP runs today's settlements (in its own session).
  const browser = page.context().browser();
  assert.ok(browser);
  const psp = await browser.newContext({ baseURL });
  const pspPage = await psp.newPage();
  await signIn(pspPage, demo.pspOperator);
  await pspPage.getByRole('link', { name: 'Settlement runs' }).click();
  await pspPage.getByRole('button', { name: 'Run settlements' }).click();
  const outcome = pspPage.getByText(/settlements? created for|Nothing new for/);
  await outcome.waitFor({ timeout: 30_000 });
  await pspPage.screenshot({ path: artifact('settlement-runs.png'), fullPage: true });
  const ranToday = /created for/.test(await outcome.innerText()) && (await pspPage.getByRole('row').filter({ hasText: 'Kask & Kivi' }).count()) > 0;
  await psp.close();

  await page.getByRole('link', { name: 'Settlements' }).click();
  await page.getByRole('heading', { name: 'Settlements', level: 2 }).waitFor();
  await page.getByText('Payouts over time').waitFor();
  await page.getByRole('table').last().getByRole('row').nth(1).waitFor();
  if (ranToday) {
    // Today's run took the refund: its settlement lists the order.
    await page.screenshot({ path: artifact('settlements.png'), fullPage: true });
    await page.getByRole('table').last().getByRole('row').nth(1).getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Settlement of / }).waitFor();
    await page.getByRole('link', { name: reference }).first().waitFor();
    await page.screenshot({ path: artifact('settlement.png'), fullPage: true });
  } else {
    // Today was settled already: the refund is deducted from the next payout, which the
    // upcoming payouts show lowered by exactly the refund (7.05 EUR).
    const after = await upcoming(page, companyId);
    const changed = after.find((u) => before.get(u.date) === undefined || before.get(u.date) !== u.minor);
    assert.ok(changed, `an upcoming payout changed (before ${JSON.stringify([...before])}, after ${JSON.stringify(after)})`);
    assert.equal((before.get(changed.date) ?? 0) - changed.minor, 705, 'the next payout is lower by the refund');
    const row = page.getByRole('row').filter({ hasText: formatDay(changed.date) });
    await row.getByText(groupDigits(changed.amount)).waitFor();
    await page.screenshot({ path: artifact('settlements.png'), fullPage: true });
  }
  assert.equal(order.id.startsWith('ord_'), true);
});

/**
 * The company's upcoming payouts, each with its net in minor units and as the decimal string.
 * @param {import('playwright-core').Page} page
 * @param {string} companyId
 * @returns {Promise<{ date: string, minor: number, amount: string }[]>}
 */
async function upcoming(page, companyId) {
  const today = new Date().toISOString().slice(0, 10);
  const { settlementOverview } = await gql(
    page,
    'query($c: ID!, $f: Date!, $t: Date!) { settlementOverview(companyId: $c, from: $f, to: $t) { upcoming { date net { amount minor } } } }',
    { c: companyId, f: today, t: today },
  );
  return settlementOverview.upcoming.map((/** @type {any} */ u) => ({ date: u.date, minor: Number(u.net.minor), amount: u.net.amount }));
}

/** "2026-11-22" as the UI shows it in en-US: "Nov 22, 2026". @param {string} day */
function formatDay(day) {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** "3350.81" → "3,350.81" (en-US grouping, digits untouched). @param {string} amount */
function groupDigits(amount) {
  const [whole = '', fraction] = amount.replace(/^-/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

test('a merchant admin creates an API key, sees the secret once, rolls it and revokes the successor', async ({ page, artifact }) => {
  await requireBackend(page, { mutations: ['createApiKey', 'rollApiKey', 'revokeApiKey'] });
  await signIn(page, demo.merchantAdmin);
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('button', { name: 'Create API key' }).click();
  const name = `E2E key ${unique()}`;
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByTestId('api-key-secret');
  await secret.waitFor();
  const first = (await secret.innerText()).trim();
  assert.match(first, /^pk_\w+_\w+_\w+$/);
  await page.screenshot({ path: artifact('api-key-secret.png') });
  await page.getByRole('button', { name: 'I have copied the key' }).click();

  // Rolled with no overlap: the successor's secret is shown once, the old key has expired.
  const rows = page.getByRole('row').filter({ hasText: name });
  await rows.getByRole('button', { name: 'Roll' }).click();
  await page.getByLabel('Old key keeps working for (hours)').fill('0');
  await page.getByRole('dialog').getByRole('button', { name: 'Roll key' }).click();
  await secret.waitFor();
  const second = (await secret.innerText()).trim();
  assert.match(second, /^pk_\w+_\w+_\w+$/);
  assert.notEqual(second, first, 'the successor has a new secret');
  await page.screenshot({ path: artifact('api-key-rolled.png') });
  await page.getByRole('button', { name: 'I have copied the key' }).click();
  await rows.filter({ hasText: 'Expired' }).waitFor();

  const successor = rows.filter({ hasText: 'Active' });
  await successor.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await rows.filter({ hasText: 'Revoked' }).waitFor();
  await page.screenshot({ path: artifact('api-keys.png') });
});

test('PSP staff find an order across merchants by the shopper email prefix and open it', async ({ page, artifact }) => {
  await requireBackend(page, { queries: ['orders'] });
  await signIn(page, demo.pspOperator);
  // The newest orders: the page lists newest first, so a shopper's newest order is on its first page.
  const { orders } = await gql(
    page,
    '{ orders(first: 20, orderBy: { field: CREATED_AT, direction: DESC }) { edges { node { id reference email merchant { name } } } } }',
  );
  const order = orders.edges.map((/** @type {any} */ e) => e.node).find((/** @type {any} */ o) => o.email);
  assert.ok(order, 'the demo data has an order with a shopper email');
  const prefix = order.email.slice(0, Math.max(4, order.email.indexOf('@') + 1)).toUpperCase();

  await page.getByRole('link', { name: 'Orders' }).click();
  await page.getByRole('heading', { name: 'Orders', level: 2 }).waitFor();
  await page.getByLabel('Search orders').fill(prefix);
  const row = page.getByRole('row').filter({ hasText: order.reference });
  await row.getByText(order.merchant.name).waitFor();
  await page.screenshot({ path: artifact('psp-orders-search.png') });
  await row.getByRole('link', { name: order.reference }).click();
  await page.getByRole('heading', { name: order.reference, level: 2 }).waitFor();
  assert.match(page.url(), new RegExp(`/orders/${order.id}$`));
});
