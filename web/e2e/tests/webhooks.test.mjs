// @ts-check
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { test } from '../harness.mjs';
import { demo, gql, requireBackend, signIn, unique } from '../lib.mjs';

/**
 * A merchant's receiver on this machine (the e2e server runs with
 * CALLBACKS_ALLOW_PRIVATE=true, scripts/e2e.sh): /broken answers 500, /ok 200, and
 * every request is kept with its signature.
 */
async function startReceiver() {
  /** @type {{ path: string, body: string, signature: string }[]} */
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body, signature: String(req.headers['backoffice-signature'] ?? '') });
      res.statusCode = req.url?.startsWith('/ok') ? 200 : 500;
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { url: `http://127.0.0.1:${address.port}`, received, close: () => server.close() };
}

/**
 * A merchant admin adds a webhook endpoint whose URL is broken, sees the failed
 * delivery of an order's confirmation, fixes the URL and resends: the event arrives,
 * signed with the endpoint's secret.
 */
test('a merchant admin adds an endpoint, sees a failed delivery, fixes the URL and resends', async ({ page, artifact, baseURL }) => {
  await requireBackend(page, { mutations: ['createWebhookEndpoint', 'updateWebhookEndpoint', 'redeliverEvent', 'createOrder'], queries: ['events'] });
  const receiver = await startReceiver();
  try {
    await signIn(page, demo.merchantAdmin);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 2 }).waitFor();

    // Add the endpoint with a broken URL; the secret is shown once.
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog');
    const company = dialog.getByLabel('Company');
    if ((await company.count()) > 0 && !(await company.inputValue())) {
      await company.click();
      await page.getByRole('option').first().click();
    }
    await dialog.getByLabel('URL').fill(`${receiver.url}/broken`);
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
    assert.match(secret, /^whsec_/);
    await page.screenshot({ path: artifact('webhook-secret.png') });
    await page.getByRole('button', { name: 'I have copied the secret' }).click();
    await page.getByTestId('webhook-endpoint').filter({ hasText: '/broken' }).waitFor();

    // An order is paid: its confirmation goes to the broken URL.
    const { viewer } = await gql(page, '{ viewer { merchantId } }');
    const { node: merchant } = await gql(page, 'query($id: ID!) { node(id: $id) { ... on Merchant { companies { id } shops { id } } } }', {
      id: viewer.merchantId,
    });
    const created = await gql(
      page,
      `mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } paymentUrl userErrors { field message } } }`,
      {
        input: {
          companyId: merchant.companies[0].id,
          shopId: merchant.shops[0].id,
          reference: `HOOK-${unique()}`,
          email: 'mari@example.ee',
          billingAddress: { street: 'Narva mnt 5', city: 'Tallinn', postalCode: '10117', country: 'EE' },
          amount: '10.00',
          currency: 'EUR',
          items: [{ sku: 'LAMP-OAK', name: 'Oak table lamp', quantity: '1', unitPrice: '10.00', vatRate: '22' }],
          provider: 'PAYWERK',
          productType: 'PAY_NOW_CARD',
          successUrl: `${baseURL}/orders`,
          failedUrl: `${baseURL}/orders`,
        },
      },
    );
    assert.deepEqual(created.createOrder.userErrors, [], 'createOrder refused');
    await page.goto(created.createOrder.paymentUrl);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/orders/);

    // The failed attempt shows on the Webhooks page.
    await page.goto('/webhooks');
    const failed = page.getByTestId('webhook-delivery').filter({ has: page.locator('[data-outcome="HTTP_ERROR"]') }).first();
    for (let i = 0; i < 60 && !(await failed.isVisible()); i++) {
      await page.waitForTimeout(500);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    await failed.waitFor();
    assert.match(await failed.innerText(), /500/);
    await page.screenshot({ path: artifact('webhooks-failed.png'), fullPage: true });

    // Fix the URL and resend.
    await page.getByTestId('webhook-endpoint').filter({ hasText: '/broken' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog').getByLabel('URL').fill(`${receiver.url}/ok`);
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByTestId('webhook-endpoint').filter({ hasText: '/ok' }).waitFor();
    await failed.getByRole('button', { name: 'Resend' }).click();
    const ok = page.getByTestId('webhook-delivery').filter({ has: page.locator('[data-outcome="SUCCEEDED"]') }).first();
    for (let i = 0; i < 60 && !(await ok.isVisible()); i++) {
      await page.waitForTimeout(500);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    await ok.waitFor();
    await page.screenshot({ path: artifact('webhooks-resent.png'), fullPage: true });

    // The order page's events show the confirmation with both attempts and a Resend button.
    await page.goto(`/orders/${created.createOrder.order.id}`);
    const confirmed = page.getByTestId('order-event').filter({ hasText: 'order confirmed' }).first();
    await confirmed.waitFor();
    await confirmed.locator('[data-outcome="HTTP_ERROR"]').first().waitFor();
    await confirmed.locator('[data-outcome="SUCCEEDED"]').first().waitFor();
    await confirmed.getByRole('button', { name: 'Resend' }).waitFor();
    await page.screenshot({ path: artifact('order-events.png'), fullPage: true });

    // The receiver got the event at the fixed URL, signed with the endpoint's secret.
    const good = receiver.received.find((r) => r.path.startsWith('/ok'));
    assert.ok(good, 'the fixed URL received the event');
    const body = JSON.parse(good.body);
    assert.equal(body.type, 'ORDER_CONFIRMED');
    assert.equal(body.sequence, 1);
    const t = /t=(\d+)/.exec(good.signature)?.[1];
    const sigs = [...good.signature.matchAll(/v1=([0-9a-f]+)/g)].map((m) => m[1]);
    assert.ok(t, 'a timestamp in the signature');
    assert.ok(sigs.includes(createHmac('sha256', secret).update(`${t}.${good.body}`).digest('hex')), 'signed with the endpoint secret');
  } finally {
    receiver.close();
  }
});
