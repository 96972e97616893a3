/**
 * Issue 14, point 6, in Firefox ESR: Firefox match patterns have no port, so the content script is
 * injected on every port of a configured host (`http://localhost/*`). On a port that is not
 * configured it must do nothing: the reference platform is served twice, on the build's port and
 * on the next one, and only the build's port gets the Export group.
 *
 * Run by `scripts/test-firefox.ts` (after building the Firefox copy for FIREFOX_E2E_PORT).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const PORT = Number(process.env.FIREFOX_E2E_PORT ?? 4407);
const OTHER_PORT = PORT + 1;
const OUT_DIR = process.env.FIREFOX_OUT_DIR ?? '.output-ff';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ROOT = resolve(import.meta.dirname, '../..');
const EXTENSION_DIR = resolve(ROOT, OUT_DIR, 'firefox-mv3');
const { startSite } = await import('../site/server');

async function signIn(page: Page, origin: string) {
  await page.goto(`${origin}/login`);
  await page.type('#username', 'demo');
  await page.type('#password', 'demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/', `signed in on ${origin} (at ${page.url()})`);
}

/** A workflow page of `origin`, rendered (the platform's own toolbar is there). */
async function openWorkflow(page: Page, origin: string) {
  await page.goto(`${origin}/develop/workflows/1`);
  await page.waitForSelector('main[data-page="workflow"] .page-actions', { timeout: 20_000 });
}

const exporterCount = (page: Page) => page.evaluate(() => document.querySelectorAll('workflow-exporter').length);

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: the content script does nothing on a port that is not configured',
    fn: async () => {
      assert.ok(existsSync(resolve(EXTENSION_DIR, 'manifest.json')), `no Firefox build in ${EXTENSION_DIR}`);
      const configured = `http://localhost:${PORT}`;
      const other = `http://localhost:${OTHER_PORT}`;
      const site = await startSite({ port: PORT });
      const otherSite = await startSite({ port: OTHER_PORT });
      let browser: Browser | null = null;
      try {
        browser = await puppeteer.launch({
          browser: 'firefox',
          executablePath: FIREFOX,
          headless: true,
          protocolTimeout: 60_000,
          extraPrefsFirefox: { 'datareporting.policy.dataSubmissionEnabled': false, 'extensions.update.enabled': false, 'app.update.enabled': false },
        });
        await browser.installExtension(EXTENSION_DIR);
        // The manifest's pattern covers every port of the host: the script is injected on both.
        const manifest = JSON.parse(readFileSync(resolve(EXTENSION_DIR, 'manifest.json'), 'utf8')) as { content_scripts: { matches: string[] }[] };
        assert.deepEqual(manifest.content_scripts[0].matches, ['http://localhost/*']);

        // The other port first (each site has its own sessions, and cookies do not tell ports apart).
        const otherPage = (await browser.pages())[0] ?? (await browser.newPage());
        await signIn(otherPage, other);
        await openWorkflow(otherPage, other);

        // The configured port, in a second tab: the Export group appears there…
        const page = await browser.newPage();
        await signIn(page, configured);
        await openWorkflow(page, configured);
        await page.waitForSelector('workflow-exporter', { timeout: 20_000 });
        assert.equal(await exporterCount(page), 1);

        // …and not on the other port, whose page loaded (and ran the content script) earlier.
        assert.equal(await exporterCount(otherPage), 0, `no Export group on ${other}`);
        console.log(`  Export group on ${configured}, none on ${other}`);
      } finally {
        await browser?.close().catch(() => {});
        await site.close();
        await otherSite.close();
      }
    },
  },
];
