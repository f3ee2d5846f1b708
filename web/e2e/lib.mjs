// @ts-check
/**
 * Helpers shared by the flows: signing in through the login page, calling
 * the GraphQL API with the browser's session, and finding out whether the
 * server under test has the backend a flow needs (so that flows for work not
 * yet built skip with a reason instead of failing).
 */
import { Skipped } from './harness.mjs';

/** The demo data set's logins (seed/demo.go). */
export const demo = {
  password: process.env['E2E_DEMO_PASSWORD'] ?? 'demo-password-1',
  pspAdmin: 'admin@demo.psp',
  pspOperator: 'ops@demo.psp',
  /** MERCHANT_ADMIN of Kask & Kivi: Paywerk, fractional quantities, daily payouts. */
  merchantAdmin: 'owner@kaskkivi.ee',
};

/**
 * Signs in through the login page and waits for the home screen.
 * @param {import('playwright-core').Page} page
 * @param {string} email
 */
export async function signIn(page, email, password = demo.password) {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/(merchants|orders)$/);
  await page.getByRole('heading', { level: 2 }).first().waitFor();
}

/**
 * Calls /graphql with the page's session cookie (and the CSRF header the
 * server wants on cookie requests). Throws on top-level errors.
 * @param {import('playwright-core').Page} page
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<any>}
 */
export async function gql(page, query, variables = {}) {
  const response = await page.request.post('/graphql', {
    data: { query, variables },
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'backoffice' },
  });
  const body = await response.json();
  if (body.errors?.length) {
    throw new Error(`GraphQL: ${body.errors.map((/** @type {{message: string}} */ e) => e.message).join('; ')}`);
  }
  return body.data;
}

/**
 * Skips the flow unless the server has the login routes and every named
 * mutation/query field.
 * @param {import('playwright-core').Page} page
 * @param {{ mutations?: string[], queries?: string[] }} needs
 */
export async function requireBackend(page, { mutations = [], queries = [] }) {
  const me = await page.request.get('/auth/me', { headers: { 'X-Requested-With': 'backoffice' } });
  if (me.status() === 404 || !(me.headers()['content-type'] ?? '').includes('json')) {
    throw new Skipped('the server has no /auth routes yet (identity backend)');
  }
  // Introspection answers only callers with credentials (graph/limits.go): ask as the
  // demo PSP admin with a bearer token fetched outside the page, so the flow's browser
  // stays signed out.
  const base = (process.env['E2E_BASE_URL'] ?? 'http://localhost:8080').replace(/\/+$/, '');
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo.pspAdmin, password: demo.password }),
  });
  const token = login.ok ? (await login.json()).token : '';
  const response = await page.request.post('/graphql', {
    data: { query: '{ __schema { queryType { fields { name } } mutationType { fields { name } } } }' },
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
  });
  const body = await response.json();
  const schema = body.data?.__schema;
  const have = new Set([
    ...(schema?.queryType?.fields ?? []).map((/** @type {{name: string}} */ f) => f.name),
    ...(schema?.mutationType?.fields ?? []).map((/** @type {{name: string}} */ f) => f.name),
  ]);
  const missing = [...mutations, ...queries].filter((name) => !have.has(name));
  if (missing.length > 0) {
    throw new Skipped(`the server's GraphQL API lacks ${missing.join(', ')} (backend not built yet)`);
  }
}

/** The mutation the flows create an order with (createOrder). */
export const createOrderMutation = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } paymentUrl userErrors { field message } } }`;

/**
 * The part of a createOrder input every flow shares: the demo merchant's first
 * company and shop, and one Estonian shopper.
 * @param {{ companies: {id: string}[], shops: {id: string}[] }} merchant
 * @param {string} reference
 */
export function orderBasics(merchant, reference) {
  return {
    companyId: merchant.companies[0].id,
    shopId: merchant.shops[0].id,
    reference,
    firstName: 'Mari',
    lastName: 'Tamm',
    email: 'mari@example.ee',
    billingAddress: { street: 'Narva mnt 5', city: 'Tallinn', postalCode: '10117', country: 'EE' },
    currency: 'EUR',
  };
}

/** A short unique suffix, so flows can run again against the same data. */
export function unique() {
  return Date.now().toString(36).slice(-6);
}
