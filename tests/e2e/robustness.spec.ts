/**
 * An engine that loses nothing (product-spec 4): faults of every kind give the same bytes as a clean
 * run; a file that is gone is listed in the report; a session that ends mid-export pauses the job
 * until the user signs in again.
 */
import type { Page } from '@playwright/test';
import { test, expect, ORIGIN, exporterUi, readZip, waitForDownload, expectedArchive, signIn, apiClient, listDownloads, filesIn } from './harness';
import type { Case, Page as ApiPage } from '../../lib/platform';

async function exportCaseFiles(page: Page, workflowId: string) {
  await page.goto(`${ORIGIN}/develop/workflows/${workflowId}`);
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await dialog.getByRole('button', { name: 'Download files' }).click();
  return dialog;
}

test('5% of file requests failing in every way: entries byte-identical to a fault-free run', async ({ page, sw, site }) => {
  site.setConfig({ scaleCases: 60, scaleFilesPerCase: 3, scaleFileSize: 200 * 1024, scaleDistinctContents: 0 });
  await exportCaseFiles(page, '3');
  const clean = await waitForDownload(sw);
  expect(clean.state).toBe('complete');
  const cleanEntries = new Map((await readZip(clean.filename)).map((e) => [e.path, e.sha256]));
  expect(cleanEntries.size).toBe(180);

  site.resetStats();
  site.setConfig({ fail500: 0.0125, fail429: 0.0125, fail503: 0.0125, failCut: 0.0125, retryAfterSeconds: 1 });
  const dialog = await exportCaseFiles(page, '3');
  const faulty = await waitForDownload(sw, { after: (clean as { id: number }).id, timeout: 120_000 });
  expect(faulty.state).toBe('complete');
  const faults = site.stats().faultsInjected;
  // Every kind of fault happened, and the archive is the same, entry for entry, byte for byte.
  expect(faults.fail500 + faults.fail429 + faults.fail503 + faults.failCut).toBeGreaterThan(0);
  expect(Object.values(faults).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  const faultyEntries = new Map((await readZip(faulty.filename)).map((e) => [e.path, e.sha256]));
  expect(faultyEntries).toEqual(cleanEntries);
  expect(faultyEntries.has('export-report.csv')).toBe(false);
  await expect(dialog.getByRole('status')).toContainText('180 files');
  site.setConfig({ fail500: 0, fail429: 0, fail503: 0, failCut: 0 });
  const want = await expectedArchive('3', null, '');
  expect(faultyEntries).toEqual(want.expected);
});

test('a file deleted after listing is listed in export-report.csv, never silently missing', async ({ page, sw, site }) => {
  const api = await apiClient();
  const cases = ((await (await api.fetch('/api/v1/workflows/2/cases')).json()) as ApiPage<Case>).items;
  const gone = cases[1].files[0];
  await fetch(`${ORIGIN}/__admin/files/${gone.uuid}/delete`, { method: 'POST' });
  try {
    const dialog = await exportCaseFiles(page, '2');
    const item = await waitForDownload(sw);
    expect(item.state).toBe('complete');
    const entries = await readZip(item.filename);
    const report = entries.find((e) => e.path === 'export-report.csv');
    expect(report, 'the report is in the ZIP').toBeTruthy();
    const lines = report!.bytes.toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe('"path","case","file uuid","reason","attempts"');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,"${cases[1].id}","${gone.uuid}","HTTP 404`);
    const total = cases.reduce((n, c) => n + c.files.length, 0);
    expect(entries).toHaveLength(total); // every other file, plus the report
    await expect(dialog.getByRole('status')).toContainText('1 failed');
  } finally {
    await fetch(`${ORIGIN}/__admin/files/${gone.uuid}/restore`, { method: 'POST' });
  }
});

test('the session ends mid-export: the job pauses, says so, and completes after signing in again', async ({ page, sw, site, context }) => {
  site.setConfig({ scaleCases: 30, scaleFilesPerCase: 2, scaleFileSize: 128 * 1024, latencyMs: 300 });
  site.resetStats();
  const dialog = await exportCaseFiles(page, '3');
  await expect.poll(() => site.stats().fileRequests, { timeout: 30_000 }).toBeGreaterThan(10);
  site.expireSessions();
  const notice = dialog.getByRole('alert');
  await expect(notice).toContainText('Sign in again to continue');
  await expect(notice.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', `${ORIGIN}/login`);
  // No finished download (Chrome streams the archive as it is built: its download waits, in progress).
  expect(((await sw.evaluate(() => chrome.downloads.search({}) as unknown)) as { state: string }[]).filter((d) => d.state !== 'in_progress')).toEqual([]);
  // Signing in again in another tab: the export goes on by itself.
  site.setConfig({ latencyMs: 0 });
  const other = await context.newPage();
  await signIn(other);
  await expect(notice).toBeHidden({ timeout: 15_000 });
  const item = await waitForDownload(sw, { timeout: 60_000 });
  expect(item.state).toBe('complete');
  const want = await expectedArchive('3', null, '');
  expect(new Map((await readZip(item.filename)).map((e) => [e.path, e.sha256]))).toEqual(want.expected);
  expect(site.stats().unauthenticated).toBeGreaterThan(0);
});

test('files served without X-Checksum-Sha256 go in, each listed as "not verified", and the dialog counts them', async ({ page, sw, site }) => {
  const want = await expectedArchive('2', null, '');
  site.setConfig({ omitChecksum: true });
  try {
    const dialog = await exportCaseFiles(page, '2');
    const item = await waitForDownload(sw);
    expect(item.state).toBe('complete');
    const entries = await readZip(item.filename);
    const report = entries.find((e) => e.path === 'export-report.csv');
    expect(report, 'the report is in the ZIP').toBeTruthy();
    const lines = report!.bytes.toString('utf8').trim().split('\r\n');
    expect(lines).toHaveLength(want.expected.size + 1);
    for (const line of lines.slice(1)) expect(line).toMatch(/,"not verified","1"$/);
    // Every file is in, byte for byte.
    expect(new Map(entries.filter((e) => e.path !== 'export-report.csv').map((e) => [e.path, e.sha256]))).toEqual(want.expected);
    await expect(dialog.getByRole('status')).toContainText(`${want.expected.size} not verified`);
  } finally {
    site.setConfig({ omitChecksum: false });
  }
});

test('a file that changes while its body is resumed arrives whole as its new version, never spliced', async ({ page, sw, site }) => {
  site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 256 * 1024 });
  site.resetStats();
  site.setConfig({ failCut: 0.15, changeOnCut: true });
  try {
    await exportCaseFiles(page, '3');
    const item = await waitForDownload(sw, { timeout: 60_000 });
    expect(item.state).toBe('complete');
    expect(site.stats().filesChanged).toBeGreaterThan(0);
    expect(site.stats().ifRangeMismatches).toBeGreaterThan(0);
    site.setConfig({ failCut: 0, changeOnCut: false });
    // What the platform serves now: the new versions of the files that changed.
    const want = await expectedArchive('3', null, '');
    expect(new Map((await readZip(item.filename)).map((e) => [e.path, e.sha256]))).toEqual(want.expected);
  } finally {
    // New data: the files changed here are forgotten.
    site.setConfig({ failCut: 0, changeOnCut: false, scaleCases: 21 });
  }
});

test('archives and temp files of jobs that no longer exist are removed when the engine starts', async ({ page, sw, context }) => {
  const ext = await context.newPage();
  await ext.goto(sw.url().replace('background.js', 'popup.html'));
  const list = () =>
    ext.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const names: string[] = [];
      const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
        for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
          if (h.kind === 'directory') {
            names.push(`${prefix}${name}/`);
            await walk(h as FileSystemDirectoryHandle, `${prefix}${name}/`);
          } else names.push(prefix + name);
        }
      };
      await walk(root, '');
      return names.sort();
    });
  // What a crashed job (or an older version) left behind.
  await ext.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const exports = await root.getDirectoryHandle('exports', { create: true });
    const w = await (await exports.getFileHandle('crashed-job.part', { create: true })).createWritable();
    await w.write('half an archive');
    await w.close();
    const tmp = await (await root.getDirectoryHandle('tmp', { create: true })).getDirectoryHandle('crashed-job', { create: true });
    await tmp.getFileHandle('f0', { create: true });
  });
  expect(await list()).toEqual(['exports/', 'exports/crashed-job.part', 'tmp/', 'tmp/crashed-job/', 'tmp/crashed-job/f0']);
  await exportCaseFiles(page, '2');
  const item = await waitForDownload(sw);
  expect(item.state).toBe('complete');
  await expect.poll(list, { timeout: 10_000 }).toEqual(['exports/', 'tmp/']);
});

test('a cancel while the archive is being saved to Downloads ends as cancelled, with no download left', async ({ page, sw, site, profile }) => {
  // A big archive, so its download (streamed in Chrome, as it is built) lasts long enough to cancel.
  site.setConfig({ scaleCases: 12, scaleFilesPerCase: 2, scaleFileSize: 24 * 1024 * 1024, scaleDistinctContents: 2 });
  try {
    const dialog = await exportCaseFiles(page, '3');
    // Chrome saves the archive as it is built (streamed): its download is in progress, bytes received.
    await expect
      .poll(async () => ((await listDownloads(sw)) as unknown as { state: string; bytesReceived: number }[]).some((d) => d.state === 'in_progress' && d.bytesReceived > 0), { timeout: 120_000 })
      .toBe(true);
    await dialog.getByRole('button', { name: 'Cancel export' }).click();
    await expect(dialog.getByRole('status')).toContainText('Export cancelled', { timeout: 30_000 });
    await expect.poll(() => listDownloads(sw), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => filesIn(profile.downloads).filter((f) => !f.startsWith('.')), { timeout: 10_000 }).toEqual([]);
  } finally {
    site.setConfig({ scaleCases: 20, scaleFilesPerCase: 3, scaleFileSize: 65536, scaleDistinctContents: 0 });
  }
});
