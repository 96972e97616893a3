/**
 * Firefox's own paths, tested for what they are (issue 18, point 2), in one export that outlasts the
 * event page's idle timeout: more than 5 minutes, the extension left alone (the test sends it no
 * message, and the platform tab leaves the workflow page right after the click, so no content script
 * talks to it either). The reference platform answers every API request `latencyMs` late, so the
 * export is long with little data (a few MB).
 *
 * What it shows, from outside the extension (WebDriver BiDi with system access, reading Firefox's own
 * bookkeeping; nothing in it wakes or messages the extension):
 * - the engine is hosted by the background page: the build has no offscreen document, its background
 *   is a page, that page is the extension's only view while the export runs, and it stays "running"
 *   (never suspended) from the click to the download, sampled every few seconds;
 * - the private file system there: the export's files are in the extension's OPFS, in the profile's
 *   `storage/default/moz-extension+++<uuid>/fs/`, while it runs (Firefox puts a file there lazily, the
 *   archive often only once flushed at the end), and nothing is left there after the download;
 * - the download is of a blob URL made there (`blob:moz-extension://<uuid>/…` in Firefox's download
 *   list), it succeeded, and the file on disk is the archive: read with the same readers as every
 *   other ZIP (yauzl, `unzip` + `sha256sum -c SHA256SUMS`) and compared, path and SHA-256, with what
 *   the platform serves.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { EXTENSION_DIR, EXTENSION_ID, EXTENSION_UUID, FIREFOX_PORT, ORIGIN, launchFirefox } from './browser';
import { clickInExporter, opfsFiles, signIn } from './session';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { TMP, expectedArchive, readZip } = await import('../e2e/harness');
const { startSite } = await import('../site/server');

interface BidiConnection {
  send(method: string, params: unknown): Promise<{ result?: unknown } & Record<string, unknown>>;
}

/** Runs `expression` (an async function's body) in Firefox's chrome window and returns its JSON. */
async function inChrome<T>(browser: Browser, expression: string): Promise<T> {
  const conn = (browser as unknown as { connection: BidiConnection }).connection;
  assert.ok(conn && typeof conn.send === 'function', 'the BiDi connection of puppeteer-core');
  const tree = (await conn.send('browsingContext.getTree', { 'moz:scope': 'chrome' })) as { result?: { contexts: { context: string }[] }; contexts?: { context: string }[] };
  const context = (tree.result ?? tree).contexts?.[0]?.context;
  assert.ok(context, 'a chrome window (needs --remote-allow-system-access)');
  const answer = (await conn.send('script.evaluate', {
    expression: `(async () => JSON.stringify(await (async () => { ${expression} })()))()`,
    target: { context },
    awaitPromise: true,
  })) as { result?: { type: string; result?: { value?: string }; exceptionDetails?: unknown } };
  const r = answer.result ?? (answer as never);
  if (r.type !== 'success') throw new Error(`chrome-scope evaluation failed: ${JSON.stringify(r).slice(0, 500)}`);
  return JSON.parse(r.result?.value ?? 'null') as T;
}

interface AddonState {
  /** Firefox's state of the event page: running, suspending, stopped… */
  backgroundState: string;
  /** The extension's views (pages), by type and address. */
  views: { viewType: string; url: string }[];
}

export const addonState = (browser: Browser) =>
  inChrome<AddonState>(
    browser,
    `const ext = WebExtensionPolicy.getByID(${JSON.stringify(EXTENSION_ID)})?.extension;
     if (!ext) return { backgroundState: 'not installed', views: [] };
     return {
       backgroundState: String(ext.backgroundState),
       views: [...ext.views].map((v) => ({ viewType: String(v.viewType), url: String(v.uri?.spec ?? '') })),
     };`,
  );

interface DownloadRecord {
  source: string;
  target: string;
  succeeded: boolean;
  stopped: boolean;
  error: string | null;
  totalBytes: number;
}

/** Firefox's own list of downloads (what about:downloads shows). */
const firefoxDownloads = (browser: Browser) =>
  inChrome<DownloadRecord[]>(
    browser,
    `const { Downloads } = ChromeUtils.importESModule('resource://gre/modules/Downloads.sys.mjs');
     const list = await Downloads.getList(Downloads.ALL);
     return (await list.getAll()).map((d) => ({
       source: d.source.url, target: d.target.path, succeeded: d.succeeded, stopped: d.stopped,
       error: d.error ? String(d.error.message ?? d.error) : null, totalBytes: d.totalBytes,
     }));`,
  );

export interface IdleExportOptions {
  /** Cases of the scale workflow (2 files each). */
  cases: number;
  fileSize: number;
  /** Added to every API answer. */
  latencyMs: number;
  /** The export must take at least this long (ms). */
  atLeastMs: number;
  /** Extra Firefox prefs (a shorter idle timeout when trying the test out). */
  prefs?: Record<string, unknown>;
}

/** The whole test, with its sizes as parameters (the exported test uses the long ones). */
export async function idleExport(o: IdleExportOptions) {
  const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
    background?: { scripts?: string[]; page?: string; service_worker?: string };
    permissions?: string[];
  };
  // The Firefox build: an event page (background scripts), no service worker, no offscreen document.
  assert.ok(manifest.background?.scripts?.length || manifest.background?.page, `a background page: ${JSON.stringify(manifest.background)}`);
  assert.equal(manifest.background?.service_worker, undefined);
  assert.ok(!manifest.permissions?.includes('offscreen'), 'no offscreen document in the Firefox build');

  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, 'firefox-idle-'));
  const downloads = join(dir, 'downloads');
  mkdirSync(downloads);
  const site = await startSite({ port: FIREFOX_PORT });
  let browser: Browser | null = null;
  let ok = false;
  try {
    site.setConfig({ scaleCases: o.cases, scaleFilesPerCase: 2, scaleFileSize: o.fileSize, scaleDistinctContents: 0, latencyMs: 0 });
    const want = await expectedArchive('3', null, '');
    assert.equal(want.expected.size, o.cases * 2);

    // (launchFirefox passes --remote-allow-system-access: BiDi may then evaluate in the browser's own window.)
    browser = await launchFirefox(downloads, { prefs: o.prefs });
    assert.equal(await browser.installExtension(EXTENSION_DIR), EXTENSION_ID);
    const page: Page = (await browser.pages())[0] ?? (await browser.newPage());
    await signIn(page);
    const start = await addonState(browser);
    assert.deepEqual(
      start.views.map((v) => v.viewType),
      ['background'],
      `the background page is the extension's only view: ${JSON.stringify(start.views)}`,
    );
    const backgroundUrl = start.views[0].url;
    assert.ok(backgroundUrl.startsWith(`moz-extension://${EXTENSION_UUID}/`), backgroundUrl);

    await page.goto(`${ORIGIN}/develop/workflows/3`);
    await clickInExporter(page, 'Export case files');
    site.setConfig({ latencyMs: o.latencyMs });
    site.resetStats();
    const started = Date.now();
    await clickInExporter(page, 'Download files');
    // Once the engine has asked the platform for something, the export is under way.
    for (const until = Date.now() + 60_000; site.stats().apiRequests === 0; ) {
      assert.ok(Date.now() < until, 'the export started');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The user goes elsewhere: no dialog, no content script of ours, nothing to talk to the extension.
    await page.goto('about:blank');

    // Left alone. Only outside looks: Firefox's state of the add-on, the profile's OPFS folder, the
    // download folder, the platform's request counts.
    const states = new Map<string, number>();
    const foreignViews = new Set<string>();
    let opfsPeak: string[] = [];
    let opfsBytesPeak = 0;
    const opfsSeen = new Set<string>();
    let file: string | null = null;
    for (;;) {
      const s = await addonState(browser);
      states.set(s.backgroundState, (states.get(s.backgroundState) ?? 0) + 1);
      for (const v of s.views) if (v.viewType !== 'background' || v.url !== backgroundUrl) foreignViews.add(`${v.viewType} ${v.url}`);
      const inOpfs = opfsFiles(browser);
      for (const f of inOpfs) opfsSeen.add(f.replace(/ \(\d+ bytes\)$/, ''));
      const bytes = inOpfs.reduce((n, f) => n + Number(/\((\d+) bytes\)$/.exec(f)?.[1] ?? 0), 0);
      if (bytes > opfsBytesPeak) [opfsPeak, opfsBytesPeak] = [inOpfs, bytes];
      const names = readdirSync(downloads);
      if (names.length === 1 && !names[0].endsWith('.part') && statSync(join(downloads, names[0])).size > 0) {
        file = join(downloads, names[0]);
        break;
      }
      assert.ok(Date.now() - started < o.atLeastMs + 10 * 60_000, `no download after ${Math.round((Date.now() - started) / 1000)} s (${names.join(', ')})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const took = Date.now() - started;
    site.setConfig({ latencyMs: 0 });

    assert.ok(took >= o.atLeastMs, `the export outlasted ${o.atLeastMs / 1000} s (took ${Math.round(took / 1000)} s)`);
    assert.deepEqual([...states.keys()], ['running'], `the event page was never suspended: ${JSON.stringify([...states])}`);
    assert.deepEqual([...foreignViews], [], 'no other extension page (no offscreen document, no tab of ours) hosted anything');
    // (Firefox writes an OPFS file into the profile lazily, the archive often only once it is flushed at
    // the end: the export's files, its first ones included, were seen there while it ran.)
    assert.ok(opfsSeen.size > 0, 'the export had files in the background page\'s OPFS while it ran');
    assert.equal(site.stats().fileRequests, o.cases * 2, 'every file asked for once (no restart of the export)');

    // The download: a blob URL of our background page's origin, succeeded, and it is this file.
    let records: DownloadRecord[] = [];
    for (let i = 0; i < 50 && !(records = await firefoxDownloads(browser)).some((d) => d.succeeded); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(records.length, 1, `one download: ${JSON.stringify(records)}`);
    const [d] = records;
    assert.match(d.source, new RegExp(`^blob:moz-extension://${EXTENSION_UUID}/[0-9a-f-]{36}$`), `a blob URL made by the extension: ${d.source}`);
    assert.ok(d.succeeded && !d.error, `the download succeeded: ${JSON.stringify(d)}`);
    assert.equal(d.target, file);
    assert.equal(d.totalBytes, statSync(file).size);

    const entries = await readZip(file);
    assert.deepEqual(new Map(entries.map((e) => [e.path, e.sha256])), want.expected);
    assert.ok(file.endsWith(`/${want.archiveName}`), file);
    // Nothing left in the private file system once the download is done.
    const deadline = Date.now() + 15_000;
    while (opfsFiles(browser).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(opfsFiles(browser), [], 'nothing left in OPFS');
    console.log(
      `  ${entries.length} files, ${Math.round(took / 1000)} s with the extension left alone; the event page ran throughout ` +
        `(${states.get('running')} looks), ${opfsSeen.size} files in its OPFS (${opfsBytesPeak} bytes at most seen), saved from ${d.source}`,
    );
    ok = true;
  } finally {
    await browser?.close().catch(() => {});
    await site.close();
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.error(`  kept ${dir}`);
  }
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: an export of more than 5 minutes with the extension left alone: engine in the background page (never suspended), archive in its OPFS, saved from its blob URL, ZIP checked',
    // 18 cases × 2 files of 32 KB, each API answer 40 s late (longer than Firefox's 30 s idle timeout,
    // so no answer of the platform keeps the page awake): the workflow, its cases, then 6 rounds of 6
    // files, about 6 minutes.
    fn: () => idleExport({ cases: 18, fileSize: 32 * 1024, latencyMs: 40_000, atLeastMs: 5 * 60_000 + 1000 }),
  },
];
