// @ts-check
/**
 * The e2e harness's test API. A file in e2e/tests/*.test.mjs registers its
 * flows with `test(name, fn)`; run.mjs imports every such file and runs each
 * flow in a fresh browser context against E2E_BASE_URL.
 */

/**
 * @typedef {object} TestContext
 * @property {import('playwright-core').Page} page a new page in a new context, its baseURL set
 * @property {string} baseURL the server under test
 * @property {(fileName: string) => string} artifact the path of a file in e2e/artifacts/
 * @property {(reason: string) => never} skip ends the flow as skipped
 */

/** @typedef {(t: TestContext) => Promise<void>} TestFn */

/** @typedef {{ name: string, fn: TestFn, file: string }} RegisteredTest */

/** @type {RegisteredTest[]} */
export const registry = [];

/** @type {string} */
let currentFile = '';

/** Used by run.mjs: the file whose tests are being registered. */
export function setCurrentFile(/** @type {string} */ file) {
  currentFile = file;
}

/**
 * Registers a flow.
 * @param {string} name what the flow checks, in words
 * @param {TestFn} fn
 */
export function test(name, fn) {
  registry.push({ name, fn, file: currentFile });
}

/** Thrown by `t.skip(reason)`. */
export class Skipped extends Error {}
