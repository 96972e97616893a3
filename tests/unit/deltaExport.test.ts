/**
 * Only new since the last export, end to end in Node: the exporters (workers/caseFiles.ts,
 * workers/csv.ts) against the reference platform, with the engine's delta context
 * (workers/deltaRun.ts) and the manifest store (lib/manifestStore.ts on fake-indexeddb).
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { startSite, type SiteHandle } from '../site/server.ts';
import { exporterFor } from '../../workers/exporters';
import { deltaContext, finishDeltaRun, openDeltaRun, type DeltaContext } from '../../workers/deltaRun';
import { ManifestDb, ManifestStore } from '../../lib/manifestStore';
import { ExporterDb, ExporterStorage } from '../../lib/storage';
import { emptyProgress, type CaseFilesRequest, type CsvRequest, type ExportRequest, type JobState } from '../../lib/jobs';
import { readZipEntries } from '../zipReader';
import { decodeFiles, encodeFiles } from '../../lib/deltaManifest';

let site: SiteHandle;
let cookie = '';
let n = 0;

beforeAll(async () => {
  site = await startSite({ port: 0, runningExecutionSec: 0 });
  const res = await fetch(`${site.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo' }), redirect: 'manual' });
  cookie = /session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
});
afterAll(() => site.close());

const withCookie: typeof fetch = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('cookie', cookie);
  return fetch(input, { ...init, headers });
};

const freshStores = () => {
  const name = `delta-test-${++n}`;
  const manifests = new ManifestStore(new ManifestDb(`${name}-m`));
  return { manifests, storage: new ExporterStorage(new ExporterDb(name), manifests) };
};

/** One export as the engine runs it: delta context in, manifest saved, the job recorded as done. */
async function run(request: ExportRequest, stores: ReturnType<typeof freshStores>, startedAt: number) {
  const jobId = crypto.randomUUID();
  const delta = (await openDeltaRun(request, () => stores.manifests))!;
  const out = await exporterFor(request)(request, { fetch: withCookie, signal: new AbortController().signal, onProgress: () => {}, delta: delta.ctx });
  const bytes = Buffer.from(await new Response(out.stream).arrayBuffer());
  const warnings: string[] = [];
  const info = await finishDeltaRun(delta, jobId, request, startedAt, out.failed.length > 0, warnings);
  expect(warnings).toEqual([]);
  const job: JobState = {
    id: jobId,
    request,
    phase: 'done',
    filename: out.filename,
    startedAt,
    progress: emptyProgress(),
    result: { filename: out.filename, archiveBytes: bytes.length, files: 0, failed: out.failed, ...(info ? { delta: info } : {}) },
  };
  await stores.storage.recordJob(job);
  return { bytes, filename: out.filename, info, failed: out.failed, ctx: delta.ctx, progress: out.progress };
}

const names = async (zip: Buffer) => (await readZipEntries(zip, { requireChecksums: true })).map((e) => e.path).sort();

describe('case files: Only new since the last export', () => {
  const request: CaseFilesRequest = { kind: 'case-files', origin: '', workflowId: '2', orderId: '21', template: '{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}' };
  it('fails with a clear message before any complete export exists', async () => {
    const stores = freshStores();
    await expect(openDeltaRun({ ...request, origin: site.url, onlyNew: true }, () => stores.manifests)).rejects.toThrow(/no complete export of this kind, workflow and order/);
  });

  it('exports exactly the new and changed files, names the archive new-since, and nothing new writes nothing', async () => {
    const stores = freshStores();
    const r = { ...request, origin: site.url };
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);
    const first = await run(r, stores, t0);
    const all = await names(first.bytes);
    expect(all.length).toBe(4);
    expect(first.info).toBeUndefined();
    expect((await stores.manifests.lastCompleteSummary('case-files', site.url, '2', '21'))).toMatchObject({ startedAt: t0, fileCount: 4 });

    // The platform gains a case with two files and a file in an existing case; one added file changes later.
    const wf = site.data().workflow('2')!;
    const added = site.addData('2', {
      cases: [{ orderId: '21', externalId: 'NEW-1', files: [{ name: 'a.bin', size: 3000 }, { name: 'b.bin', size: 5000 }] }],
      files: [{ caseId: wf.caseAt(0).id, name: 'extra.bin', size: 1234 }],
    });
    site.resetStats();
    const second = await run({ ...r, onlyNew: true }, stores, t0 + 60_000);
    expect(second.filename).toBe('Second workflow-Main order_case-files_new-since_2026-01-02_03-04-05.zip');
    expect(await names(second.bytes)).toEqual(['NEW-1/a.bin', 'NEW-1/b.bin', 'S2-001/extra.bin']);
    expect(second.info).toEqual({ since: t0, newCount: 3, nothingNew: false });
    // Progress counts this export's files only: the unchanged ones are out of its totals.
    expect(second.progress).toMatchObject({ filesDone: 3, filesTotal: 3, bytesDone: 3000 + 5000 + 1234, bytesTotal: 3000 + 5000 + 1234, listingDone: true });
    // The four files held before were asked with If-None-Match and answered 304: none sent again.
    const stats = site.stats();
    expect(stats.notModified).toBe(4);
    expect(stats.fileResponsesCompleted).toBe(3);

    // A changed file goes in again; the delta is relative to the last export (not the first).
    site.changeFile(added.cases[0].files[1]);
    const third = await run({ ...r, onlyNew: true }, stores, t0 + 120_000);
    expect(third.filename).toContain('_new-since_2026-01-02_03-05-05.zip');
    expect(await names(third.bytes)).toEqual(['NEW-1/b.bin']);

    // Nothing new: the export says so, and its record does not replace the last one.
    const fourth = await run({ ...r, onlyNew: true }, stores, t0 + 180_000);
    expect(fourth.info).toEqual({ since: t0 + 120_000, newCount: 0, nothingNew: true });
    expect((await stores.manifests.lastCompleteSummary('case-files', site.url, '2', '21'))?.startedAt).toBe(t0 + 120_000);
    // Only the newest complete manifest of a target is kept.
    expect((await stores.manifests.listComplete()).length).toBe(1);
  });

  it('without ETag and checksum a held file is downloaded again, hashed, and left out when unchanged', async () => {
    const stores = freshStores();
    const r = { ...request, origin: site.url };
    await run(r, stores, 1000);
    site.setConfig({ omitChecksum: true });
    try {
      const last = (await stores.manifests.lastComplete('case-files', site.url, '2', '21'))!;
      // No ETag held either (a platform without them): the same manifest without its ETags.
      const ctx: DeltaContext = deltaContext({ ...last, files: encodeFiles([...decodeFiles(last.files!)].map((f) => ({ ...f, etag: null }))) });
      site.resetStats();
      const out = await exporterFor({ ...r, onlyNew: true })({ ...r, onlyNew: true }, { fetch: withCookie, signal: new AbortController().signal, onProgress: () => {}, delta: ctx });
      const bytes = Buffer.from(await new Response(out.stream).arrayBuffer());
      const held = (await readZipEntries(bytes)).map((e) => e.path);
      // Only what was added since (by the test above) is new; the originals were fetched to be hashed.
      expect(held.filter((p) => !p.startsWith('NEW-1/') && p !== 'S2-001/extra.bin' && p !== 'export-report.csv')).toEqual([]);
      expect(site.stats().fileResponsesCompleted).toBeGreaterThanOrEqual(4);
    } finally {
      site.setConfig({ omitChecksum: false });
    }
  });
});

describe('CSV: Only new since the last export', () => {
  const base: CsvRequest = { kind: 'csv', origin: '', workflowId: '2', orderId: '21', submissions: 'all', layout: 'long', bom: false };
  const rows = (bytes: Buffer) => parse(bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
  for (const layout of ['long', 'wide'] as const)
    it(`${layout}: exactly the new and re-submitted submissions`, async () => {
      const stores = freshStores();
      const r: CsvRequest = { ...base, origin: site.url, layout };
      const first = await run(r, stores, 5000);
      const firstRows = rows(first.bytes);
      expect(firstRows.length).toBeGreaterThan(0);
      const wf = site.data().workflow('2')!;
      const old = wf.submissionsOf(1)[0].id;
      const added = site.addData('2', { submissions: [{ caseId: wf.caseAt(2).id }], resubmit: [old], cases: [{ orderId: '21', externalId: `CSV-${layout}`, submissions: 2 }] });
      const second = await run({ ...r, onlyNew: true }, stores, 6000);
      expect(second.filename).toContain('_results_new-since_1970-01-01_00-00-05.csv');
      const got = rows(second.bytes);
      const idColumn = layout === 'long' ? 'submission id' : null;
      const ids = layout === 'long' ? got.map((row) => row[idColumn!]) : got.flatMap((row) => Object.entries(row).filter(([k, v]) => /^s\d+\.submission id$/.test(k) && v).map(([, v]) => v));
      expect(new Set(ids)).toEqual(new Set([old, added.submissions[0], ...added.cases[0].submissions]));
      expect(second.info).toMatchObject({ newCount: 4, nothingNew: false });
      const third = await run({ ...r, onlyNew: true }, stores, 7000);
      expect(third.info).toMatchObject({ newCount: 0, nothingNew: true });
      expect(rows(third.bytes)).toEqual([]);
    });
});
