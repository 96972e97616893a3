/**
 * The Chromium `Driver`: Playwright with Debian's Chromium and the built extension (the harness of
 * tests/e2e/). Elements are found by Playwright's getByRole (Chromium's accessibility tree) inside
 * our shadow host on platform pages; downloads are read from `chrome.downloads` in the service
 * worker. `chromiumTests(flows)` registers each flow as a Playwright test (the specs of tests/e2e/
 * that hold shared flows are one line of it).
 */
import { chromium, type BrowserContext, type Locator, type Page, type Worker } from '@playwright/test';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobState } from '../../lib/jobs';
import type { SiteHandle } from '../site/server';
import { defaultConfig } from '../site/config';
import {
  CHROMIUM,
  CHROMIUM_FLAGS,
  EXTENSION_DIR,
  ORIGIN,
  allowDownloads,
  makeProfile,
  serviceWorkerOf,
  test,
  waitForDownload,
} from '../e2e/harness';
import { pathToFileURL } from 'node:url';
import type { DownloadMark, Driver, DriverOptions, ElementState, Flow, OpenedFile, Surface, Target } from './driver';
import { ACTION_TIMEOUT, WAIT_TIMEOUT } from './driver';
import { describeTarget, expectStateOf, matches, waitForTextOf } from './wait';
import { STORED_JOBS_EXPRESSION } from './jobs';
import { FILE_PROBE_PRELOAD, FILE_PROBE_READ } from './fileProbe';


/** The part of an element's state that Playwright's API does not give directly. */
const describeElement = (el: Element) => {
  const norm = (s: string | null | undefined) => String(s ?? '').replace(/\s+/g, ' ').trim();
  const input = el as HTMLInputElement;
  const s: Record<string, unknown> = { text: norm(el.textContent) };
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) s.value = input.value;
  if (el.tagName === 'INPUT' && (input.type === 'checkbox' || input.type === 'radio')) s.checked = input.checked;
  else if (el.hasAttribute('aria-checked')) s.checked = el.getAttribute('aria-checked') === 'true';
  const root = el.getRootNode() as Document | ShadowRoot;
  const db = el.getAttribute('aria-describedby');
  s.description = db
    ? norm(
        db
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => root.getElementById(id)?.textContent ?? '')
          .join(' '),
      )
    : '';
  if (el.tagName === 'SELECT') s.options = [...(el as HTMLSelectElement).options].map((o) => norm(o.label || o.textContent));
  s.attributes = { href: el.getAttribute('href'), datetime: el.getAttribute('datetime'), download: el.getAttribute('download') };
  return s;
};

class ChromiumSurface implements Surface {
  constructor(
    readonly page: Page,
    readonly kind: 'platform' | 'extension',
    private readonly origin: string,
    private readonly extensionBase: string,
  ) {}

  /** All matches of `t` (its `nth` ignored). */
  private all(t: Target): Locator {
    const scope: Page | Locator = t.within ? this.one(t.within) : this.kind === 'platform' ? this.page.locator(t.host ?? 'workflow-exporter') : this.page;
    return scope.getByRole(t.role, t.name === undefined ? {} : { name: t.name, exact: typeof t.name === 'string' });
  }
  /** The one element `t` names: its `nth`, the first otherwise. */
  private one(t: Target): Locator {
    const all = this.all(t);
    return t.nth === undefined ? all.first() : all.nth(t.nth);
  }

  async goto(pathOrUrl: string) {
    const url = /^[a-z-]+:/.test(pathOrUrl) ? pathOrUrl : `${this.kind === 'extension' ? this.extensionBase : this.origin}${pathOrUrl}`;
    await this.page.goto(url);
  }
  async reload() {
    await this.page.reload();
  }
  close() {
    return this.page.close();
  }
  async url() {
    return this.page.url();
  }

  private async act(what: string, t: Target, fn: (l: Locator) => Promise<unknown>) {
    try {
      await fn(this.one(t));
    } catch (err) {
      throw new Error(`${what} ${describeTarget(t)} in Chromium: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  click(t: Target, opts: { timeout?: number } = {}) {
    return this.act('click', t, (l) => l.click({ timeout: opts.timeout ?? ACTION_TIMEOUT }));
  }
  fill(t: Target, value: string, opts: { timeout?: number } = {}) {
    return this.act('fill', t, (l) => l.fill(value, { timeout: opts.timeout ?? ACTION_TIMEOUT }));
  }
  setChecked(t: Target, checked = true, opts: { timeout?: number } = {}) {
    return this.act('check', t, (l) => l.setChecked(checked, { timeout: opts.timeout ?? ACTION_TIMEOUT }));
  }
  selectOption(t: Target, option: { value?: string; label?: string }, opts: { timeout?: number } = {}) {
    return this.act('select', t, (l) =>
      l.selectOption(option.value !== undefined ? { value: option.value } : { label: option.label! }, { timeout: opts.timeout ?? ACTION_TIMEOUT }),
    );
  }
  press(t: Target, key: string) {
    return this.act('press', t, (l) => l.press(key, { timeout: ACTION_TIMEOUT }));
  }
  async setInputFile(css: string, file: string) {
    const scope = this.kind === 'platform' ? this.page.locator('workflow-exporter') : this.page;
    await scope.locator(css).setInputFiles(file);
  }

  async state(t: Target): Promise<ElementState> {
    const count = t.nth === undefined ? await this.all(t).count() : (await this.one(t).count()) ? 1 : 0;
    if (!count) return { count: 0 };
    const el = this.one(t);
    try {
      const rest = await el.evaluate(describeElement, undefined, { timeout: 2_000 });
      return { count, enabled: await el.isEnabled({ timeout: 2_000 }), ...rest } as ElementState;
    } catch {
      return { count: 0 }; // gone between the count and the read
    }
  }

  waitForText(t: Target, pattern: RegExp | string, timeout = WAIT_TIMEOUT) {
    return waitForTextOf(() => this.state(t), describeTarget(t), pattern, timeout, 'Chromium');
  }

  expectState(t: Target, want: Partial<ElementState>, timeout = WAIT_TIMEOUT) {
    return expectStateOf(() => this.state(t), describeTarget(t), want, timeout, 'Chromium');
  }

  async cssSelect(selector: string, value: string) {
    await this.page.locator(selector).selectOption(value, { timeout: ACTION_TIMEOUT });
  }
  cssCount(selector: string) {
    return this.page.locator(selector).count();
  }
  async cssText(selector: string) {
    return ((await this.page.locator(selector).first().textContent({ timeout: ACTION_TIMEOUT })) ?? '').replace(/\s+/g, ' ').trim();
  }
  async cssWait(selector: string, timeout = ACTION_TIMEOUT) {
    await this.page.locator(selector).first().waitFor({ timeout });
  }
  async uiTexts(css: string) {
    const scope = this.kind === 'platform' ? this.page.locator('workflow-exporter') : this.page;
    return (await scope.locator(css).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  }
  cssAttribute(selector: string, name: string) {
    return this.page.evaluate(([sel, n]) => document.querySelector(sel)?.getAttribute(n) ?? null, [selector, name] as const);
  }
  evaluate<T = unknown>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }
  exporterCount() {
    return this.page.locator('workflow-exporter').count();
  }
  async screenshot(file: string, opts: { fullPage?: boolean; selector?: string } = {}) {
    if (opts.selector) await this.page.locator(opts.selector).first().screenshot({ path: file });
    else await this.page.screenshot({ path: file, fullPage: opts.fullPage });
  }
}

export class ChromiumDriver implements Driver {
  readonly browser = 'chromium' as const;
  readonly origin = ORIGIN;
  page!: ChromiumSurface;
  context!: BrowserContext;
  sw!: Worker;
  private extensionBase = '';

  constructor(
    readonly site: SiteHandle,
    private readonly profile: ReturnType<typeof makeProfile>,
    private readonly options: DriverOptions,
  ) {}

  get dir() {
    return this.profile.dir;
  }
  get downloads() {
    return this.profile.downloads;
  }

  /** The build, or a copy of it holding the granted origins' host permissions (see DriverOptions). */
  private extensionDir(): string {
    const granted = this.options.grantedOrigins ?? [];
    if (!granted.length) return EXTENSION_DIR;
    const dir = join(this.profile.dir, 'extension-granted');
    if (!existsSync(dir)) {
      cpSync(EXTENSION_DIR, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      manifest.host_permissions.push(...granted.map((o) => `${o}/*`));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    }
    return dir;
  }

  async start() {
    const ext = this.extensionDir();
    this.context = await chromium.launchPersistentContext(this.profile.profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...(this.options.lang ? [`--lang=${this.options.lang}`] : [])],
      viewport: { width: 1280, height: 800 },
    });
    this.sw = await serviceWorkerOf(this.context);
    this.extensionBase = `chrome-extension://${new URL(this.sw.url()).host}`;
    const first = this.context.pages()[0] ?? (await this.context.newPage());
    await allowDownloads(first);
    this.page = new ChromiumSurface(first, 'platform', this.origin, this.extensionBase);
    await this.signIn(this.page);
  }

  async stop() {
    await this.context?.close().catch(() => {});
  }

  async newPage() {
    const p = await this.context.newPage();
    await allowDownloads(p);
    return new ChromiumSurface(p, 'platform', this.origin, this.extensionBase);
  }

  private async extensionPage(path: string, size: { width: number; height: number }) {
    const p = await this.context.newPage();
    await p.setViewportSize(size);
    await p.goto(`${this.extensionBase}/${path}`);
    return new ChromiumSurface(p, 'extension', this.origin, this.extensionBase);
  }
  openPopup() {
    return this.extensionPage('popup.html', { width: 392, height: 600 });
  }
  openOptions() {
    return this.extensionPage('options.html', { width: 1000, height: 900 });
  }

  async signIn(surface: Surface, origin = this.origin, user = 'demo', password = 'demo') {
    const page = (surface as ChromiumSurface).page;
    await page.goto(`${origin}/login`);
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/`);
  }

  async downloadMark(): Promise<DownloadMark> {
    const items = (await this.sw.evaluate(() => chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 }) as unknown)) as { id: number }[];
    return { kind: 'mark', value: items[0]?.id ?? -1 };
  }

  async nextDownload(mark: DownloadMark, timeout = 60_000): Promise<string> {
    const item = await waitForDownload(this.sw, { after: mark.value as number, timeout });
    if (item.state !== 'complete') throw new Error(`download ${item.filename}: ${item.state} (${item.error ?? 'no error'})`);
    return item.filename;
  }

  async storedJobs(): Promise<JobState[]> {
    const s = await this.extensionPage('options.html', { width: 800, height: 600 });
    try {
      return (await s.page.evaluate(STORED_JOBS_EXPRESSION)) as JobState[];
    } finally {
      await s.close();
    }
  }

  async openFile(file: string, opts: { evaluate: string; hover?: string }): Promise<OpenedFile> {
    const page = await this.context.newPage();
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const dialogs: string[] = [];
    await page.addInitScript(FILE_PROBE_PRELOAD);
    page.on('request', (r) => {
      if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      await page.goto(url);
      await page.waitForLoadState('load');
      if (opts.hover) for (const el of await page.locator(opts.hover).all()) await el.hover({ timeout: 2_000 }).catch(() => undefined);
      // Let what a hover could start (a handler, a load) happen before reading the record.
      await page.waitForTimeout(150);
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

export async function runInChromium(flow: Flow, site: SiteHandle, profile: ReturnType<typeof makeProfile>) {
  site.setConfig({ fail500: 0, fail429: 0, fail503: 0, failCut: 0, latencyMs: 0, sessionLifetimeSec: 0, runningExecutionSec: defaultConfig.runningExecutionSec });
  const d = new ChromiumDriver(site, profile, flow.options ?? {});
  try {
    await d.start();
    await flow.run(d);
  } finally {
    await d.stop();
  }
}

/** Registers every flow meant for Chromium as a Playwright test of the calling spec. */
export function chromiumTests(flows: Flow[]) {
  for (const flow of flows) {
    if (flow.browsers && !flow.browsers.includes('chromium')) continue;
    test(flow.name, async ({ site, profile }) => {
      if (flow.timeout) test.setTimeout(flow.timeout);
      await runInChromium(flow, site, profile);
    });
  }
}
