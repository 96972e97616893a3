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
import { EXTENSION_DIR, FIREFOX_PORT, launch, signIn } from './case-files.firefox';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { TMP } = await import('../e2e/harness');
const { startSite } = await import('../site/server');

export type Site = Awaited<ReturnType<typeof startSite>>;
export interface Session {
  site: Site;
  browser: Browser;
  page: Page;
  dir: string;
  downloads: string;
}

export async function withFirefox(name: string, fn: (s: Session) => Promise<void>) {
  assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `no Firefox build in ${EXTENSION_DIR}`);
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, `firefox-${name}-`));
  const downloads = join(dir, 'downloads');
  mkdirSync(downloads);
  const site = await startSite({ port: FIREFOX_PORT });
  let browser: Browser | null = null;
  let ok = false;
  try {
    browser = await launch(downloads);
    await browser.installExtension(EXTENSION_DIR);
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await signIn(page);
    await fn({ site, browser, page, dir, downloads });
    ok = true;
  } finally {
    await browser?.close().catch(() => {});
    await site.close();
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.error(`  kept ${dir}`);
  }
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

/** Polls `fn` until it returns true. */
export async function until(what: string, fn: () => boolean, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
