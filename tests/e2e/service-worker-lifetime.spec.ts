/**
 * One write in Chrome (issue 17.1) over the MV3 service worker's lifetime: an export that streams
 * to Downloads for more than 6 minutes (past the 5 minutes Chrome gives one event, and the 30 s
 * idle timer many times over) reaches the Downloads folder as it is built — in progress within
 * seconds of the click — and whole, through the stream, not from the copy. Runs Chromium WITHOUT
 * Playwright: Playwright attaches DevTools to the service worker and so keeps it alive
 * (streaming-to-disk.md). A bare CDP pipe attaches to pages only. (The service worker stopped
 * mid-stream: stream-fallback.spec.ts.)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clickOurButton, extensionDownloads, extensionJobs, extensionWorkers, launchExtensionChromium, openCaseFilesDialogOverCdp } from './cdp';
import { test, expect, ORIGIN, CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, makeProfile, readZip, expectedArchive, cleanup } from './harness';

const click = clickOurButton;
/** 360 files, each answered after 6.5 s, at most 6 at a time (HTTP/1.1): 60 rounds, 390 s at the least. */
const FILES = 360;
const LATENCY_MS = 6500;
const SIX_MINUTES = 6 * 60_000;

test.setTimeout(14 * 60_000);

test('an export streams to Downloads for more than 6 minutes without DevTools on the service worker', async ({ site }) => {
  site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 64 * 1024, latencyMs: 0 });
  const want = await expectedArchive('3', null, '');
  site.setConfig({ latencyMs: LATENCY_MS });
  site.resetStats();
  const profile = makeProfile('sw-lifetime');
  const cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
  try {
    const { extension: origin, page } = await openCaseFilesDialogOverCdp(cdp, ORIGIN);
    const clicked = Date.now();
    await page.waitFor(click('Download files'));

    // The download is in progress within seconds of the click: streamed, not a copy at the end.
    await expect.poll(() => readdirSync(profile.downloads).some((f) => f.endsWith('.crdownload')), { timeout: 20_000, intervals: [100] }).toBe(true);
    expect(site.stats().fileResponsesCompleted).toBeLessThan(FILES / 10);
    const [early] = await extensionJobs(cdp, origin);
    expect(early.stream?.state).toBe('open');
    // The background and the stream's own worker (scope /stream/), which serves the download.
    expect((await extensionWorkers(cdp)).map((t) => new URL(t.url).pathname).sort()).toEqual(['/background.js', '/stream-sw.js']);

    await expect
      .poll(() => readdirSync(profile.downloads), { timeout: 12 * 60_000, intervals: [1000] })
      .toEqual([want.archiveName])
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\njobs: ${JSON.stringify(await extensionJobs(cdp, origin), (k, v) => (k === 'failed' || k === 'request' ? undefined : v))}`);
      });
    const elapsed = Date.now() - clicked;
    // It did stream for longer than the service worker's limits (the platform's latency alone makes it so).
    expect(elapsed).toBeGreaterThan(SIX_MINUTES);
    site.setConfig({ latencyMs: 0 });

    const entries = await readZip(join(profile.downloads, want.archiveName));
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    expect(entries).toHaveLength(FILES);
    // Through the stream, whole: the copy was not needed, nothing says it was used.
    await expect.poll(async () => (await extensionJobs(cdp, origin))[0].phase, { timeout: 30_000 }).toBe('done');
    const [job] = await extensionJobs(cdp, origin);
    expect(job.stream?.state).toBe('open');
    expect((job.result.warnings ?? []).join('\n')).not.toContain('saved from its copy');
    expect(await extensionDownloads(cdp, origin)).toEqual([expect.objectContaining({ state: 'complete', url: `${origin}/stream/${job.id}` })]);
    // The dialog in the page saw the end too.
    await page.waitFor(
      `document.querySelector('workflow-exporter').shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved')`,
    );
  } finally {
    await cdp.close();
  }
  cleanup(profile.dir);
});
