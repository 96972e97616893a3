/**
 * Cancel during saving (lib/saving.ts): a Cancel at any moment before the export has ended ends it
 * as cancelled with no download left; the background's steps are driven one by one with fakes of
 * the job store's storage, the downloads API and the host.
 */
import { describe, expect, it } from 'vitest';
import { Saving, type DownloadsApi } from '../../lib/saving';
import type { JobResult } from '../../lib/jobs';
import type { BackgroundToHost } from '../../lib/messages';
import { csvRequest, memoryJobStore, testJob } from './fixtures/jobs';

const result: JobResult = { filename: 'a.zip', archiveBytes: 10, files: 1, failed: [] };

/** The browser's downloads, in memory: `download` waits until `created()` is called; files land in `folder`. */
function fakeDownloads() {
  const items = new Map<number, { state: 'in_progress' | 'complete' | 'interrupted'; erased: boolean }>();
  const folder = new Set<number>();
  let nextId = 1;
  let pending: (() => void) | null = null;
  const api: DownloadsApi = {
    download: () =>
      new Promise<number>((resolve) => {
        pending = () => {
          const id = nextId++;
          items.set(id, { state: 'in_progress', erased: false });
          folder.add(id); // the file exists (partly) from the start
          resolve(id);
        };
      }),
    async cancel(id) {
      const it = items.get(id);
      if (it?.state === 'in_progress') {
        it.state = 'interrupted';
        folder.delete(id); // a cancelled download leaves no file
      }
    },
    async erase({ id }) {
      const it = items.get(id);
      if (it) it.erased = true;
    },
    async removeFile(id) {
      if (items.get(id)?.state !== 'complete') throw new Error('not complete');
      folder.delete(id);
    },
    async search(query) {
      const it = 'id' in query ? items.get(query.id) : undefined;
      return it ? [{ state: it.state }] : [];
    },
  };
  return {
    api,
    folder,
    items,
    /** `downloads.download` returns its id. */
    created: () => {
      const p = pending;
      pending = null;
      p?.();
    },
    complete: (id: number) => void (items.get(id)!.state = 'complete'),
  };
}

function setup() {
  const jobs = memoryJobStore();
  const downloads = fakeDownloads();
  const toHost: BackgroundToHost[] = [];
  const announced: string[] = [];
  const saving = new Saving({ jobs, downloads: downloads.api, toHost: async (m) => void toHost.push(m), announce: async (j) => void announced.push(j.phase) });
  const job = testJob({ request: csvRequest() });
  return { jobs, downloads, toHost, announced, saving, job };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/**
 * The steps of a job that ends normally, each a moment a Cancel can come before:
 * the host reports ready → the download gets its id → the browser completes it → onChanged is seen.
 */
async function runWithCancelAt(k: number) {
  const s = setup();
  await s.jobs.put(s.job);
  const cancelled: Promise<boolean>[] = [];
  const cancelHere = (i: number) => {
    if (i === k) cancelled.push(s.saving.cancel('j'));
  };
  cancelHere(0);
  await tick();
  const ready = s.saving.ready('j', 'blob:x', result);
  await tick();
  cancelHere(1);
  await tick();
  s.downloads.created();
  await ready;
  cancelHere(2);
  await Promise.all(cancelled);
  const id = [...s.downloads.items.keys()][0];
  if (id !== undefined && s.downloads.items.get(id)!.state === 'in_progress') s.downloads.complete(id);
  cancelHere(3);
  await Promise.all(cancelled);
  const current = await s.jobs.get('j');
  if (current?.downloadId !== undefined) await s.saving.checkDownload(current);
  cancelHere(4);
  await Promise.all(cancelled);
  return { ...s, final: (await s.jobs.get('j'))!, answers: await Promise.all(cancelled) };
}

describe('cancel during saving', () => {
  it('without a cancel the job is done and its download stays', async () => {
    const r = await runWithCancelAt(-1);
    expect(r.final.phase).toBe('done');
    expect(r.downloads.folder.size).toBe(1);
    expect(r.toHost).toEqual([{ to: 'host', type: 'host/cleanup', jobId: 'j' }]);
  });

  for (const [k, moment] of [
    [0, 'while the engine runs (the host had said ready already)'],
    [1, 'after host/ready, while downloads.download creates the download'],
    [2, 'once the download has its id, while the browser copies the archive'],
    [3, 'after the browser completed the download, before its event is seen'],
  ] as const) {
    it(`a cancel ${moment} ends as cancelled, with no download left`, async () => {
      const r = await runWithCancelAt(k);
      expect(r.final.phase).toBe('cancelled');
      expect(r.answers).toEqual([true]);
      expect(r.downloads.folder.size).toBe(0);
      for (const it of r.downloads.items.values()) expect(it.erased).toBe(true);
      expect(r.toHost.at(-1)).toEqual({ to: 'host', type: 'host/cleanup', jobId: 'j' });
      expect(r.announced.at(-1)).toBe('cancelled');
      expect(r.announced.filter((p) => p === 'cancelled')).toHaveLength(1);
      // Asked before host/ready was handled: no download is even started, and the dialog never says "saving".
      if (k === 0) {
        expect(r.downloads.items.size).toBe(0);
        expect(r.announced).toEqual(['cancelled']);
      }
    });
  }

  it('a cancel after the job is done changes nothing', async () => {
    const r = await runWithCancelAt(4);
    expect(r.answers).toEqual([false]);
    expect(r.final.phase).toBe('done');
    expect(r.downloads.folder.size).toBe(1);
  });

  it('a cancel while running asks the host to stop; its answer, cancelled or failed, ends the job as cancelled', async () => {
    for (const answer of ['cancelled', 'failed'] as const) {
      const s = setup();
      await s.jobs.put(s.job);
      expect(await s.saving.cancel('j')).toBe(true);
      expect(s.toHost).toEqual([{ to: 'host', type: 'host/cancel', jobId: 'j' }]);
      await s.saving.finish('j', answer, 'HTTP 500');
      const final = (await s.jobs.get('j'))!;
      expect(final.phase).toBe('cancelled');
      expect(final.error).toBeUndefined();
    }
  });

  it('a restarted background ends a job cancelled while its download was being created', async () => {
    const s = setup();
    await s.jobs.put({ ...s.job, phase: 'saving', cancelRequested: true });
    await s.saving.resume((await s.jobs.get('j'))!);
    expect((await s.jobs.get('j'))!.phase).toBe('cancelled');
  });

  it('a download the browser refuses fails the job, with the reason', async () => {
    const s = setup();
    await s.jobs.put(s.job);
    s.downloads.api.download = async () => Promise.reject(new Error('Invalid filename'));
    await s.saving.ready('j', 'blob:x', result);
    const final = (await s.jobs.get('j'))!;
    expect(final.phase).toBe('failed');
    expect(final.error).toBe('The browser refused the download: Invalid filename');
  });
});
