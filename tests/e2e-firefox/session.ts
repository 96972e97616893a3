/**
 * One Firefox ESR session for a test: the reference platform on the build's port, Firefox with the
 * extension installed and the platform signed in, a fresh download folder; everything closed after,
 * the folder kept when the test failed. Plus the dialog controls the Firefox tests need beyond
 * case-files.firefox.ts's helpers (inputs by their label text, new files in the download folder).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { EXTENSION_DIR, FIREFOX_PORT, ORIGIN, clickInExporter, launch, signIn } from './case-files.firefox';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { TMP } = await import('../e2e/harness');
const { startSite } = await import('../site/server');

export type Site = Awaited<ReturnType<typeof startSite>>;

const EXTENSION_ID = 'workflow-exporter@example.org';
/**
 * The extension's internal UUID, fixed by a pref (Firefox picks a random one per profile
 * otherwise): its storage is then in a known folder of the profile (see `opfsFiles`).
 */
export const EXTENSION_UUID = '6f1d2c3b-4a5e-4f60-8a71-92b3c4d5e6f7';

const launchFirefox = (downloads: string): Promise<Browser> =>
  launch(downloads, { 'extensions.webextensions.uuids': JSON.stringify({ [EXTENSION_ID]: EXTENSION_UUID }) });
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
