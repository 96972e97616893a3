/** The export history as JSON with what each complete export held (lib/historyTransfer.ts), on fake-indexeddb. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ExporterDb, ExporterStorage, StorageError } from '../../lib/storage';
import { ManifestDb, ManifestStore } from '../../lib/manifestStore';
import { ManifestBuilder } from '../../lib/deltaManifest';
import { HISTORY_TYPE, fromBase64, parseHistoryJson, toBase64 } from '../../lib/historyTransfer';
import { emptyProgress, type JobState } from '../../lib/jobs';

let n = 0;
const fresh = () => {
  const name = `transfer-${++n}`;
  const manifests = new ManifestStore(new ManifestDb(`${name}-m`));
  return new ExporterStorage(new ExporterDb(name), manifests);
};
const ORIGIN = 'http://localhost:4400';

async function completeExport(storage: ExporterStorage, id: string, startedAt: number, files: number) {
  const b = new ManifestBuilder();
  for (let i = 0; i < files; i++) b.file(`file-${i}`, `${i.toString(16).padStart(2, '0')}${'a'.repeat(62)}`, `"e${i}"`);
  await storage.manifests.save({ jobId: id, kind: 'case-files', origin: ORIGIN, workflowId: 'w', orderId: null, startedAt, fileCount: files, submissionCount: 0, ...b.encode() });
  const job: JobState = {
    id,
    request: { kind: 'case-files', origin: ORIGIN, workflowId: 'w', orderId: null, template: '' },
    phase: 'done',
    filename: 'w_case-files.zip',
    startedAt,
    finishedAt: startedAt + 10,
    progress: emptyProgress(),
    result: { filename: 'w_case-files.zip', archiveBytes: 100, files, failed: [] },
  };
  await storage.recordJob(job);
}

describe('history JSON', () => {
  it('base64 round-trips any bytes, in chunks', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(() => fromBase64('a*==')).toThrow(/not base64/);
  });

  it('moves the history and the last complete export to another machine: a delta works there, and importing twice changes nothing', async () => {
    const a = fresh();
    await completeExport(a, 'job-1', 1000, 3);
    await completeExport(a, 'job-2', 2000, 5);
    const json = await a.exportHistoryJson(new Date(0));
    expect(JSON.parse(json)).toMatchObject({ type: HISTORY_TYPE, version: 1, history: [{ id: 'job-1' }, { id: 'job-2' }], manifests: [{ jobId: 'job-2', fileCount: 5 }] });

    const b = fresh();
    expect(await b.manifests.lastCompleteSummary('case-files', ORIGIN, 'w', null)).toBeNull();
    expect(await b.importHistoryJson(json)).toEqual({ added: 2, skipped: 0, manifests: 1 });
    expect(await b.manifests.lastCompleteSummary('case-files', ORIGIN, 'w', null)).toEqual({ jobId: 'job-2', startedAt: 2000, fileCount: 5, submissionCount: 0 });
    const back = await b.manifests.lastComplete('case-files', ORIGIN, 'w', null);
    expect(back?.files).toEqual((await a.manifests.lastComplete('case-files', ORIGIN, 'w', null))?.files);
    expect(await b.importHistoryJson(json)).toEqual({ added: 0, skipped: 2, manifests: 0 });
    expect((await b.listHistory()).map((h) => h.id)).toEqual(['job-2', 'job-1']);
  });

  it('a newer export here stays the base; an older imported one does not replace it', async () => {
    const a = fresh();
    await completeExport(a, 'old', 1000, 2);
    const b = fresh();
    await completeExport(b, 'new', 5000, 1);
    await b.importHistoryJson(await a.exportHistoryJson());
    expect((await b.manifests.lastCompleteSummary('case-files', ORIGIN, 'w', null))?.jobId).toBe('new');
  });

  it('any fault rejects the whole file, writing nothing', async () => {
    const a = fresh();
    await completeExport(a, 'job-1', 1000, 3);
    const good = JSON.parse(await a.exportHistoryJson());
    const bad: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ ...good, type: 'workflow-exporter/favourites' }, /not a Workflow Exporter history file/],
      [{ ...good, version: 2 }, /version 2/],
      [{ ...good, history: [{ ...good.history[0], target: { origin: 'javascript:alert(1)' } }] }, /Export 1 of the history/],
      [{ ...good, manifests: [{ ...good.manifests[0], fileCount: 4 }] }, /holds 3 files and 0 submissions, not the 4/],
      [{ ...good, manifests: [{ ...good.manifests[0], files: good.manifests[0].files.slice(0, -8) }] }, /cut short|not base64/],
      [{ ...good, manifests: [{ ...good.manifests[0], files: 'WEZaAAAA' }] }, /not a stored files manifest/],
    ];
    const b = fresh();
    for (const [file, message] of bad) {
      const text = typeof file === 'string' ? file : JSON.stringify(file);
      expect(parseHistoryJson(text)).toMatchObject({ ok: false, message: expect.stringMatching(message) });
      await expect(b.importHistoryJson(text)).rejects.toThrow(StorageError);
    }
    expect(await b.listHistory()).toEqual([]);
    expect(await b.manifests.listComplete()).toEqual([]);
  });
});
