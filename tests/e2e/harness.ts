/**
 * Shared e2e harness: the reference platform, Debian's Chromium with the built extension, sign-in,
 * and capturing what the extension downloads (see streaming-to-disk.md).
 */
import { test as base, chromium, expect, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readZipEntries } from '../zipReader';
import { toolOutput } from '../../scripts/tools';
import { startSite } from '../site/server';
import { CHROMIUM_FLAGS, writeDownloadPreferences } from '../../scripts/ensure-chromium';
import type { Case, Page as ApiPage, Workflow } from '../../lib/platform';
import { parsePathTemplate } from '../../lib/pathTemplate';
import { planCaseFiles } from '../../lib/caseFilesPlan';
import { PathDeduper, caseFilesArchiveName } from '../../lib/naming';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The built extension (`WE_OUT_DIR` when a build went elsewhere). */
export const EXTENSION_DIR = join(ROOT, process.env.WE_OUT_DIR ?? '.output', 'chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The reference platform's port: the build's default origin unless E2E_PORT says otherwise
 * (then build with `WE_ORIGINS=http://localhost:<port>` so the extension serves it). */
export const SITE_PORT = Number(process.env.E2E_PORT ?? 4400);
export const ORIGIN = `http://localhost:${SITE_PORT}`;
export const TMP = join(ROOT, 'tests/.tmp');

export { CHROMIUM_FLAGS };

/** A fresh profile whose downloads land in `downloads` without a prompt. */
export function makeProfile(name: string) {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, `${name}-`));
  const profile = join(dir, 'profile');
  const downloads = join(dir, 'downloads');
  writeDownloadPreferences(profile, downloads);
  return { dir, profile, downloads };
}

/** `args`: more Chromium flags, e.g. `['--lang=de']` for the browser's UI language. */
export async function launchWithExtension(profile: string, args: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`, ...args],
    viewport: { width: 1280, height: 800 },
  });
}

export async function serviceWorkerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

export async function allowDownloads(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default', eventsEnabled: true } as never);
}

export async function signIn(page: Page, user = 'demo', password = 'demo') {
  await page.goto(`${ORIGIN}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${ORIGIN}/`);
}

export interface DownloadItem {
  id: number;
  filename: string;
  state: string;
  error?: string;
  totalBytes: number;
  fileSize: number;
}

/** The newest download once it is no longer in progress. */
export async function waitForDownload(sw: Worker, opts: { after?: number; timeout?: number } = {}): Promise<DownloadItem> {
  const deadline = Date.now() + (opts.timeout ?? 60_000);
  for (;;) {
    const items = (await sw.evaluate(
      () => chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 }) as unknown,
    )) as DownloadItem[];
    const item = items[0];
    if (item && item.id > (opts.after ?? -1) && item.state !== 'in_progress') return item;
    if (Date.now() > deadline) throw new Error(`No finished download after ${opts.timeout ?? 60_000} ms: ${JSON.stringify(item)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function listDownloads(sw: Worker): Promise<DownloadItem[]> {
  return (await sw.evaluate(() => chrome.downloads.search({}) as unknown)) as DownloadItem[];
}

export interface ZipEntry {
  path: string;
  bytes: Buffer;
  sha256: string;
}

/**
 * Reads every entry of a ZIP with yauzl (a reader independent of the writer), after checking the
 * archive as a user would: `unzip` into a folder, then `sha256sum -c SHA256SUMS` there (every ZIP the
 * suite reads this way; the multi-GB ones have their own readers).
 */
export async function readZip(file: string): Promise<ZipEntry[]> {
  const entries = await readZipEntries(file, { requireChecksums: true });
  const checked = unzipAndCheckSums(file);
  // (A plain check: the Firefox tests read ZIPs with this too, outside Playwright's runner.)
  if (checked !== entries.length) throw new Error(`sha256sum -c checked ${checked} files of ${file}, the archive has ${entries.length}`);
  return entries.map((e) => ({ ...e, sha256: createHash('sha256').update(e.bytes).digest('hex') }));
}

/**
 * What a user would run on the download: `unzip` into a fresh folder, then `sha256sum -c` on the
 * archive's `SHA256SUMS` there. Returns the number of files checked.
 */
export function unzipAndCheckSums(file: string): number {
  const dir = mkdtempSync(join(TMP, 'unzipped-'));
  try {
    toolOutput('unzip', ['-q', file, '-d', dir]);
    const out = toolOutput('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: dir });
    return out.split('\n').filter((l) => l.endsWith(': OK')).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The platform's API as a plain client signed in with its own cookie (to compare with). */
export async function apiClient(origin = ORIGIN, user = 'demo', password = 'demo') {
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: user, password }),
    redirect: 'manual',
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie) throw new Error('sign-in failed');
  const f = (path: string, init: RequestInit = {}) => fetch(new URL(path, origin), { ...init, headers: { ...(init.headers ?? {}), cookie } });
  return { cookie, fetch: f as typeof fetch };
}

/** What the platform serves: every planned path with the SHA-256 of the bytes it sends. */
export async function expectedArchive(workflowId: string, orderId: string | null, template: string) {
  const api = await apiClient();
  const workflow = (await (await api.fetch(`/api/v1/workflows/${workflowId}`)).json()) as Workflow;
  const order = orderId ? workflow.orders.find((o) => o.id === orderId)! : null;
  const cases: Case[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/api/v1/workflows/${workflowId}/cases?limit=7${orderId ? `&order=${orderId}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await (await api.fetch(q)).json()) as ApiPage<Case>;
    cases.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const parsed = parsePathTemplate(template);
  if (!parsed.ok) throw new Error('bad template in test');
  const expected = new Map<string, string>();
  for (const f of planCaseFiles(parsed.template, workflow, order, cases, new PathDeduper())) {
    const res = await api.fetch(`/api/v1/files/${f.file.uuid}/content`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(sha, `platform checksum header of ${f.file.uuid}`).toBe(res.headers.get('x-checksum-sha256'));
    expected.set(f.path, sha);
  }
  return { workflow, order, cases, expected, archiveName: caseFilesArchiveName(workflow, order) };
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir);
}

export function cleanup(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Waits until every CSS transition and animation of the page and of our shadow roots has ended.
 * Switching the colour scheme starts our buttons' and chips' background transitions (0.12 s, only
 * without prefers-reduced-motion): axe sampling mid-way sees a colour between light and dark (the
 * chips' #59647f on a slower machine) that a person never sees settled.
 */
export async function transitionsDone(page: Page) {
  await page.evaluate(async () => {
    const roots: (Document | ShadowRoot)[] = [document];
    for (const el of document.querySelectorAll('workflow-exporter')) if (el.shadowRoot) roots.push(el.shadowRoot);
    // A transition starts on the next style recalculation: let one frame pass first.
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await Promise.all(roots.flatMap((r) => r.getAnimations().map((a) => a.finished.catch(() => {}))));
  });
}

/** The extension's own UI on the page: our shadow host, not the platform's buttons of the same name. */
export const exporterUi = (page: Page) => page.locator('workflow-exporter');

type Site = Awaited<ReturnType<typeof startSite>>;

export const test = base.extend<
  { profile: ReturnType<typeof makeProfile>; context: BrowserContext; page: Page; sw: Worker },
  { site: Site }
>({
  site: [
    async ({}, use) => {
      const site = await startSite({ port: SITE_PORT });
      await use(site);
      await site.close();
    },
    { scope: 'worker' },
  ],
  profile: async ({}, use, info) => {
    const p = makeProfile(info.title.replace(/\W+/g, '-').slice(0, 40));
    await use(p);
    if (info.status === info.expectedStatus) cleanup(p.dir);
  },
  context: async ({ profile }, use) => {
    const context = await launchWithExtension(profile.profile);
    await use(context);
    await context.close();
  },
  sw: async ({ context }, use) => {
    await use(await serviceWorkerOf(context));
  },
  page: async ({ context, site }, use) => {
    site.setConfig({ fail500: 0, fail429: 0, fail503: 0, failCut: 0, latencyMs: 0, sessionLifetimeSec: 0 });
    const page = context.pages()[0] ?? (await context.newPage());
    await allowDownloads(page);
    await signIn(page);
    await use(page);
  },
});

export { expect, readFileSync };
