// @ts-check
/**
 * Every main screen opens for its audience with the demo data, shows its
 * content (not an error), and is saved as a screenshot in e2e/artifacts/.
 */
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { demo, requireBackend, signIn } from '../lib.mjs';

/**
 * @param {import('playwright-core').Page} page
 */
async function noErrorShown(page) {
  const failed = page.getByText(/^Could not load /);
  assert.equal(await failed.count(), 0, `an error is shown: ${await failed.allInnerTexts()}`);
}

test('a merchant’s screens: orders, an order, settlements, API keys, team', async ({ page, artifact }) => {
  await requireBackend(page, {});
  await signIn(page, demo.merchantAdmin);
  const rows = page.getByRole('table').getByRole('row');
  await rows.nth(3).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-orders.png') });

  // Filter to confirmed, partly fulfilled orders and open the first.
  await page.goto('/orders?status=CONFIRMED');
  await page.getByRole('table').getByRole('row').nth(1).getByRole('link').waitFor();
  await page.getByRole('table').getByRole('row').nth(1).getByRole('link').click();
  await page.getByText('Activity').waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-order.png'), fullPage: true });

  await page.getByRole('link', { name: 'Settlements' }).click();
  await page.getByText('Payouts over time').waitFor();
  await page.getByRole('table').last().getByRole('row').nth(1).waitFor();
  await page.getByLabel('Net payouts per period').or(page.getByText('No settlements in this period')).first().waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-settlements.png'), fullPage: true });
  await page.getByRole('table').last().getByRole('row').nth(1).getByRole('link').first().click();
  await page.getByRole('heading', { name: /^Settlement of / }).waitFor();
  await page.getByText('Entries').waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-settlement.png'), fullPage: true });

  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('heading', { name: 'API keys', level: 2 }).waitFor();
  await page.getByRole('table').getByRole('row').nth(1).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-api-keys.png') });

  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByRole('heading', { name: 'Team', level: 2 }).waitFor();
  await page.getByRole('table').getByRole('row').nth(1).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-team.png') });
});

test('PSP staff screens: merchants, a merchant, settlement runs, audit log', async ({ page, artifact }) => {
  await requireBackend(page, {});
  await signIn(page, demo.pspAdmin);
  await page.getByRole('link', { name: 'Kask & Kivi' }).click();
  await page.getByRole('heading', { name: 'Kask & Kivi', level: 2 }).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-merchant.png'), fullPage: true });

  await page.getByRole('tab', { name: /Orders/ }).click();
  await page.getByRole('tabpanel').getByRole('row').nth(2).waitFor();
  await page.screenshot({ path: artifact('screen-merchant-orders.png') });

  await page.getByRole('link', { name: 'Settlement runs' }).click();
  await page.getByRole('heading', { name: 'Settlement runs', level: 2 }).waitFor();
  await page.getByRole('table').getByRole('row').nth(1).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-settlement-runs.png'), fullPage: true });

  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('table').getByRole('row').nth(1).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-users.png') });

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('table').getByRole('row').nth(1).waitFor();
  await noErrorShown(page);
  await page.screenshot({ path: artifact('screen-audit.png') });
});
