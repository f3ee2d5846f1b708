#!/usr/bin/env node
// @ts-check
/**
 * End-to-end checks of the UI in Debian's Chromium, driven by playwright-core
 * (no downloaded browser). Runs every flow registered in e2e/tests/*.test.mjs
 * against a running server:
 *
 *   E2E_BASE_URL=http://localhost:8080 node e2e/run.mjs [name filter]
 *
 * Screenshots go to e2e/artifacts/. The last line reads
 * "e2e: N passed, N failed[, N skipped]"; the exit code is 1 if any failed.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { registry, setCurrentFile, Skipped } from './harness.mjs';

const baseURL = (process.env['E2E_BASE_URL'] ?? 'http://localhost:8080').replace(/\/+$/, '');
const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const filter = process.argv[2] ?? '';
const testTimeoutMs = 60_000;

const testsDir = new URL('./tests/', import.meta.url);
const artifactsDir = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** @param {string} fileName */
const artifact = (fileName) => `${artifactsDir}${fileName}`;

/** @param {string} text */
const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** @param {unknown} error */
const describe = (error) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function loadTests() {
  const files = (await readdir(testsDir)).filter((name) => name.endsWith('.test.mjs')).sort();
  for (const file of files) {
    setCurrentFile(file.replace(/\.test\.mjs$/, ''));
    await import(new URL(file, testsDir).href);
  }
  return registry.filter((t) => `${t.file} › ${t.name}`.includes(filter));
}

/**
 * @param {Promise<void>} work
 * @param {number} ms
 */
function withTimeout(work, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  await mkdir(artifactsDir, { recursive: true });
  // Failure screenshots of an earlier run would be mistaken for this run's.
  for (const name of await readdir(artifactsDir)) {
    if (name.startsWith('failure-')) {
      await rm(`${artifactsDir}${name}`);
    }
  }
  const tests = await loadTests();
  let passed = 0;
  let failed = 0;
  let skipped = 0;

  console.log(`e2e: ${tests.length} flow(s) against ${baseURL}`);
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  } catch (error) {
    console.log(`FAIL launching ${executablePath}\n${describe(error)}`);
    console.log('e2e: 0 passed, 1 failed');
    return 1;
  }

  try {
    for (const { file, name, fn } of tests) {
      const title = `${file} › ${name}`;
      const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      /** @type {string[]} */
      const pageErrors = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      const started = Date.now();
      try {
        await withTimeout(
          fn({
            page,
            baseURL,
            artifact,
            skip: (reason) => {
              throw new Skipped(reason);
            },
          }),
          testTimeoutMs,
        );
        if (pageErrors.length > 0) {
          throw new Error(`uncaught errors in the page:\n  ${pageErrors.join('\n  ')}`);
        }
        passed++;
        console.log(`ok    ${title} (${Date.now() - started} ms)`);
      } catch (error) {
        if (error instanceof Skipped) {
          skipped++;
          console.log(`skip  ${title}: ${error.message}`);
        } else {
          failed++;
          const screenshot = artifact(`failure-${slug(title)}.png`);
          await page.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
          console.log(`FAIL  ${title} (${Date.now() - started} ms)\n${describe(error)}\n  screenshot: ${screenshot}`);
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }

  if (tests.length === 0) {
    console.log(`no flow matches "${filter}"`);
    failed++;
  }
  console.log(`e2e: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
