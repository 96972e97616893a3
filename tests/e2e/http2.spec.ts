/**
 * Issue 17, point 5: a platform served over HTTPS with HTTP/2, as real ones are. The reference
 * platform serves HTTPS (HTTP/2, HTTP/1.1 for clients that ask) with a certificate made at start
 * (tests/site/tls.ts), which this Chromium trusts by its key (`--ignore-certificate-errors-spki-list`,
 * that certificate only). The build serves `http://localhost:<E2E_PORT>`, so the HTTPS origin is
 * added in the options, on a copy of the build whose manifest already holds its host permission
 * (the state after the browser's prompt, as popup-options.spec.ts explains).
 *
 * The export reads the protocol the browser used (Resource Timing, lib/concurrency.ts) and fetches
 * more files at once than HTTP/1.1's 6, never more than the options' Parallel downloads (16 by
 * default); the archive is the platform's files, byte for byte.
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, allowDownloads, cleanup, exporterUi, expect, makeProfile, readZip, serviceWorkerOf, test, waitForDownload } from './harness';
import { startSite } from '../site/server';
import { chromiumTrustFlag, makeTlsMaterial } from '../site/tls';
import { sha256Of } from '../site/content';

const HTTPS_PORT = Number(process.env.E2E_HTTPS_PORT ?? 4417);

/** A copy of the build with `origin`'s host permission granted (the user said "Allow" in the options). */
function buildServing(dir: string, origin: string): string {
  const ext = join(dir, 'extension-https');
  cpSync(EXTENSION_DIR, ext, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8'));
  manifest.host_permissions.push(`${origin}/*`);
  writeFileSync(join(ext, 'manifest.json'), JSON.stringify(manifest));
  return ext;
}

test('an export over HTTPS and HTTP/2 fetches more than 6 files at once, and the archive is the platform’s files', async () => {
  const tls = makeTlsMaterial();
  // Each answer waits 40 ms, so the requests the extension has open at once show at the platform.
  const site = await startSite({ port: HTTPS_PORT, scaleCases: 60, scaleFilesPerCase: 2, scaleFileSize: 24 * 1024, latencyMs: 40 }, { tls });
  const profile = makeProfile('http2');
  let context: BrowserContext | null = null;
  try {
    expect(site.url).toBe(`https://localhost:${HTTPS_PORT}`);
    const ext = buildServing(profile.dir, site.url);
    context = await chromium.launchPersistentContext(profile.profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, chromiumTrustFlag(tls), `--disable-extensions-except=${ext}`, `--load-extension=${ext}`],
      viewport: { width: 1280, height: 800 },
    });
    const sw = await serviceWorkerOf(context);
    const options = await context.newPage();
    await options.goto(`chrome-extension://${new URL(sw.url()).host}/options.html`);
    const origins = options.getByRole('region', { name: 'Platform origins' });
    await origins.getByRole('textbox', { name: 'Platform origin' }).fill(site.url);
    await origins.getByRole('button', { name: 'Add origin' }).click();
    await expect(origins.getByRole('status')).toContainText(`Added ${site.url}`);
    await options.close();

    const page = context.pages()[0] ?? (await context.newPage());
    await allowDownloads(page);
    await page.goto(`${site.url}/login`);
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${site.url}/`);
    await page.goto(`${site.url}/develop/workflows/3`);

    site.resetStats();
    await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Export case files' });
    await dialog.getByRole('textbox', { name: 'Folder path template' }).fill('{{ FILE_UUID }}');
    await dialog.getByRole('button', { name: 'Download files' }).click();
    const item = await waitForDownload(sw, { timeout: 120_000 });
    expect(item.state).toBe('complete');
    await expect(dialog.getByRole('status')).toContainText('Saved');

    const stats = site.stats();
    console.log('HTTP/2 export: most file requests open at once', stats.maxOpenFileRequests);
    // Everything went over HTTP/2, with more than HTTP/1.1's 6 requests open at once, at most the ceiling.
    expect(Object.keys(stats.requestsByHttpVersion)).toEqual(['2.0']);
    expect(stats.maxOpenFileRequests, JSON.stringify(stats.requestsByHttpVersion)).toBeGreaterThan(6);
    expect(stats.maxOpenFileRequests).toBeLessThanOrEqual(16);
    expect(stats.fileResponsesCompleted).toBe(120);

    const w = site.data().workflow('3')!;
    const expected = new Map<string, string>();
    for (let i = 0; i < w.caseCount; i++) for (const f of w.caseAt(i).files) expected.set(f.uuid, await sha256Of(f));
    const entries = await readZip(item.filename);
    expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(expected);
  } finally {
    await context?.close();
    await site.close();
    cleanup(profile.dir);
  }
});
