/**
 * An export survives the MV3 service worker being stopped mid-way. Runs Chromium WITHOUT Playwright:
 * Playwright attaches DevTools to the service worker and so keeps it alive (streaming-to-disk.md).
 * A bare CDP pipe attaches to pages only; the worker is stopped the way a user (or Chrome's idle
 * rules) would see it, from chrome://serviceworker-internals.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clickOurButton, launchExtensionChromium, signInOverCdp, type Cdp, type PageSession } from './cdp';
import { test, expect, ORIGIN, CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, makeProfile, readZip, expectedArchive, cleanup } from './harness';

const click = clickOurButton;

async function extensionWorkers(cdp: Cdp) {
  return (await cdp.targets()).filter((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
}

async function stopServiceWorkers(cdp: Cdp): Promise<PageSession> {
  const internals = await cdp.newPage('chrome://serviceworker-internals/');
  await internals.waitFor(`document.querySelector('cr-button[data-command="stop"]')`);
  await internals.evaluate(`document.querySelectorAll('cr-button[data-command="stop"]').forEach((b) => b.click())`);
  return internals;
}

test('an export survives the service worker being stopped mid-way (no Playwright attached)', async ({ site }) => {
  // 60 files, each answered after 1 s: ten seconds or more of export.
  site.setConfig({ scaleCases: 30, scaleFilesPerCase: 2, scaleFileSize: 256 * 1024, latencyMs: 1000 });
  site.resetStats();
  const profile = makeProfile('sw-lifetime');
  const cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, EXTENSION_DIR);
  try {
    const page = await cdp.newPage();
    await signInOverCdp(page, ORIGIN);
    await page.goto(`${ORIGIN}/develop/workflows/3`);
    await page.waitFor(click('Export case files'));
    await page.waitFor(`document.querySelector('workflow-exporter').shadowRoot.querySelector('dialog[open]')`);
    await page.waitFor(click('Download files'));

    await expect.poll(() => site.stats().fileRequests, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    const before = await extensionWorkers(cdp);
    expect(before).toHaveLength(1);
    const internals = await stopServiceWorkers(cdp);
    // The worker that ran is gone (the engine's next message may already have started a new one).
    await expect
      .poll(async () => (await extensionWorkers(cdp)).some((t) => t.targetId === before[0].targetId), { timeout: 10_000 })
      .toBe(false);
    // Stopped while the export still had files to fetch.
    expect(site.stats().fileRequests).toBeLessThan(60);
    await internals.send('Page.close').catch(() => {});
    site.setConfig({ latencyMs: 0 });

    // The engine's next message wakes the worker, which saves the archive.
    const want = await expectedArchive('3', null, '');
    const target = join(profile.downloads, want.archiveName);
    await expect
      .poll(() => existsSync(target) && !readdirSync(profile.downloads).some((f) => f.endsWith('.crdownload')), {
        timeout: 90_000,
      })
      .toBe(true);
    const entries = await readZip(target);
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    expect(entries).toHaveLength(60);
    // The dialog in the page saw the end too.
    await page.waitFor(
      `document.querySelector('workflow-exporter').shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved')`,
    );
  } finally {
    await cdp.close();
  }
  cleanup(profile.dir);
});
