// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { demo, requireBackend, signIn, unique } from '../lib.mjs';

test('PSP staff invite a merchant user, who sets a password from the link and signs in', async ({ page, artifact, baseURL }) => {
  await requireBackend(page, { mutations: ['inviteUser'] });
  await signIn(page, demo.pspAdmin);
  await page.getByRole('link', { name: 'Kask & Kivi' }).click();
  await page.getByRole('tab', { name: /Users/ }).click();
  await page.getByRole('button', { name: 'Invite user' }).click();
  const email = `e2e-${unique()}@kaskkivi.ee`;
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Name', { exact: true }).fill('Kadri Kask');
  await dialog.getByRole('button', { name: 'Create invitation' }).click();
  const link = dialog.getByTestId('invitation-url');
  await link.waitFor();
  const url = (await link.innerText()).trim();
  assert.match(url, /\/set-password\?token=/);
  await page.screenshot({ path: artifact('invitation.png') });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('row').filter({ hasText: 'Kadri Kask' }).getByText('Invited').waitFor();

  // The invited user opens the link in their own browser.
  const browser = page.context().browser();
  assert.ok(browser);
  const invitee = await browser.newContext({ baseURL });
  const other = await invitee.newPage();
  const path = new URL(url).pathname + new URL(url).search;
  await other.goto(path);
  await other.getByLabel('New password').fill('a long new password 1');
  await other.getByLabel('Repeat the password').fill('a long new password 1');
  await other.screenshot({ path: artifact('set-password.png') });
  await other.getByRole('button', { name: 'Set password' }).click();
  await other.waitForURL(/\/(orders|login)$/);
  if (other.url().endsWith('/login')) {
    await signIn(other, email, 'a long new password 1');
  }
  await other.getByRole('heading', { name: 'Orders', level: 2 }).waitFor();
  await other.getByRole('button', { name: /Account menu/ }).click();
  await other.getByRole('menu').getByText(email).waitFor();
  await invitee.close();
});
