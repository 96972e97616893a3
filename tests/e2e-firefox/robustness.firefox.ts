/**
 * Issue 14 in real Firefox ESR, an engine that loses nothing: files the platform serves without
 * `X-Checksum-Sha256` go in byte for byte and are listed in the export's report as "not verified"
 * (the dialog counts them); and "Cancel export" mid-export stops every request and leaves nothing in
 * the download folder (no archive, no Firefox `.part` file), nor in the extension's OPFS. A session
 * that ends mid-export pauses an execution export as it does a CSV one (csv.firefox.ts).
 */
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { FIREFOX_PORT, ORIGIN, clickInExporter, dialogStatus, signIn } from './case-files.firefox';
import type { Execution } from '../../lib/platform';
import { filesIn, opfsFiles, until, waitForNewFile, withFirefox, type Session } from './session';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { apiClient, expectedArchive, readZip } = await import('../e2e/harness');

async function startCaseFiles(s: Session, workflowId: string) {
  await s.page.goto(`${ORIGIN}/develop/workflows/${workflowId}`);
  await clickInExporter(s.page, 'Export case files');
  await clickInExporter(s.page, 'Download files');
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: files served without X-Checksum-Sha256 go in, each listed as "not verified", and the dialog counts them',
    fn: () =>
      withFirefox('not-verified', async (s) => {
        // What the platform serves, with its checksums, before they are left out.
        const want = await expectedArchive('2', null, '');
        s.site.setConfig({ omitChecksum: true });
        const before = filesIn(s.downloads);
        await startCaseFiles(s, '2');
        const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
        assert.match(status, /Saved/, `export status: ${status}`);
        assert.match(status, new RegExp(`\\b${want.expected.size} not verified`), `the dialog counts them: ${status}`);
        const zip = await waitForNewFile(s.downloads, before);
        assert.ok(zip.endsWith(`/${want.archiveName}`), zip);
        const entries = await readZip(zip);
        const report = entries.find((e) => e.path === 'export-report.csv');
        assert.ok(report, 'the report is in the ZIP');
        const rows = parse(report.bytes, { bom: true }) as string[][];
        assert.deepEqual(rows[0], ['path', 'case', 'file uuid', 'reason', 'attempts']);
        // One line per file, each "not verified", and every file in, byte for byte.
        assert.deepEqual(rows.slice(1).map((r) => r[0]).sort(), [...want.expected.keys()].sort());
        for (const r of rows.slice(1)) assert.deepEqual([r[3], r[4]], ['not verified', '1'], `report line ${r.join(',')}`);
        assert.deepEqual(new Map(entries.filter((e) => e.path !== 'export-report.csv').map((e) => [e.path, e.sha256])), want.expected);
        console.log(`  ${want.expected.size} files in, each "not verified" in export-report.csv; the dialog: ${JSON.stringify(status)}`);
      }),
  },
  {
    name: 'Firefox ESR: cancel mid-export stops every request and leaves nothing in the download folder or OPFS',
    fn: () =>
      withFirefox('cancel', async (s) => {
        // 40 files of 32 MB from the scale workflow, a little slowed down so there is time to cancel.
        s.site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 32 * 1024 * 1024, latencyMs: 50 });
        s.site.resetStats();
        await startCaseFiles(s, '3');
        await dialogStatus(s.page, /[1-9]\d* of \d+/, 30_000);
        await until('32 MB sent', () => s.site.stats().fileBytesSent > 32 * 1024 * 1024);
        // The probe sees the export's files in OPFS while it runs (the archive, temp files)…
        assert.ok(opfsFiles(s.browser).length > 0, 'OPFS holds the running export');
        await clickInExporter(s.page, 'Cancel export');
        const status = await dialogStatus(s.page, /Export cancelled|Saved|failed/, 30_000);
        assert.match(status, /Export cancelled/);
        await until('no file request in flight', () => s.site.stats().inFlightFileRequests === 0, 10_000);
        const sent = s.site.stats().fileRequests;
        assert.ok(sent < 40, `cancelled before the last file (${sent} of 40 asked for)`);
        // A while later: no new request, nothing in the download folder.
        await new Promise((r) => setTimeout(r, 2000));
        assert.equal(s.site.stats().fileRequests, sent, 'no request after the cancel');
        assert.deepEqual(filesIn(s.downloads), [], 'nothing in the download folder');
        // …and none after the cancel: the partial archive and the temp files are removed.
        await until('OPFS emptied', () => opfsFiles(s.browser).length === 0, 10_000).catch(() => {});
        assert.deepEqual(opfsFiles(s.browser), [], 'nothing left in OPFS');
        console.log(`  cancelled after ${sent} of 40 file requests; the download folder and the extension's OPFS are empty`);
      }),
  },
  {
    name: 'Firefox ESR: a session that ends mid-export pauses an execution export, which completes after signing in again',
    fn: () =>
      withFirefox('execution-session', async (s) => {
        // The big execution: 50 step outputs, each answer 300 ms late.
        s.site.setConfig({ latencyMs: 300 });
        const before = filesIn(s.downloads);
        await s.page.goto(`${ORIGIN}/workflows/3/executions/3002`);
        await clickInExporter(s.page, 'Export as');
        s.site.resetStats();
        await clickInExporter(s.page, 'Export');
        const outputs = () => s.site.stats().requestsByPath['GET /api/v1/executions/:eid/steps/:sid/output'] ?? 0;
        await until('a few step outputs asked for', () => outputs() >= 3);
        s.site.expireSessions();
        const notice = await dialogStatus(s.page, /Sign in again to continue|Saved|failed/, 60_000);
        assert.match(notice, /Sign in again to continue/);
        assert.ok(outputs() < 50, `paused before the last step output (${outputs()} asked for)`);
        assert.deepEqual(filesIn(s.downloads), before, 'nothing saved while paused');
        s.site.setConfig({ latencyMs: 0 });
        await signIn(await s.browser.newPage());
        const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
        assert.match(status, /Saved/, `export status: ${status}`);
        // Every step's output is in its file (Markdown, one file per step, the dialog's defaults).
        const api = await apiClient(ORIGIN);
        const execution = (await (await api.fetch('/api/v1/executions/3002')).json()) as Execution;
        const entries = await readZip(await waitForNewFile(s.downloads, before));
        assert.equal(entries.length, execution.steps.length, 'one file per step');
        for (const [i, step] of execution.steps.entries()) {
          const output = await (await api.fetch(`/api/v1/executions/3002/steps/${step.id}/output`)).text();
          assert.ok(entries[i].bytes.toString('utf8').includes(output), `${entries[i].path} holds the output of ${step.id}`);
        }
        assert.ok(s.site.stats().unauthenticated > 0, 'the platform did answer 401');
        console.log(`  paused at "Sign in again to continue", then ${entries.length} step files, each with its output`);
      }),
  },
];
