/**
 * One write in Chrome (issue 17.1), when a service worker stops mid-stream. The stream's own worker
 * (scope /stream/) stopped: the export still ends with a correct ZIP in Downloads, saved from the
 * engine's journaled copy in the private file system, the broken partial download removed and
 * erased, and the result says it was saved from the copy. The background's worker stopped: the
 * stream does not live there, it goes on, and the ZIP arrives through it. Runs Chromium WITHOUT
 * Playwright (bare DevTools pipe), which would keep the service workers alive.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cdp } from './cdp';
import { clickOurButton, extensionDownloads, extensionJobs, extensionWorkers, launchExtensionChromium, openCaseFilesDialogOverCdp, stopServiceWorkers } from './cdp';
import { test, expect, ORIGIN, CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, makeProfile, readZip, expectedArchive, cleanup } from './harness';
import type { SiteHandle } from '../site/server';

const FILES = 60;

/**
 * Starts an export of 60 files of 256 KB, each answered after 1 s (ten seconds or more of
 * streaming), and waits until its download is there, in progress, while the export still fetches.
 */
async function streamingExport(site: SiteHandle, name: string) {
  site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 256 * 1024, latencyMs: 0 });
  const want = await expectedArchive('3', null, '');
  site.setConfig({ latencyMs: 1000 });
  site.resetStats();
  const profile = makeProfile(name);
  const cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
  try {
    const { extension: origin, page } = await openCaseFilesDialogOverCdp(cdp, ORIGIN);
    await page.waitFor(clickOurButton('Download files'));
    await expect.poll(() => readdirSync(profile.downloads).some((f) => f.endsWith('.crdownload')), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => site.stats().fileRequests, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    const [streaming] = await extensionJobs(cdp, origin);
    expect(streaming.stream?.state).toBe('open');
    return { want, profile, cdp, origin, page };
  } catch (err) {
    await cdp.close();
    throw err;
  }
}

/** Stops the extension's service worker `script` (of scope `scope`) and waits until it is gone. */
async function stopWorker(cdp: Cdp, origin: string, script: string, scope: string) {
  const before = (await extensionWorkers(cdp)).filter((t) => t.url === `${origin}${script}`);
  expect(before).toHaveLength(1);
  const internals = await stopServiceWorkers(cdp, scope);
  await expect.poll(async () => (await extensionWorkers(cdp)).some((t) => t.targetId === before[0].targetId), { timeout: 10_000 }).toBe(false);
  await internals.send('Page.close').catch(() => {});
}

/** Waits for the one archive in Downloads, then for the job's end and the dialog's "Saved"; checks the ZIP. */
async function savedArchive(s: Awaited<ReturnType<typeof streamingExport>>) {
  await expect
    .poll(() => readdirSync(s.profile.downloads), { timeout: 90_000 })
    .toEqual([s.want.archiveName])
    .catch(async (err: Error) => {
      throw new Error(`${err.message}\njobs: ${JSON.stringify(await extensionJobs(s.cdp, s.origin), (k, v) => (k === 'failed' || k === 'request' ? undefined : v))}`);
    });
  await s.page.waitFor(`document.querySelector('workflow-exporter').shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved')`, 60_000);
  const entries = await readZip(join(s.profile.downloads, s.want.archiveName));
  expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(s.want.expected);
  expect(entries).toHaveLength(FILES);
  await expect.poll(async () => (await extensionJobs(s.cdp, s.origin))[0].phase, { timeout: 30_000 }).toBe('done');
  const [job] = await extensionJobs(s.cdp, s.origin);
  return job;
}

test('the stream\'s service worker stopped mid-stream: the ZIP is saved from the journaled copy, no partial file left', async ({ site }) => {
  const s = await streamingExport(site, 'stream-fallback');
  try {
    await stopWorker(s.cdp, s.origin, '/stream-sw.js', '/stream/');
    // Stopped mid-stream: the export still had files to fetch.
    expect(site.stats().fileRequests).toBeLessThan(FILES);
    site.setConfig({ latencyMs: 0 });

    // The copy becomes the download; the broken one leaves nothing (no .crdownload, no second file).
    const job = await savedArchive(s);
    expect(job.stream?.state).toBe('broken');
    expect(job.result.warnings.join('\n')).toContain('it was saved from its copy');
    // The browser's downloads list holds the saved copy only (the broken stream was erased).
    const items = await extensionDownloads(s.cdp, s.origin);
    expect(items.map((i) => i.state)).toEqual(['complete']);
    expect(items[0].url).toMatch(/^blob:chrome-extension:/);
  } finally {
    await s.cdp.close();
  }
  cleanup(s.profile.dir);
});

test('the background\'s service worker stopped mid-stream: the stream goes on in its own worker, the ZIP arrives through it', async ({ site }) => {
  const s = await streamingExport(site, 'stream-background-stopped');
  try {
    await stopWorker(s.cdp, s.origin, '/background.js', '/');
    expect(site.stats().fileRequests).toBeLessThan(FILES);
    site.setConfig({ latencyMs: 0 });

    const job = await savedArchive(s);
    expect(job.stream?.state).toBe('open');
    expect((job.result.warnings ?? []).join('\n')).not.toContain('saved from its copy');
    expect(await extensionDownloads(s.cdp, s.origin)).toEqual([expect.objectContaining({ state: 'complete', url: `${s.origin}/stream/${job.id}` })]);
  } finally {
    await s.cdp.close();
  }
  cleanup(s.profile.dir);
});
