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
import { clickOurButton, extensionJobs, extensionWorkers, launchExtensionChromium, openCaseFilesDialogOverCdp, stopServiceWorkers } from './cdp';
import { test, expect, ORIGIN, CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, makeProfile, readZip, expectedArchive, cleanup } from './harness';

const click = clickOurButton;
const FILES = 60;

test('the stream\'s service worker stopped mid-stream: the ZIP is saved from the journaled copy, no partial file left', async ({ site }) => {
  // 60 files of 256 KB, each answered after 1 s: ten seconds or more of streaming.
  site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 256 * 1024, latencyMs: 1000 });
  site.resetStats();
  const profile = makeProfile('stream-fallback');
  const cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
  try {
    const { extension: origin, page } = await openCaseFilesDialogOverCdp(cdp, ORIGIN);
    await page.waitFor(click('Download files'));

    // The download is there, in progress, while the export still fetches: the stream.
    await expect.poll(() => readdirSync(profile.downloads).some((f) => f.endsWith('.crdownload')), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => site.stats().fileRequests, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    const [streaming] = await extensionJobs(cdp, origin);
    expect(streaming.stream?.state).toBe('open');

    const before = (await extensionWorkers(cdp)).filter((t) => t.url === `${origin}/stream-sw.js`);
    expect(before).toHaveLength(1);
    const internals = await stopServiceWorkers(cdp, '/stream/');
    await expect
      .poll(async () => (await extensionWorkers(cdp)).some((t) => t.targetId === before[0].targetId), { timeout: 10_000 })
      .toBe(false);
    // Stopped mid-stream: the export still had files to fetch.
    expect(site.stats().fileRequests).toBeLessThan(FILES);
    await internals.send('Page.close').catch(() => {});
    site.setConfig({ latencyMs: 0 });

    // The copy becomes the download; the broken one leaves nothing (no .crdownload, no second file).
    const want = await expectedArchive('3', null, '');
    await expect
      .poll(() => readdirSync(profile.downloads), { timeout: 90_000 })
      .toEqual([want.archiveName])
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\njobs: ${JSON.stringify(await extensionJobs(cdp, origin), (k, v) => (k === 'failed' || k === 'request' ? undefined : v))}`);
      });
    await page.waitFor(
      `document.querySelector('workflow-exporter').shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved')`,
      60_000,
    );
    const entries = await readZip(join(profile.downloads, want.archiveName));
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    expect(entries).toHaveLength(FILES);
    const [job] = await extensionJobs(cdp, origin);
    expect(job.phase).toBe('done');
    expect(job.stream?.state).toBe('broken');
    expect(job.result.warnings.join('\n')).toContain('it was saved from its copy');
    // The browser's downloads list holds the saved copy only (the broken stream was erased).
    const ext = await cdp.newPage();
    await ext.goto(`${origin}/popup.html`);
    const items = await ext.evaluate<{ state: string; url: string }[]>(`chrome.downloads.search({})`);
    expect(items.map((i) => i.state)).toEqual(['complete']);
    expect(items[0].url).toMatch(/^blob:chrome-extension:/);
    await ext.send('Page.close').catch(() => {});
  } finally {
    await cdp.close();
  }
  cleanup(profile.dir);
});

test('the background\'s service worker stopped mid-stream: the stream goes on in its own worker, the ZIP arrives through it', async ({ site }) => {
  site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 256 * 1024, latencyMs: 0 });
  const want = await expectedArchive('3', null, '');
  site.setConfig({ latencyMs: 1000 });
  site.resetStats();
  const profile = makeProfile('stream-background-stopped');
  const cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
  try {
    const { extension: origin, page } = await openCaseFilesDialogOverCdp(cdp, ORIGIN);
    await page.waitFor(click('Download files'));
    await expect.poll(() => readdirSync(profile.downloads).some((f) => f.endsWith('.crdownload')), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => site.stats().fileRequests, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);

    const background = (await extensionWorkers(cdp)).filter((t) => t.url === `${origin}/background.js`);
    expect(background).toHaveLength(1);
    const internals = await stopServiceWorkers(cdp, '/');
    await expect
      .poll(async () => (await extensionWorkers(cdp)).some((t) => t.targetId === background[0].targetId), { timeout: 10_000 })
      .toBe(false);
    expect(site.stats().fileRequests).toBeLessThan(FILES);
    await internals.send('Page.close').catch(() => {});
    site.setConfig({ latencyMs: 0 });

    await expect
      .poll(() => readdirSync(profile.downloads), { timeout: 90_000 })
      .toEqual([want.archiveName])
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\njobs: ${JSON.stringify(await extensionJobs(cdp, origin), (k, v) => (k === 'failed' || k === 'request' ? undefined : v))}`);
      });
    await expect.poll(async () => (await extensionJobs(cdp, origin))[0].phase, { timeout: 60_000 }).toBe('done');
    const entries = await readZip(join(profile.downloads, want.archiveName));
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    const [job] = await extensionJobs(cdp, origin);
    expect(job.stream?.state).toBe('open');
    expect((job.result.warnings ?? []).join('\n')).not.toContain('saved from its copy');
    const ext = await cdp.newPage();
    await ext.goto(`${origin}/popup.html`);
    const items = await ext.evaluate<{ state: string; url: string }[]>(`chrome.downloads.search({})`);
    expect(items).toEqual([expect.objectContaining({ state: 'complete', url: `${origin}/stream/${job.id}` })]);
    await ext.send('Page.close').catch(() => {});
    await page.waitFor(`document.querySelector('workflow-exporter').shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved')`, 60_000);
  } finally {
    await cdp.close();
  }
  cleanup(profile.dir);
});
