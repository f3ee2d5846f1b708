// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { demo, requireBackend } from '../lib.mjs';

test('a signed-out visitor is sent to the login page', async ({ page, artifact }) => {
  await page.goto('/');
  await page.waitForURL('**/login');
  await page.getByLabel('Email', { exact: true }).waitFor();
  assert.ok(await page.getByLabel('Password', { exact: true }).isVisible(), 'password field visible');
  assert.ok(await page.getByRole('button', { name: 'Sign in' }).isVisible(), 'sign-in button visible');
  await page.screenshot({ path: artifact('login.png') });
});

test('a wrong password is refused with a message', async ({ page }) => {
  await requireBackend(page, {});
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill('nobody@example.invalid');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The server rate-limits logins, so a quick re-run may see the 429 message.
  const alert = page.getByRole('alert').filter({ hasText: /Wrong email or password|Too many attempts/ });
  await alert.waitFor();
  assert.match(page.url(), /\/login$/);
});

for (const [who, email, expected] of /** @type {const} */ ([
  ['PSP staff', demo.pspAdmin, ['Merchants', 'Orders', 'Settlement runs', 'Reconciliation', 'Users', 'Audit log']],
  ['a merchant user', demo.merchantAdmin, ['Orders', 'Settlements', 'API keys', 'Team', 'Webhooks']],
])) {
  test(`${who} signs in by keyboard, sees the navigation for the role, and logs out`, async ({ page }) => {
    await requireBackend(page, {});
    await page.goto('/login');
    await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'email');
    // Keyboard only: the email field has focus, Tab moves on, Enter submits.
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(demo.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/(merchants|orders)$/);

    const navigation = page.getByRole('navigation', { name: 'Main navigation' });
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    const labels = await navigation.getByRole('link').allInnerTexts();
    assert.deepEqual(labels.map((l) => l.trim()), expected, 'navbar entries for the role');

    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/');
    await page.waitForURL('**/login');
  });
}
