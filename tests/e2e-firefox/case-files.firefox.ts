/**
 * The Firefox MV3 build in real Firefox ESR (Debian's `firefox-esr`), driven by puppeteer-core over
 * WebDriver BiDi: the extension is installed as a temporary add-on, the reference platform is
 * signed in, and one case-files export goes through the background page (which hosts the worker),
 * OPFS and `downloads.download` of a blob URL. The ZIP that lands in the download folder is read
 * with yauzl and compared, path and SHA-256, with what the platform serves.
 *
 * Run by `scripts/test-firefox.ts`, which builds the Firefox copy for this test's port first
 * (`WE_OUT_DIR=.output-ff WE_ORIGINS=http://localhost:<port>`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PORT = Number(process.env.FIREFOX_E2E_PORT ?? 4407);
export const FIREFOX_OUT_DIR = process.env.FIREFOX_OUT_DIR ?? '.output-ff';
// The harness reads its platform origin from E2E_PORT when it is first imported.
process.env.E2E_PORT = String(FIREFOX_PORT);
const { expectedArchive, readZip, ROOT, TMP } = await import('../e2e/harness');
const { startSite } = await import('../site/server');

export const ORIGIN = `http://localhost:${FIREFOX_PORT}`;
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const EXTENSION_DIR = resolve(ROOT, FIREFOX_OUT_DIR, 'firefox-mv3');

/**
 * Profile prefs: downloads go to `downloads` without a prompt, and nothing phones home.
 * Host permissions need no pref and no prompt: Firefox (127+) grants an MV3 extension's
 * `host_permissions` at install (`extensions.originControls.grantByDefault`, true by default),
 * temporary add-ons installed over WebDriver BiDi included. The content script showing the
 * Export group proves it; the worker's credentialed fetches to the platform prove the rest.
 * (The patterns carry no port in the Firefox build: Firefox match patterns with a port match nothing.)
 */
export function firefoxPrefs(downloads: string): Record<string, unknown> {
  return {
    'browser.download.dir': downloads,
    'browser.download.folderList': 2,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
    'browser.download.alwaysOpenPanel': false,
    'browser.download.panel.shown': true,
    'browser.download.manager.showWhenStarting': false,
    'browser.helperApps.neverAsk.saveToDisk': 'application/zip,application/octet-stream',
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'extensions.update.enabled': false,
    'app.update.enabled': false,
  };
}

export async function launch(downloads: string, prefs: Record<string, unknown> = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocolTimeout: 60_000,
    extraPrefsFirefox: { ...firefoxPrefs(downloads), ...prefs },
  });
}

export async function signIn(page: Page) {
  await page.goto(`${ORIGIN}/login`);
  await page.type('#username', 'demo');
  await page.type('#password', 'demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/', `signed in (at ${page.url()})`);
}

/** Clicks the button whose text is `label` inside the extension's open shadow root. */
export async function clickInExporter(page: Page, label: string, timeout = 20_000) {
  await page.waitForFunction(
    (text: string) => {
      const root = document.querySelector('workflow-exporter')?.shadowRoot;
      const button = [...(root?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.trim() === text);
      if (!button || button.disabled) return false;
      button.click();
      return true;
    },
    { timeout, polling: 100 },
    label,
  );
}

/** The text of the dialog's status once it matches `pattern`. */
export async function dialogStatus(page: Page, pattern: RegExp, timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    (source: string) => {
      const root = document.querySelector('workflow-exporter')?.shadowRoot;
      const text = [...(root?.querySelectorAll('[role=status], [role=alert]') ?? [])].map((e) => e.textContent ?? '').join(' | ');
      return new RegExp(source).test(text) ? text : false;
    },
    { timeout, polling: 200 },
    pattern.source,
  );
  return (await handle.jsonValue()) as string;
}

/** The finished download: `name` is there and Firefox's `.part` file is gone. */
export async function waitForFile(dir: string, name: string, timeout = 60_000): Promise<string> {
  const file = join(dir, name);
  const deadline = Date.now() + timeout;
  for (;;) {
    const names = readdirSync(dir);
    if (existsSync(file) && statSync(file).size > 0 && !names.some((n) => n.endsWith('.part'))) return file;
    if (Date.now() > deadline) throw new Error(`No ${name} in ${dir} after ${timeout} ms (found: ${names.join(', ') || 'nothing'})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: case files of workflow 1, default names, ZIP checked against the platform',
    fn: async () => {
      assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `no Firefox build in ${EXTENSION_DIR}`);
      mkdirSync(TMP, { recursive: true });
      const dir = mkdtempSync(join(TMP, 'firefox-case-files-'));
      const downloads = join(dir, 'downloads');
      mkdirSync(downloads);
      const site = await startSite({ port: FIREFOX_PORT });
      let browser: Browser | null = null;
      let ok = false;
      try {
        browser = await launch(downloads);
        const id = await browser.installExtension(EXTENSION_DIR);
        assert.equal(id, 'workflow-exporter@example.org');
        const page = (await browser.pages())[0] ?? (await browser.newPage());
        await signIn(page);
        await page.goto(`${ORIGIN}/develop/workflows/1`);
        // The content script ran: the build's host permission was granted at install.
        await clickInExporter(page, 'Export case files');
        await clickInExporter(page, 'Download files');
        const status = await dialogStatus(page, /Saved|failed|refused|error/i, 120_000);
        assert.match(status, /Saved/, `export status: ${status}`);

        const want = await expectedArchive('1', null, '');
        assert.ok(want.expected.size > 0, 'workflow 1 has files');
        const zip = await waitForFile(downloads, want.archiveName);
        assert.deepEqual(readdirSync(downloads), [want.archiveName]);
        const entries = await readZip(zip);
        const got = new Map(entries.map((e) => [e.path, e.sha256]));
        assert.equal(entries.length, want.cases.reduce((n, c) => n + c.files.length, 0));
        assert.deepEqual(got, want.expected);
        console.log(`  ${entries.length} files in ${want.archiveName}, each path and SHA-256 as the platform serves them`);
        ok = true;
      } finally {
        await browser?.close().catch(() => {});
        await site.close();
        if (ok) rmSync(dir, { recursive: true, force: true });
        else console.error(`  kept ${dir}`);
      }
    },
  },
];
