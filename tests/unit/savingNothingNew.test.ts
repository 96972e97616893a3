/** Only new since the last export found nothing (lib/saving.ts): the job ends `done`, no download is made, the host drops the archive. */
import { expect, it } from 'vitest';
import { Saving, type DownloadsApi } from '../../lib/saving';
import type { JobResult } from '../../lib/jobs';
import type { BackgroundToHost } from '../../lib/messages';
import { csvRequest, memoryJobStore, testJob } from './fixtures/jobs';

function setup() {
  const jobs = memoryJobStore();
  const downloads: string[] = [];
  const api = {
    download: async (o: { filename: string }) => (downloads.push(o.filename), 1),
    cancel: async () => {},
    erase: async () => [],
    removeFile: async () => {},
    search: async () => [{ state: 'complete' }],
  } as unknown as DownloadsApi;
  const toHost: BackgroundToHost[] = [];
  const saving = new Saving({ jobs, downloads: api, toHost: async (m) => void toHost.push(m), announce: async () => {} });
  const job = testJob({ request: csvRequest({ onlyNew: true }) });
  return { jobs, downloads, toHost, saving, job };
}

for (const nothingNew of [true, false])
  it(`nothing new: ${nothingNew} → ${nothingNew ? 'done without a download' : 'a download as usual'}`, async () => {
    const s = setup();
    await s.jobs.put(s.job);
    const result: JobResult = { filename: 'W_results_new-since_1970-01-01_00-00-01.csv', archiveBytes: 10, files: 0, failed: [], delta: { since: 1000, newCount: nothingNew ? 0 : 2, nothingNew } };
    await s.saving.ready('j', 'blob:x', result);
    const job = (await s.jobs.get('j'))!;
    expect(job.phase).toBe('done');
    expect(s.downloads).toEqual(nothingNew ? [] : ['W_results_new-since_1970-01-01_00-00-01.csv']);
    expect(job.result?.delta).toEqual(result.delta);
    expect(job.result?.filename).toBe(result.filename);
    if (nothingNew) expect(s.toHost).toEqual([{ to: 'host', type: 'host/cleanup', jobId: 'j' }]);
  });
