/**
 * One write in Chrome, the background's side (lib/saving.ts with lib/streamDownload.ts): the stream's
 * download is the job's download; when the stream fails, its partial download goes and the copy is
 * saved, saying so; cancel leaves nothing. Driven step by step with fakes of the browser's downloads.
 */
import { describe, expect, it } from 'vitest';
import { Saving, type DownloadsApi } from '../../lib/saving';
import type { JobResult } from '../../lib/jobs';
import type { BackgroundToHost } from '../../lib/messages';
import { memoryJobStore, testJob } from './fixtures/jobs';

const BASE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
const ID = '4f1c2b3a-1111-4222-8333-944455556666';
const STREAM_URL = `${BASE}stream/${ID}`;
const COPY_URL = `blob:${BASE}0e1c2b3a-1111-4222-8333-944455556666`;
const result: JobResult = { filename: 'W_case-files.zip', archiveBytes: 10, files: 1, failed: [] };

type Item = { id: number; url: string; state: 'in_progress' | 'complete' | 'interrupted'; error?: string; erased: boolean; file: boolean };

function fakeDownloads() {
  const items = new Map<number, Item>();
  let nextId = 1;
  const add = (url: string) => {
    const it: Item = { id: nextId++, url, state: 'in_progress', erased: false, file: true };
    items.set(it.id, it);
    return it;
  };
  const api: DownloadsApi = {
    download: async ({ url }) => add(url).id,
    async cancel(id) {
      const it = items.get(id);
      if (it?.state === 'in_progress') Object.assign(it, { state: 'interrupted', error: 'USER_CANCELED', file: false });
    },
    async erase({ id }) {
      const it = items.get(id);
      if (it) it.erased = true;
    },
    async removeFile(id) {
      const it = items.get(id);
      if (it?.state !== 'complete') throw new Error('not complete');
      it.file = false;
    },
    async search(q) {
      const found = 'id' in q ? [items.get(q.id)].filter((x) => !!x) : [...items.values()].filter((i) => i.url === q.url);
      return found.map((i) => ({ id: i.id, state: i.state, error: i.error }));
    },
  };
  /** Files left in the Downloads folder and entries left in its list. */
  const left = () => [...items.values()].filter((i) => i.file && !i.erased).map((i) => `${i.url}:${i.state}`);
  return { api, items, add, left };
}

async function setup() {
  const jobs = memoryJobStore();
  const downloads = fakeDownloads();
  const toHost: BackgroundToHost[] = [];
  const saving = new Saving({ jobs, downloads: downloads.api, toHost: async (m) => void toHost.push(m), announce: async () => {}, baseUrl: BASE });
  const job = testJob({ id: ID });
  await jobs.put(job);
  const final = async () => (await jobs.get(ID))!;
  /** The host offers, the service worker opens, the browser creates the download: as in Chrome. */
  const startStream = async () => {
    expect(await saving.offerStream(ID, 'W_case-files.zip')).toBe(true);
    expect(await saving.openStream(ID)).toBe('W_case-files.zip');
    const item = downloads.add(STREAM_URL);
    await saving.downloadCreated({ id: item.id, url: STREAM_URL });
    return item;
  };
  return { jobs, downloads, toHost, saving, final, startStream };
}

describe('the stream is the download', () => {
  it('the download completes before the engine reports: the job is done once it does, one download, no copy', async () => {
    const s = await setup();
    const item = await s.startStream();
    expect((await s.final()).downloadId).toBe(item.id);
    item.state = 'complete';
    await s.saving.checkDownload(await s.final()); // onChanged: the engine has not reported yet
    expect((await s.final()).phase).toBe('running');
    await s.saving.ready(ID, COPY_URL, result, true);
    const job = await s.final();
    expect(job.phase).toBe('done');
    expect(job.result?.warnings).toBeUndefined();
    expect(s.downloads.items.size).toBe(1);
    expect(s.toHost).toEqual([{ to: 'host', type: 'host/cleanup', jobId: ID }]);
  });

  it('the engine reports first: done when the download completes; its id found by URL if onCreated was not seen', async () => {
    const s = await setup();
    await s.saving.offerStream(ID, 'W_case-files.zip');
    await s.saving.openStream(ID);
    const item = s.downloads.add(STREAM_URL); // (its onCreated lost)
    await s.saving.ready(ID, COPY_URL, result, true);
    expect(await s.final()).toMatchObject({ phase: 'saving', downloadId: item.id, filename: 'W_case-files.zip' });
    item.state = 'complete';
    await s.saving.checkDownload(await s.final());
    expect((await s.final()).phase).toBe('done');
    expect(s.downloads.left()).toEqual([`${STREAM_URL}:complete`]);
  });

  it('a stream download the job does not expect is removed at once', async () => {
    const s = await setup();
    const item = s.downloads.add(STREAM_URL); // never offered, never opened
    await s.saving.downloadCreated({ id: item.id, url: STREAM_URL });
    expect(item.erased).toBe(true);
    expect((await s.final()).downloadId).toBeUndefined();
    // Any other download is not ours to judge.
    const other = s.downloads.add('https://example.com/a.zip');
    await s.saving.downloadCreated({ id: other.id, url: other.url });
    expect(other.erased).toBe(false);
  });
});

describe('the stream fails: the copy is saved', () => {
  it('interrupted while the engine runs: the partial goes, the engine is told, the copy is downloaded and the result says so', async () => {
    const s = await setup();
    const item = await s.startStream();
    Object.assign(item, { state: 'interrupted', error: 'NETWORK_FAILED' });
    await s.saving.checkDownload(await s.final());
    expect(item.erased).toBe(true);
    expect(s.toHost).toEqual([{ to: 'host', type: 'host/stream-failed', jobId: ID, reason: 'Download interrupted: NETWORK_FAILED' }]);
    const broken = await s.final();
    expect(broken.phase).toBe('running');
    expect(broken.stream?.state).toBe('broken');
    await s.saving.ready(ID, COPY_URL, result, false, 'the download stream failed: x');
    const copy = [...s.downloads.items.values()].find((i) => i.url === COPY_URL)!;
    expect((await s.final()).downloadId).toBe(copy.id);
    copy.state = 'complete';
    await s.saving.checkDownload(await s.final());
    const job = await s.final();
    expect(job.phase).toBe('done');
    expect(job.result?.warnings).toEqual([
      "The archive could not be streamed to the Downloads folder (Download interrupted: NETWORK_FAILED); it was saved from its copy in the browser's private storage.",
    ]);
    expect(s.downloads.left()).toEqual([`${COPY_URL}:complete`]);
  });

  it('a restarted background leaves a stream in progress alone: it lives in the stream worker', async () => {
    const s = await setup();
    const item = await s.startStream();
    await s.saving.resume(await s.final());
    expect(item.erased).toBe(false);
    expect((await s.final()).stream?.state).toBe('open');
    expect(s.toHost).toEqual([]);
  });

  it('a restarted background: a stream download interrupted meanwhile (a browser crash) breaks the stream, the copy will be saved', async () => {
    const s = await setup();
    const item = await s.startStream();
    Object.assign(item, { state: 'interrupted', error: 'CRASH' });
    await s.saving.resume(await s.final());
    expect(item.erased).toBe(true);
    expect((await s.final()).stream?.state).toBe('broken');
    expect(s.toHost.map((m) => m.type)).toEqual(['host/stream-failed']);
  });

  it('a restarted background leaves a complete stream download alone', async () => {
    const s = await setup();
    const item = await s.startStream();
    item.state = 'complete';
    await s.saving.resume(await s.final());
    expect(item.erased).toBe(false);
    expect((await s.final()).stream?.state).toBe('open');
  });

  it('interrupted after the engine reported: the copy, still there, is downloaded', async () => {
    const s = await setup();
    const item = await s.startStream();
    await s.saving.ready(ID, COPY_URL, result, true);
    Object.assign(item, { state: 'interrupted', error: 'FILE_FAILED' });
    await s.saving.checkDownload(await s.final());
    expect(item.erased).toBe(true);
    const copy = [...s.downloads.items.values()].find((i) => i.url === COPY_URL);
    expect(copy).toBeDefined();
    expect((await s.final()).result?.warnings?.[0]).toContain('Download interrupted: FILE_FAILED');
  });

  it('the stream never opened (refused, or the engine went without): the copy, saying so', async () => {
    const s = await setup();
    await s.saving.offerStream(ID, 'W_case-files.zip');
    await s.saving.ready(ID, COPY_URL, result, false, 'the service worker did not ask for the stream in time');
    expect((await s.final()).result?.warnings?.[0]).toContain('(the service worker did not ask for the stream in time)');
    expect(s.downloads.items.size).toBe(1);
  });
});

describe('nothing new since the last export', () => {
  it('the stream started before the export knew: its download goes, one created after it too', async () => {
    const s = await setup();
    const item = await s.startStream();
    item.state = 'complete';
    await s.saving.ready(ID, COPY_URL, { ...result, delta: { since: 1, newCount: 0, nothingNew: true } }, true);
    expect((await s.final()).phase).toBe('done');
    expect(s.downloads.left()).toEqual([]);
    const late = s.downloads.add(STREAM_URL);
    await s.saving.downloadCreated({ id: late.id, url: STREAM_URL });
    expect(s.downloads.left()).toEqual([]);
  });
});

describe('cancel while streaming', () => {
  it('asks the engine to stop; its end cancels the job and leaves no download', async () => {
    const s = await setup();
    const item = await s.startStream();
    expect(await s.saving.cancel(ID)).toBe(true);
    expect(s.toHost).toEqual([{ to: 'host', type: 'host/cancel', jobId: ID }]);
    await s.saving.finish(ID, 'cancelled');
    expect((await s.final()).phase).toBe('cancelled');
    expect(item.erased).toBe(true);
    expect(s.downloads.left()).toEqual([]);
  });

  it('cancelled in the browser\'s downloads list: the user\'s Cancel, not a fall-back to the copy', async () => {
    const s = await setup();
    const item = await s.startStream();
    Object.assign(item, { state: 'interrupted', error: 'USER_CANCELED' });
    await s.saving.checkDownload(await s.final());
    expect(s.toHost).toEqual([{ to: 'host', type: 'host/cancel', jobId: ID }]);
    await s.saving.ready(ID, COPY_URL, result, false);
    expect((await s.final()).phase).toBe('cancelled');
    expect(s.downloads.left()).toEqual([]);
  });
});
