// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { demo, requireBackend, signIn, unique } from '../lib.mjs';

test('a PSP operator onboards a merchant and activates it', async ({ page, artifact }) => {
  await requireBackend(page, { mutations: ['createMerchant', 'addCompany', 'addShop', 'activateCompany'] });
  await signIn(page, demo.pspOperator);
  await page.getByRole('table').getByRole('row').nth(1).waitFor();
  await page.screenshot({ path: artifact('merchants.png') });

  const name = `Lumi Studio ${unique()}`;
  await page.getByRole('link', { name: 'Onboard merchant' }).click();
  await page.getByLabel('Trading name').fill(name);
  await page.getByRole('textbox', { name: 'Country' }).fill('Eston');
  await page.getByRole('option', { name: /Estonia/ }).click();
  await page.getByLabel('Contact email').fill('finance@lumi.example');
  await page.screenshot({ path: artifact('onboarding-merchant.png') });
  await page.getByRole('button', { name: 'Create merchant' }).click();

  // Companies: a daily payout with the default fees.
  await page.getByRole('heading', { name: 'Add a company' }).waitFor();
  await page.getByLabel('Legal name').fill(`${name} OÜ`);
  await page.getByLabel('IBAN').fill('EE38 2200 2210 2014 5685');
  await page.locator('label').filter({ hasText: /^Daily$/ }).click();
  await page.screenshot({ path: artifact('onboarding-company.png'), fullPage: true });
  await page.getByRole('button', { name: 'Add company' }).click();
  await page.getByRole('button', { name: 'Continue to shops' }).click();

  // Shops.
  await page.getByLabel('Shop name').fill(`${name} Web`);
  await page.getByLabel('Web address').fill('https://lumi.example');
  await page.getByRole('button', { name: 'Add shop' }).click();
  await page.getByRole('button', { name: 'Continue to activation' }).click();

  // Activation with Paywerk: ACTIVE at once, or PENDING until the page's polling sees it.
  await page.getByRole('button', { name: new RegExp(`^Activate with Paywerk for ${name}`) }).click();
  const paywerkRow = page.getByRole('row').filter({ hasText: 'Paywerk' });
  await paywerkRow.getByText('Active', { exact: true }).waitFor({ timeout: 30_000 });

  // Billie answers with the merchant ID every later Billie call carries.
  await page.getByRole('button', { name: new RegExp(`^Activate with Billie for ${name}`) }).click();
  const billieRow = page.getByRole('row').filter({ hasText: 'Billie' });
  await billieRow.getByText(/^(Active|Rejected)$/).waitFor({ timeout: 30_000 });
  if (await billieRow.getByText('Active', { exact: true }).isVisible()) {
    await billieRow.getByText('Billie merchant ID').waitFor();
  }
  await page.screenshot({ path: artifact('onboarding-activation.png'), fullPage: true });

  await page.getByRole('button', { name: 'Continue to review' }).click();
  await page.getByText(`${name} is active`).waitFor({ timeout: 15_000 });
  await page.getByRole('link', { name: 'Open the merchant' }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
  assert.ok(await page.getByText('Active', { exact: true }).first().isVisible());
  await page.screenshot({ path: artifact('merchant.png'), fullPage: true });
});

test('the audit log shows who changed what', async ({ page, artifact }) => {
  await requireBackend(page, { queries: ['auditEvents'] });
  await signIn(page, demo.pspAdmin);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await page.getByRole('table').waitFor();
  await page.screenshot({ path: artifact('audit.png') });
});

test('PSP staff mark a pending payout paid', async ({ page, artifact }) => {
  await requireBackend(page, { mutations: ['markSettlementPaid'] });
  await signIn(page, demo.pspOperator);
  await page.getByRole('link', { name: 'Settlement runs' }).click();
  await page.getByRole('textbox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Pending payout' }).click();
  const row = page.getByRole('table').getByRole('row').filter({ has: page.getByRole('button', { name: /^Mark paid/ }) }).first();
  await row.waitFor();
  const date = (await row.getByRole('link').first().innerText()).trim();
  await row.getByRole('button', { name: /^Mark paid/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(/was transferred to/).waitFor();
  await page.screenshot({ path: artifact('mark-paid.png') });
  await dialog.getByRole('button', { name: 'Mark paid' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText('Marked as paid').waitFor();
  // The settlement is PAID now: find it under that status.
  await page.getByRole('textbox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Paid' }).click();
  await page.getByRole('table').getByRole('row').filter({ hasText: date }).first().getByText('Paid', { exact: true }).waitFor();
});
