/**
 * An engine that loses nothing (product-spec 4), in both browsers: faults of every kind give the same
 * bytes as a clean run; a file that is gone is listed in the report; a session that ends mid-export
 * pauses the job until the user signs in again; files without a checksum go in as "not verified"; a
 * file that changes while resumed arrives whole; leftovers of crashed jobs are swept; a cancel while
 * saving leaves nothing. Every ZIP read with yauzl after `unzip` + `sha256sum -c` (readZip).
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { apiClient, expectedArchive, readZip } from '../e2e/harness';
import type { Case, Page as ApiPage } from '../../lib/platform';
import { by, type Driver, type Flow } from './driver';
import { eventually } from './wait';
import { OPFS_PLANT_LEFTOVERS_EXPRESSION, opfsEntries } from './privateFiles';

const dialog = by('dialog', 'Export case files');
const status = by('status', undefined, dialog);
const alert = by('alert', undefined, dialog);

async function exportCaseFiles(d: Driver, workflowId: string) {
  await d.page.goto(`/develop/workflows/${workflowId}`);
  await d.page.click(by('button', 'Export case files'));
  await d.page.click(by('button', 'Download files', dialog));
}

const sums = (entries: { path: string; sha256: string }[]) => new Map(entries.map((e) => [e.path, e.sha256]));
/** The download folder's finished files: without hidden ones and downloads in progress (Firefox's `.part`, Chromium's `.crdownload`). */
const downloaded = (d: Driver) => readdirSync(d.downloads).filter((f) => !f.startsWith('.') && !f.endsWith('.part') && !f.endsWith('.crdownload'));
/** Chromium's download of the archive, streamed as it is built, is in progress with bytes in it. */
const streaming = (d: Driver) => readdirSync(d.downloads).some((f) => f.endsWith('.crdownload') && statSync(join(d.downloads, f)).size > 0);
const reportRows = (bytes: Buffer) => parse(bytes, { bom: true }) as string[][];

export const flows: Flow[] = [
  {
    name: 'robustness: 5% of file requests failing in every way: entries byte-identical to a fault-free run',
    timeout: 240_000,
    async run(d) {
      d.site.setConfig({ scaleCases: 60, scaleFilesPerCase: 3, scaleFileSize: 200 * 1024, scaleDistinctContents: 0 });
      let mark = await d.downloadMark();
      await exportCaseFiles(d, '3');
      const clean = sums(await readZip(await d.nextDownload(mark, 120_000)));
      assert.equal(clean.size, 180);

      d.site.resetStats();
      d.site.setConfig({ fail500: 0.0125, fail429: 0.0125, fail503: 0.0125, failCut: 0.0125, retryAfterSeconds: 1 });
      mark = await d.downloadMark();
      await exportCaseFiles(d, '3');
      const faulty = sums(await readZip(await d.nextDownload(mark, 150_000)));
      const faults = d.site.stats().faultsInjected;
      // Every kind of fault happened, and the archive is the same, entry for entry, byte for byte.
      assert.ok(faults.fail500 + faults.fail429 + faults.fail503 + faults.failCut > 0, JSON.stringify(faults));
      assert.ok(Object.values(faults).filter((n) => n > 0).length >= 3, `at least 3 kinds of fault: ${JSON.stringify(faults)}`);
      assert.deepEqual(faulty, clean);
      assert.ok(!faulty.has('export-report.csv'), 'no report: nothing was left out');
      await d.page.waitForText(status, '180 files');
      d.site.setConfig({ fail500: 0, fail429: 0, fail503: 0, failCut: 0 });
      assert.deepEqual(faulty, (await expectedArchive('3', null, '')).expected);
    },
  },
  {
    name: 'robustness: a file deleted after listing is listed in export-report.csv, never silently missing',
    async run(d) {
      const api = await apiClient(d.origin);
      const cases = ((await (await api.fetch('/api/v1/workflows/2/cases')).json()) as ApiPage<Case>).items;
      const gone = cases[1].files[0];
      await fetch(`${d.origin}/__admin/files/${gone.uuid}/delete`, { method: 'POST' });
      try {
        const mark = await d.downloadMark();
        await exportCaseFiles(d, '2');
        const entries = await readZip(await d.nextDownload(mark));
        const report = entries.find((e) => e.path === 'export-report.csv');
        assert.ok(report, 'the report is in the ZIP');
        const lines = report.bytes.toString('utf8').trim().split('\r\n');
        assert.equal(lines[0], '"path","case","file uuid","reason","attempts"');
        assert.equal(lines.length, 2, lines.join('\n'));
        assert.ok(lines[1].includes(`,"${cases[1].id}","${gone.uuid}","HTTP 404`), lines[1]);
        const total = cases.reduce((n, c) => n + c.files.length, 0);
        assert.equal(entries.length, total, 'every other file, plus the report');
        await d.page.waitForText(status, '1 failed');
      } finally {
        await fetch(`${d.origin}/__admin/files/${gone.uuid}/restore`, { method: 'POST' });
      }
    },
  },
  {
    name: 'robustness: the session ends mid-export: the job pauses, says so, and completes after signing in again',
    async run(d) {
      d.site.setConfig({ scaleCases: 30, scaleFilesPerCase: 2, scaleFileSize: 128 * 1024, latencyMs: 300 });
      d.site.resetStats();
      const mark = await d.downloadMark();
      await exportCaseFiles(d, '3');
      await eventually(async () => assert.ok(d.site.stats().fileRequests > 10), 30_000);
      d.site.expireSessions();
      await d.page.waitForText(alert, 'Sign in again to continue');
      const link = await d.page.state(by('link', 'Sign in', alert));
      assert.equal(link.attributes?.href, `${d.origin}/login`);
      assert.deepEqual(downloaded(d), [], 'nothing saved while paused');
      // Signing in again in another tab: the export goes on by itself.
      d.site.setConfig({ latencyMs: 0 });
      await d.signIn(await d.newPage());
      await d.page.expectState(alert, { count: 0 });
      const entries = await readZip(await d.nextDownload(mark));
      assert.deepEqual(sums(entries), (await expectedArchive('3', null, '')).expected);
      assert.ok(d.site.stats().unauthenticated > 0, 'the platform did answer 401');
    },
  },
  {
    name: 'robustness: files served without X-Checksum-Sha256 go in, each listed as "not verified", and the dialog counts them',
    async run(d) {
      const want = await expectedArchive('2', null, '');
      d.site.setConfig({ omitChecksum: true });
      try {
        const mark = await d.downloadMark();
        await exportCaseFiles(d, '2');
        const entries = await readZip(await d.nextDownload(mark));
        const report = entries.find((e) => e.path === 'export-report.csv');
        assert.ok(report, 'the report is in the ZIP');
        const rows = reportRows(report.bytes);
        assert.deepEqual(rows[0], ['path', 'case', 'file uuid', 'reason', 'attempts']);
        // One line per file, each "not verified", and every file in, byte for byte.
        assert.deepEqual(rows.slice(1).map((r) => r[0]).sort(), [...want.expected.keys()].sort());
        for (const r of rows.slice(1)) assert.deepEqual([r[3], r[4]], ['not verified', '1'], r.join(','));
        assert.deepEqual(sums(entries.filter((e) => e.path !== 'export-report.csv')), want.expected);
        await d.page.waitForText(status, `${want.expected.size} not verified`);
      } finally {
        d.site.setConfig({ omitChecksum: false });
      }
    },
  },
  {
    name: 'robustness: a file that changes while its body is resumed arrives whole as its new version, never spliced',
    async run(d) {
      // 80 files, a quarter of them cut mid-body: some cut, changed file is always resumed (a cut before any
      // byte arrived is fetched afresh, with no If-Range; with 40 files at 0.15 that happened to every cut once).
      d.site.setConfig({ scaleCases: 40, scaleFilesPerCase: 2, scaleFileSize: 256 * 1024 });
      d.site.resetStats();
      d.site.setConfig({ failCut: 0.25, changeOnCut: true });
      try {
        const mark = await d.downloadMark();
        await exportCaseFiles(d, '3');
        const file = await d.nextDownload(mark);
        assert.ok(d.site.stats().filesChanged > 0, 'files changed');
        assert.ok(d.site.stats().ifRangeMismatches > 0, 'a resumed request found its file changed');
        d.site.setConfig({ failCut: 0, changeOnCut: false });
        // What the platform serves now: the new versions of the files that changed.
        const want = await expectedArchive('3', null, '');
        assert.deepEqual(sums(await readZip(file)), want.expected);
      } finally {
        // New data: the files changed here are forgotten.
        d.site.setConfig({ failCut: 0, changeOnCut: false, scaleCases: 41 });
      }
    },
  },
  {
    name: 'robustness: archives and temp files of jobs that no longer exist are removed when the engine starts',
    async run(d) {
      const ext = await d.openOptions();
      assert.equal(await ext.evaluate(OPFS_PLANT_LEFTOVERS_EXPRESSION), true);
      await ext.close();
      assert.deepEqual(await opfsEntries(d), ['exports/', 'exports/crashed-job.part', 'tmp/', 'tmp/crashed-job/', 'tmp/crashed-job/f0']);
      const mark = await d.downloadMark();
      await exportCaseFiles(d, '2');
      await readZip(await d.nextDownload(mark));
      await eventually(async () => assert.deepEqual(await opfsEntries(d), ['exports/', 'tmp/']), 10_000, 500);
    },
  },
  {
    name: 'robustness: a cancel while the archive is being saved to Downloads ends as cancelled, with no download left',
    timeout: 240_000,
    async run(d) {
      // A big archive (576 MB), so saving it lasts long enough to cancel: Chromium streams it into Downloads as it
      // is built (its download in progress), Firefox copies the finished archive there ("Saving to your downloads").
      d.site.setConfig({ scaleCases: 12, scaleFilesPerCase: 2, scaleFileSize: 24 * 1024 * 1024, scaleDistinctContents: 2 });
      try {
        await exportCaseFiles(d, '3');
        if (d.browser === 'chromium') await eventually(async () => assert.ok(streaming(d), 'the streamed download has bytes'), 150_000, 200);
        else await d.page.waitForText(status, 'Saving to your downloads', 150_000);
        await d.page.click(by('button', 'Cancel export', dialog));
        await d.page.waitForText(status, 'Export cancelled', 30_000);
        await eventually(async () => assert.deepEqual(readdirSync(d.downloads).filter((f) => !f.startsWith('.')), []), 10_000);
      } finally {
        d.site.setConfig({ scaleCases: 20, scaleFilesPerCase: 3, scaleFileSize: 65536, scaleDistinctContents: 0 });
      }
    },
  },
];
