// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';

test('a signed-out visitor is sent to the login page', async ({ page, artifact }) => {
  await page.goto('/');
  await page.waitForURL('**/login');
  await page.getByLabel('Email', { exact: true }).waitFor();
  assert.ok(await page.getByLabel('Password', { exact: true }).isVisible(), 'password field visible');
  assert.ok(await page.getByRole('button', { name: 'Sign in' }).isVisible(), 'sign-in button visible');
  await page.screenshot({ path: artifact('login.png') });
});

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill('nobody@example.invalid');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The server rate-limits logins, so a quick re-run may see the 429 message.
  const alert = page.getByRole('alert').filter({ hasText: /Wrong email or password|Too many attempts/ });
  await alert.waitFor();
  assert.match(page.url(), /\/login$/);
});

test('a user signs in, sees the navigation for the role, and logs out', async ({ page, artifact, skip }) => {
  const email = process.env['E2E_EMAIL'];
  const password = process.env['E2E_PASSWORD'];
  if (!email || !password) {
    skip('set E2E_EMAIL and E2E_PASSWORD to an existing user');
    return;
  }
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/(merchants|orders)$/);

  const psp = page.url().endsWith('/merchants');
  const expected = psp ? ['Merchants', 'Settlement runs', 'Audit log'] : ['Orders', 'Settlements', 'API keys'];
  const navigation = page.getByRole('navigation', { name: 'Main navigation' });
  await page.getByRole('heading', { level: 2 }).waitFor();
  const labels = await navigation.getByRole('link').allInnerTexts();
  assert.deepEqual(labels, expected, 'navbar entries for the role');
  await page.screenshot({ path: artifact('home.png') });

  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.waitForURL('**/login');
  await page.goto('/');
  await page.waitForURL('**/login');
});
