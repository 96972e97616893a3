/**
 * An export survives the browser being killed (SIGKILL) and the extension being reloaded mid-way:
 * it goes on by itself when the browser starts again, from the archive's journal, fetching none of
 * the files already in the archive, and the finished ZIP holds exactly what the platform serves.
 * Runs Chromium WITHOUT Playwright (bare DevTools pipe), so nothing keeps the service worker alive
 * and the browser can be killed like a crash.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clickOurButton, launchExtensionChromium, signInOverCdp, type Cdp, type PageSession } from './cdp';
import { test, expect, ORIGIN, CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, makeProfile, readZip, expectedArchive, cleanup, apiClient } from './harness';
import { caseFilesArchiveName } from '../../lib/naming';

test.setTimeout(6 * 60_000);

const FILES = 80;
const clickButton = clickOurButton;

async function startExport(page: PageSession) {
  await page.goto(`${ORIGIN}/develop/workflows/3`);
  await page.waitFor(clickButton('Export case files'));
  await page.waitFor(`document.querySelector('workflow-exporter').shadowRoot.querySelector('dialog[open]')`);
  await page.waitFor(clickButton('Download files'));
}

async function extensionOrigin(cdp: Cdp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const sw = (await cdp.targets()).find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
    if (sw) return `chrome-extension://${new URL(sw.url).host}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the extension did not start');
}

async function openPage(cdp: Cdp, url: string): Promise<PageSession> {
  const page = await cdp.newPage();
  await page.goto(url);
  return page;
}

/** The case-files archive's name for workflow `wid` (without fetching its files). */
async function archiveName(wid: string): Promise<string> {
  const api = await apiClient();
  return caseFilesArchiveName(await (await api.fetch(`/api/v1/workflows/${wid}`)).json(), null);
}

/**
 * Files already in the archive were not fetched again: every file was sent whole once, but the few in
 * flight or waiting for their turn when the export stopped (at most two windows of 6), sent twice.
 * Read before the test fetches the files itself to compare.
 */
function expectServedOnceButInFlight(site: { stats(): { completedByFile: Record<string, number> } }) {
  const served = Object.values(site.stats().completedByFile);
  expect(served).toHaveLength(FILES);
  expect(Math.max(...served)).toBeLessThanOrEqual(2);
  expect(served.filter((n) => n === 2).length).toBeLessThanOrEqual(12);
}

/** The jobs as the background keeps them (IndexedDB), read from an extension page: for failure messages. */
async function jobsAsText(cdp: Cdp, origin: string): Promise<string> {
  const page = await openPage(cdp, `${origin}/popup.html`);
  return page.evaluate(`new Promise((res) => { const r = indexedDB.open('workflow-exporter-jobs'); r.onsuccess = () => { const g = r.result.transaction('kv').objectStore('kv').get('jobs'); g.onsuccess = () => res(JSON.stringify((g.result?.value ?? []).map((j) => ({ phase: j.phase, resumes: j.resumes, progress: j.progress, result: j.result && { ...j.result, failed: j.result.failed.length }, error: j.error })))); }; r.onerror = () => res('no database'); })`);
}

/** The finished archive in the Downloads folder (no partial download left). */
async function finishedArchive(cdp: Cdp, origin: string, downloads: string, name: string, timeout = 120_000) {
  const target = join(downloads, name);
  const done = () => existsSync(target) && !readdirSync(downloads).some((f) => f.endsWith('.crdownload'));
  for (const deadline = Date.now() + timeout; !done(); await new Promise((r) => setTimeout(r, 250)))
    if (Date.now() > deadline) throw new Error(`No ${name} after ${timeout} ms; downloads: ${readdirSync(downloads)}; jobs: ${await jobsAsText(cdp, origin)}`);
  return target;
}

test('killed mid-export (SIGKILL): the export goes on after the restart and sign-in, nothing fetched twice but what was in flight', async ({ site }) => {
  // 80 files of 4 MB (320 MB), each answered after 150 ms: long enough to kill the browser half-way.
  site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 4 * 1024 * 1024, scaleDistinctContents: 0, latencyMs: 150 });
  site.resetStats();
  const profile = makeProfile('resume-kill');
  let cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
  try {
    const page = await cdp.newPage();
    await signInOverCdp(page, ORIGIN);
    await startExport(page);
    await expect.poll(() => site.stats().fileResponsesCompleted, { timeout: 60_000 }).toBeGreaterThanOrEqual(30);
    cdp.proc.kill('SIGKILL');
    await new Promise((r) => cdp.proc.once('exit', r));
    const beforeKill = site.stats().fileResponsesCompleted;
    expect(beforeKill).toBeLessThan(FILES);
    // Nothing finished in Downloads: at most the stream's partial download (Chrome), which the restart removes.
    expect(readdirSync(profile.downloads).filter((f) => !f.endsWith('.crdownload'))).toEqual([]);
    site.setConfig({ latencyMs: 0 });
    // Whether or not the browser keeps its session cookies, the platform wants a new sign-in.
    site.expireSessions();

    // The same profile again: the export resumes on its own, waits for a sign-in (the session
    // cookie did not survive the restart), then goes on.
    cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
    const origin = await extensionOrigin(cdp);
    const popup = await openPage(cdp, `${origin}/popup.html`);
    await popup.waitFor(`document.body.innerText.includes('Resumed after the browser')`, 30_000);
    await popup.waitFor(`document.body.innerText.includes('Sign in again')`, 30_000).catch(async (err) => {
      throw new Error(`${err.message}\npopup: ${await popup.evaluate('document.body.innerText')}\njobs: ${await jobsAsText(cdp, origin)}`);
    });
    const page2 = await cdp.newPage();
    await signInOverCdp(page2, ORIGIN);

    const file = await finishedArchive(cdp, origin, profile.downloads, await archiveName('3'));
    expectServedOnceButInFlight(site);
    const want = await expectedArchive('3', null, '');
    const entries = await readZip(file);
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    expect(entries).toHaveLength(FILES);
    await popup.waitFor(`document.body.innerText.includes('files were kept from before')`, 30_000);
  } finally {
    await cdp.close();
  }
  cleanup(profile.dir);
});

test('the extension reloaded mid-export: the export goes on from its journal', async ({ site }) => {
  site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 1024 * 1024, scaleDistinctContents: 0, latencyMs: 150 });
  site.resetStats();
  const profile = makeProfile('resume-reload');
  // (The DevTools Extensions domain reloads an unpacked extension as an update or a developer would.)
  const cdp = await launchExtensionChromium(CHROMIUM, [...CHROMIUM_FLAGS, '--enable-unsafe-extension-debugging'], profile.profile, EXTENSION_DIR);
  try {
    const page = await cdp.newPage();
    await signInOverCdp(page, ORIGIN);
    const origin = await extensionOrigin(cdp);
    await startExport(page);
    await expect.poll(() => site.stats().fileResponsesCompleted, { timeout: 60_000 }).toBeGreaterThanOrEqual(30);
    // Loading the same folder again replaces the running extension (same id): its service worker,
    // offscreen document and engine go; its IndexedDB and private file system stay.
    expect((await cdp.send('Extensions.loadUnpacked', { path: EXTENSION_DIR })).id).toBe(new URL(origin).host);
    expect(site.stats().fileResponsesCompleted).toBeLessThan(FILES);
    site.setConfig({ latencyMs: 0 });

    const file = await finishedArchive(cdp, origin, profile.downloads, await archiveName('3'));
    expectServedOnceButInFlight(site);
    const want = await expectedArchive('3', null, '');
    const entries = await readZip(file);
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    const popup = await openPage(cdp, `${origin}/popup.html`);
    await popup.waitFor(`document.body.innerText.includes('files were kept from before')`, 30_000);
  } finally {
    await cdp.close();
  }
  cleanup(profile.dir);
});
