// @ts-check
import assert from 'node:assert/strict';
import { test } from '../harness.mjs';
import { demo, signIn } from '../lib.mjs';

/**
 * The UI and GraphiQL run under the server's Content-Security-Policy (no inline
 * script, nothing from another origin): a violation would show in the console.
 * @param {import('playwright-core').Page} page
 */
function cspViolations(page) {
  /** @type {string[]} */
  const seen = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(new URL(page.url() || 'http://x/').origin) && !r.url().startsWith('data:') && page.url() !== 'about:blank') {
      seen.push(`request to another origin: ${r.url()}`);
    }
  });
  return seen;
}

test('the UI works under the CSP', async ({ page }) => {
  const seen = cspViolations(page);
  await signIn(page, demo.pspAdmin);
  assert.deepEqual(seen, [], 'no CSP violation or foreign request');
});

test('GraphiQL at GET /graphql is served by the binary and runs a query under the CSP', async ({ page, artifact }) => {
  await signIn(page, demo.pspAdmin);
  const seen = cspViolations(page);
  await page.goto('/graphql');
  await page.locator('.graphiql-container').waitFor();
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('{ viewer { __typename } }');
  await page.locator('.graphiql-execute-button').click();
  await page.locator('.graphiql-response').getByText('__typename').waitFor();
  await page.screenshot({ path: artifact('graphiql.png') });
  assert.deepEqual(seen, [], 'no CSP violation or foreign request');
});
