// @ts-check
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from '../harness.mjs';
import { demo, gql, requireBackend, unique } from '../lib.mjs';

/**
 * RFC 4648 base32 (no padding) to bytes.
 * @param {string} text
 */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `base32 character ${ch}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) {
    out.push(parseInt(bits.slice(i, i + 8), 2));
  }
  return Buffer.from(out);
}

/**
 * The RFC 6238 code (SHA-1, 6 digits, 30 s) of a secret at a time in ms.
 * @param {string} secret
 * @param {number} atMs
 */
function totp(secret, atMs) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const sum = createHmac('sha1', base32(secret)).update(msg).digest();
  const off = sum[sum.length - 1] & 0x0f;
  return String((sum.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * Signs in through the login page, answering the code step when asked.
 * @param {import('playwright-core').Page} page
 * @param {string} email
 * @param {string} password
 * @param {string} code
 */
async function signInWithCode(page, email, password, code) {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const field = page.getByLabel('Authentication code');
  await field.waitFor();
  await field.fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Home, or back to the Security page the last sign-out left from.
  await page.waitForURL(/\/(merchants|security)$/);
  await page.getByRole('heading', { level: 2 }).first().waitFor();
}

/** @param {import('playwright-core').Page} page */
async function logOut(page) {
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.waitForURL('**/login');
}

test('a PSP admin enrols an authenticator, then signs in with a code and with a recovery code', async ({ page, artifact }) => {
  await requireBackend(page, { mutations: ['startMfaEnrollment', 'confirmMfaEnrollment', 'inviteUser'] });
  // A PSP admin of its own, so the demo logins the other flows use keep signing in without a code.
  const email = `mfa-${unique()}@demo.psp`;
  const password = 'a long mfa password 1';
  const tokenResponse = await page.request.post('/auth/login', {
    data: { email: demo.pspAdmin, password: demo.password },
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(tokenResponse.status(), 200);
  const invited = await gql(
    page,
    'mutation($in: InviteUserInput!) { inviteUser(input: $in) { invitationUrl userErrors { message } } }',
    { in: { email, name: 'Mia Faktor', role: 'PSP_ADMIN' } },
  );
  const url = invited.inviteUser.invitationUrl;
  assert.ok(url, JSON.stringify(invited));
  await page.request.post('/auth/logout', { headers: { 'X-Requested-With': 'backoffice' } });
  const token = new URL(url).searchParams.get('token');
  const set = await page.request.post('/auth/set-password', {
    data: { token, password },
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(set.status(), 200);

  // Security, from the account menu.
  await page.goto('/');
  await page.waitForURL(/\/merchants$/);
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Security' }).click();
  await page.waitForURL('**/security');
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
  await page.getByRole('img', { name: /QR code/ }).waitFor();
  await page.getByLabel('Code from the app').fill(totp(secret, Date.now()));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  const recovery = (await page.getByTestId('recovery-code').allInnerTexts()).map((c) => c.trim());
  assert.equal(recovery.length, 10);
  await page.screenshot({ path: artifact('security-recovery-codes.png') });
  await page.getByRole('button', { name: 'I have saved them' }).click();
  assert.match((await page.getByTestId('mfa-status').innerText()).trim(), /^on$/i);
  await logOut(page);

  // The code used to confirm cannot be used again: the next step's code is (±1 step).
  await signInWithCode(page, email, password, totp(secret, Date.now() + 30_000));
  await logOut(page);

  await signInWithCode(page, email, password, recovery[0]);
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Security' }).click();
  await page.getByText('This session').waitFor();
  await page.screenshot({ path: artifact('security.png') });
  await logOut(page);

  // A used recovery code is refused.
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').fill(recovery[0]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /Wrong or already used code|Too many attempts/ }).waitFor();
});
