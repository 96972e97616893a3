/**
 * One Firefox ESR session for a Firefox-only test (the shared flows use tests/flows/firefox.ts):
 * the reference platform on the build's port, Firefox with the extension installed and the platform
 * signed in, a fresh download folder; everything closed after, the folder kept when the test failed.
 * Plus the dialog controls those tests need: buttons and inputs of our shadow root by their text,
 * the dialog's status, new files in the download folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { EXTENSION_DIR, EXTENSION_ID, EXTENSION_UUID, FIREFOX_PORT, ORIGIN, launchFirefox } from './browser';

export { EXTENSION_DIR, EXTENSION_UUID, FIREFOX_PORT, ORIGIN, launchFirefox };
process.env.E2E_PORT = String(FIREFOX_PORT);
const { TMP } = await import('../e2e/harness');
const { startSite } = await import('../site/server');

export type Site = Awaited<ReturnType<typeof startSite>>;

/** Firefox with the download folder and the prefs of browser.ts (plus `prefs`). */
export const launch = (downloads: string, prefs: Record<string, unknown> = {}): Promise<Browser> => launchFirefox(downloads, { prefs });

export async function signIn(page: Page, origin = ORIGIN) {
  await page.goto(`${origin}/login`);
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
export interface Session {
  site: Site;
  browser: Browser;
  page: Page;
  dir: string;
  downloads: string;
}

export interface SessionOptions {
  /**
   * A server of the test's own on the build's port, in front of the platform (which then listens
   * on a free port, at `siteUrl`): what the extension and the test's API client talk to.
   */
  front?: (siteUrl: string) => Promise<{ close(): Promise<void> }>;
}

export async function withFirefox(name: string, fn: (s: Session) => Promise<void>, opts: SessionOptions = {}) {
  assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `no Firefox build in ${EXTENSION_DIR}`);
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, `firefox-${name}-`));
  const downloads = join(dir, 'downloads');
  mkdirSync(downloads);
  const site = await startSite({ port: opts.front ? 0 : FIREFOX_PORT });
  const front = opts.front ? await opts.front(site.url) : null;
  let browser: Browser | null = null;
  let ok = false;
  try {
    browser = await launchFirefox(downloads);
    assert.equal(await browser.installExtension(EXTENSION_DIR), EXTENSION_ID);
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await signIn(page);
    await fn({ site, browser, page, dir, downloads });
    ok = true;
  } finally {
    await browser?.close().catch(() => {});
    await front?.close();
    await site.close();
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.error(`  kept ${dir}`);
  }
}

/** Starts a case-files export of a workflow with the dialog's defaults. */
export async function startCaseFiles(s: Session, workflowId: string) {
  await s.page.goto(`${ORIGIN}/develop/workflows/${workflowId}`);
  await clickInExporter(s.page, 'Export case files');
  await clickInExporter(s.page, 'Download files');
}

/** Sets the radio or checkbox whose label reads `label` in the extension's shadow root. */
export async function setInput(page: Page, label: string, checked = true, timeout = 20_000) {
  await page.waitForFunction(
    (text: string, want: boolean) => {
      const root = document.querySelector('workflow-exporter')?.shadowRoot;
      const l = [...(root?.querySelectorAll('label') ?? [])].find((x) => x.textContent?.trim() === text);
      const input = l?.querySelector('input');
      if (!input || input.disabled) return false;
      if (input.checked !== want) input.click();
      return input.checked === want;
    },
    { timeout, polling: 100 },
    label,
    checked,
  );
}

/** Files of the download folder, Firefox's `.part` files included. */
export const filesIn = (dir: string) => readdirSync(dir).sort();

/** The one finished download that was not in `before` (Firefox's `.part` file gone). */
export async function waitForNewFile(dir: string, before: string[], timeout = 60_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const names = filesIn(dir);
    const added = names.filter((n) => !before.includes(n));
    if (added.length === 1 && !names.some((n) => n.endsWith('.part')) && statSync(join(dir, added[0])).size > 0) return join(dir, added[0]);
    if (added.length > 1 && !names.some((n) => n.endsWith('.part'))) throw new Error(`more than one new download in ${dir}: ${added.join(', ')}`);
    if (Date.now() > deadline) throw new Error(`No new download in ${dir} after ${timeout} ms (found: ${names.join(', ') || 'nothing'})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The files of the extension's private file system (OPFS), as Firefox keeps them in the profile:
 * one file per OPFS file, named by a hash, under `storage/default/moz-extension+++<uuid>/fs/`
 * beside the `metadata.sqlite` that holds the names (BiDi may not open moz-extension:// pages,
 * so the profile is read from outside). Returns `fs/…` paths with their sizes.
 */
export function opfsFiles(browser: Browser): string[] {
  const args = browser.process()?.spawnargs ?? [];
  const profile = args[args.indexOf('--profile') + 1];
  assert.ok(profile && existsSync(profile), `the Firefox profile (${args.join(' ')})`);
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.isDirectory()) walk(join(d, n.name), `${prefix}${n.name}/`);
      else if (!n.name.startsWith('metadata.sqlite')) out.push(`${prefix}${n.name} (${statSync(join(d, n.name)).size} bytes)`);
    }
  };
  const base = join(profile, 'storage', 'default');
  for (const n of existsSync(base) ? readdirSync(base) : [])
    if (n.startsWith(`moz-extension+++${EXTENSION_UUID}`) && existsSync(join(base, n, 'fs'))) walk(join(base, n, 'fs'), 'fs/');
  return out.sort();
}

/** Polls `fn` until it returns true. */
export async function until(what: string, fn: () => boolean, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
