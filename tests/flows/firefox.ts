/**
 * The Firefox `Driver`: Debian's Firefox ESR with the Firefox build installed as a temporary add-on,
 * driven by puppeteer-core over WebDriver BiDi. Elements are found and acted on in the page by
 * `dom.ts`; downloads are the new files of the download folder (Firefox's `.part` gone).
 * `runInFirefox(flow)` is what scripts/test-firefox.ts calls for every flow.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import type { JobState } from '../../lib/jobs';
import type { SiteHandle } from '../site/server';
import { EXTENSION_BASE, EXTENSION_DIR, EXTENSION_ID, FIREFOX_PORT, ORIGIN, launchFirefox } from '../e2e-firefox/browser';
import { pathToFileURL } from 'node:url';
import type { DownloadMark, Driver, DriverOptions, ElementState, Flow, OpenedFile, Surface, Target } from './driver';
import { ACTION_TIMEOUT, WAIT_TIMEOUT } from './driver';
import { libCall, toWire } from './dom';
import { describeTarget, expectStateOf, waitForTextOf } from './wait';
import { STORED_JOBS_EXPRESSION } from './jobs';
import { FILE_PROBE_PRELOAD, FILE_PROBE_READ } from './fileProbe';


/** The prefs of a browser UI language (the extension's i18n follows `intl.locale.requested`). */
const langPrefs = (lang?: string): Record<string, unknown> => (lang ? { 'intl.locale.requested': lang, 'intl.accept_languages': lang } : {});

class FirefoxSurface implements Surface {
  constructor(
    readonly page: Page,
    readonly kind: 'platform' | 'extension',
    private readonly origin: string,
  ) {}

  /**
   * Evaluates `expression` until it is truthy; returns its value. Errors while the page navigates
   * (Firefox's BiDi fails an evaluation in a document going away) are retried, the last one reported.
   */
  async poll(expression: string, timeout = ACTION_TIMEOUT): Promise<unknown> {
    const deadline = Date.now() + timeout;
    let lastError: Error | null = null;
    for (;;) {
      try {
        const v = await this.page.evaluate(expression);
        if (v) return v;
      } catch (err) {
        lastError = err as Error;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms${lastError ? ` (last error: ${lastError.message.split('\n')[0]})` : ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async goto(pathOrUrl: string) {
    const url = /^[a-z-]+:/.test(pathOrUrl) ? pathOrUrl : `${this.kind === 'extension' ? EXTENSION_BASE : this.origin}${pathOrUrl}`;
    if (url.startsWith('moz-extension:')) {
      // BiDi never reports the load of an extension page: start it, then wait on the document.
      void this.page.goto(url, { timeout: 5_000 }).catch(() => {});
      await this.poll(`location.href === ${JSON.stringify(url)} && document.readyState === 'complete'`);
    } else await this.page.goto(url);
  }

  async reload() {
    if (this.kind === 'extension') {
      await this.page.evaluate(`window.__weReloading = true; location.reload()`);
      await this.poll(`!window.__weReloading && document.readyState === 'complete'`);
    } else await this.page.reload();
  }

  close() {
    return this.page.close();
  }

  async url() {
    return (await this.page.evaluate('location.href')) as string;
  }

  private async act(action: string, t: Target, arg: unknown, timeout = ACTION_TIMEOUT) {
    try {
      await this.poll(libCall('act', action, toWire(t), this.kind, arg), timeout);
    } catch (err) {
      const now = await this.state(t).catch(() => null);
      throw new Error(`${action} ${describeTarget(t)} in Firefox: ${(err as Error).message} (now: ${JSON.stringify(now)})`);
    }
  }

  /**
   * A real click (BiDi pointer input, a user gesture: `permissions.request` needs one) on the
   * element once it is there and enabled.
   */
  async click(t: Target, opts: { timeout?: number } = {}) {
    const deadline = Date.now() + (opts.timeout ?? ACTION_TIMEOUT);
    for (;;) {
      try {
        await this.poll(`!!${libCall('findEnabled', toWire(t), this.kind)}`, Math.max(0, deadline - Date.now()));
        const handle = (await this.page.evaluateHandle(`${libCall('findEnabled', toWire(t), this.kind)} || document.createElement('i')`)) as ElementHandle<Element>;
        if (await handle.evaluate((el) => el.isConnected)) {
          await handle.click();
          return;
        }
      } catch (err) {
        if (Date.now() > deadline) {
          const now = await this.state(t).catch(() => null);
          throw new Error(`click ${describeTarget(t)} in Firefox: ${(err as Error).message} (now: ${JSON.stringify(now)})`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  fill(t: Target, value: string, opts: { timeout?: number } = {}) {
    return this.act('fill', t, value, opts.timeout);
  }
  setChecked(t: Target, checked = true, opts: { timeout?: number } = {}) {
    return this.act('check', t, checked, opts.timeout);
  }
  selectOption(t: Target, option: { value?: string; label?: string }, opts: { timeout?: number } = {}) {
    return this.act('select', t, option, opts.timeout);
  }
  async press(t: Target, key: string) {
    await this.act('focus', t, null);
    await this.page.keyboard.press(key as never);
  }

  async setInputFile(css: string, file: string) {
    const roots = this.kind === 'extension' ? 'document' : `document.querySelector('workflow-exporter').shadowRoot`;
    await this.poll(`!!${roots}.querySelector(${JSON.stringify(css)})`);
    const handle = await this.page.evaluateHandle(`${roots}.querySelector(${JSON.stringify(css)})`);
    await (handle as unknown as ElementHandle<HTMLInputElement>).uploadFile(file);
  }

  async state(t: Target): Promise<ElementState> {
    return (await this.page.evaluate(libCall('describe', toWire(t), this.kind))) as ElementState;
  }

  waitForText(t: Target, pattern: RegExp | string, timeout = WAIT_TIMEOUT) {
    return waitForTextOf(() => this.state(t), describeTarget(t), pattern, timeout, 'Firefox');
  }

  expectState(t: Target, want: Partial<ElementState>, timeout = WAIT_TIMEOUT) {
    return expectStateOf(() => this.state(t), describeTarget(t), want, timeout, 'Firefox');
  }

  async cssSelect(selector: string, value: string) {
    await this.page.waitForSelector(selector, { timeout: ACTION_TIMEOUT });
    await this.page.select(selector, value);
  }
  cssCount(selector: string) {
    return this.page.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`) as Promise<number>;
  }
  cssText(selector: string) {
    return this.page.evaluate(`(document.querySelector(${JSON.stringify(selector)})?.textContent ?? '').replace(/\\s+/g, ' ').trim()`) as Promise<string>;
  }
  async cssWait(selector: string, timeout = ACTION_TIMEOUT) {
    await this.page.waitForSelector(selector, { timeout });
  }
  uiTexts(css: string) {
    const roots = this.kind === 'extension' ? '[document]' : `[...document.querySelectorAll('workflow-exporter')].map((h) => h.shadowRoot).filter(Boolean)`;
    return this.page.evaluate(
      `${roots}.flatMap((r) => [...r.querySelectorAll(${JSON.stringify(css)})].map((e) => (e.textContent || '').replace(/\\s+/g, ' ').trim()))`,
    ) as Promise<string[]>;
  }
  cssAttribute(selector: string, name: string) {
    return this.page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.getAttribute(${JSON.stringify(name)}) ?? null`) as Promise<string | null>;
  }
  evaluate<T = unknown>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }
  exporterCount() {
    return this.page.evaluate(`document.querySelectorAll('workflow-exporter').length`) as Promise<number>;
  }
  async screenshot(file: string, opts: { fullPage?: boolean; selector?: string } = {}) {
    const el = opts.selector ? await this.page.$(opts.selector) : null;
    if (el) await el.screenshot({ path: file as `${string}.png` });
    else await this.page.screenshot({ path: file as `${string}.png`, fullPage: opts.fullPage });
  }
}

/** The files of a folder, Firefox's `.part` files included. */
const filesIn = (dir: string) => readdirSync(dir).sort();

class FirefoxDriver implements Driver {
  readonly browser = 'firefox' as const;
  readonly origin = ORIGIN;
  page!: Surface;
  browserHandle!: Browser;
  private readonly userDataDir: string;

  constructor(
    readonly site: SiteHandle,
    readonly dir: string,
    readonly downloads: string,
    private readonly options: DriverOptions,
  ) {
    this.userDataDir = join(dir, 'profile');
    mkdirSync(this.userDataDir, { recursive: true });
  }

  async start() {
    const prefs = { ...langPrefs(this.options.lang), ...(this.options.grantedOrigins?.length ? { 'extensions.webextOptionalPermissionPrompts': false } : {}) };
    this.browserHandle = await launchFirefox(this.downloads, { prefs, userDataDir: this.userDataDir });
    assert.equal(await this.browserHandle.installExtension(EXTENSION_DIR), EXTENSION_ID);
    const first = (await this.browserHandle.pages())[0] ?? (await this.browserHandle.newPage());
    this.page = new FirefoxSurface(first, 'platform', this.origin);
    await this.signIn(this.page);
  }

  async stop() {
    await this.browserHandle?.close().catch(() => {});
  }

  async newPage() {
    return new FirefoxSurface(await this.browserHandle.newPage(), 'platform', this.origin);
  }

  private async extensionPage(path: string) {
    const s = new FirefoxSurface(await this.browserHandle.newPage(), 'extension', this.origin);
    await s.goto(`/${path}`);
    return s;
  }
  openPopup() {
    return this.extensionPage('popup.html');
  }
  openOptions() {
    return this.extensionPage('options.html');
  }

  async signIn(surface: Surface, origin = this.origin, user = 'demo', password = 'demo') {
    const page = (surface as FirefoxSurface).page;
    await page.goto(`${origin}/login`);
    await page.type('#username', user);
    await page.type('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.equal(new URL(page.url()).pathname, '/', `signed in on ${origin} (at ${page.url()})`);
  }

  async downloadMark(): Promise<DownloadMark> {
    return { kind: 'mark', value: filesIn(this.downloads) };
  }

  async nextDownload(mark: DownloadMark, timeout = 60_000): Promise<string> {
    const before = mark.value as string[];
    const deadline = Date.now() + timeout;
    for (;;) {
      const names = filesIn(this.downloads);
      const added = names.filter((n) => !before.includes(n) && !n.endsWith('.part'));
      const busy = names.some((n) => n.endsWith('.part'));
      if (added.length >= 1 && !busy && statSync(join(this.downloads, added[0])).size > 0) {
        if (added.length > 1) throw new Error(`more than one new download in ${this.downloads}: ${added.join(', ')}`);
        return join(this.downloads, added[0]);
      }
      if (Date.now() > deadline) throw new Error(`No new download in ${this.downloads} after ${timeout} ms (found: ${names.join(', ') || 'nothing'})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async storedJobs(): Promise<JobState[]> {
    const s = (await this.extensionPage('options.html')) as FirefoxSurface;
    try {
      return (await s.page.evaluate(STORED_JOBS_EXPRESSION)) as JobState[];
    } finally {
      await s.close();
    }
  }

  async openFile(file: string, opts: { evaluate: string; hover?: string }): Promise<OpenedFile> {
    const page = await this.browserHandle.newPage();
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const dialogs: string[] = [];
    await page.evaluateOnNewDocument(FILE_PROBE_PRELOAD);
    page.on('request', (r) => {
      if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss().catch(() => {});
    });
    try {
      await page.goto(url, { waitUntil: 'load' });
      if (opts.hover) for (const el of await page.$$(opts.hover)) await el.hover().catch(() => undefined);
      // Let what a hover could start (a handler, a load) happen before reading the record.
      await new Promise((r) => setTimeout(r, 150));
      const result = await page.evaluate(opts.evaluate);
      const own = (await page.evaluate(FILE_PROBE_READ)) as string[];
      return { requests: [...new Set([...requests, ...own.filter((u) => u !== url)])], dialogs, result };
    } finally {
      await page.close();
    }
  }

  async restart() {
    await this.stop();
    await this.start();
  }
}

/** Runs one flow in a fresh Firefox: the platform on the build's port, a download folder kept on failure. */
export async function runInFirefox(flow: Flow): Promise<void> {
  assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `no Firefox build in ${EXTENSION_DIR}`);
  const { TMP } = await import('../e2e/harness');
  const { startSite } = await import('../site/server');
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, `firefox-${flow.name.replace(/\W+/g, '-').slice(0, 40)}-`));
  const downloads = join(dir, 'downloads');
  mkdirSync(downloads);
  const site = await startSite({ port: FIREFOX_PORT });
  const driver = new FirefoxDriver(site, dir, downloads, flow.options ?? {});
  let ok = false;
  try {
    await driver.start();
    // A hung flow fails instead of blocking the run: twice the flow's Chromium timeout (Playwright's
    // 180 s by default), Firefox over BiDi being the slower of the two.
    const limit = 2 * (flow.timeout ?? 180_000);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      flow.run(driver),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`flow timed out after ${limit} ms`)), limit))),
    ]).finally(() => clearTimeout(timer));
    ok = true;
  } finally {
    await driver.stop();
    await site.close();
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.error(`  kept ${dir}`);
  }
}
