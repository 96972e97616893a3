/**
 * Saving: the background's hand-off of a finished archive to the browser's downloads, and the
 * rule **cancel during saving**: a Cancel that arrives at any moment before the export has ended
 * ends it as cancelled, with no download left behind. The moments it can arrive, and what happens:
 *
 * - while the engine runs: the host is asked to stop; it answers `host/cancelled`, or, if the
 *   archive was finished meanwhile, `host/ready`, which then starts no download;
 * - after `host/ready`, while `downloads.download` is still creating the download: nothing to stop
 *   yet; once it has an id, the download is cancelled, its file removed and its entry erased;
 * - while the browser copies the archive, or once it has (the `complete` event not seen yet): the
 *   same, the file removed from the Downloads folder.
 *
 * The request is kept on the job (`cancelRequested`, in storage.session like the rest) so every
 * step that comes after it, in this service worker or a restarted one, sees it. Every ending goes
 * through {@link Saving.finish}, which turns any ending of a job whose cancel was asked into
 * `cancelled`. The browser APIs are passed in: unit tests drive it with fakes.
 */
import { isJobActive, type JobResult, type JobState } from './jobs';
import type { BackgroundToHost } from './messages';
import { downloadNameFor } from './downloadName';

/** The calls of `browser.downloads` the hand-off makes. */
export interface DownloadsApi {
  download(options: { url: string; filename: string; conflictAction: 'uniquify'; saveAs: false }): Promise<number>;
  cancel(id: number): Promise<void>;
  erase(query: { id: number }): Promise<unknown>;
  removeFile(id: number): Promise<void>;
  search(query: { id: number }): Promise<{ state?: string; error?: string }[]>;
}

/** The job store's calls (lib/jobStore.ts: one queue, so concurrent messages never overwrite each other). */
export interface JobsApi {
  update(id: string, change: (j: JobState) => void): Promise<JobState | undefined>;
}

export interface SavingDeps {
  jobs: JobsApi;
  downloads: DownloadsApi;
  toHost(msg: BackgroundToHost): Promise<void>;
  /** Tells the UI (tabs, popup, badge, history) that a job changed. */
  announce(job: JobState): Promise<void>;
}

export class Saving {
  constructor(private readonly deps: SavingDeps) {}

  /** The user's Cancel. False when the job has already ended (or never existed). */
  async cancel(jobId: string): Promise<boolean> {
    let active = false;
    const job = await this.deps.jobs.update(jobId, (j) => {
      if (!isJobActive(j)) return;
      active = true;
      j.cancelRequested = true;
    });
    if (!job || !active) return false;
    if (job.downloadId !== undefined) await this.finish(jobId, 'cancelled');
    // Saving without a download id: `downloads.download` is on its way; `ready` ends it when it returns.
    else if (job.phase !== 'saving') await this.deps.toHost({ to: 'host', type: 'host/cancel', jobId });
    return true;
  }

  /**
   * The host's `host/ready`: the archive is complete behind `url` (a blob URL of our own origin,
   * checked by lib/senders.ts). Taken once, for a running job, under a name checked for its kind
   * (lib/downloadName.ts); a second one is ignored.
   */
  async ready(jobId: string, url: string, result: JobResult): Promise<void> {
    let go = false;
    let cancelled = false;
    let nothingNew = false;
    const job = await this.deps.jobs.update(jobId, (j) => {
      if (j.cancelRequested && isJobActive(j)) cancelled = true;
      if (j.phase !== 'running' || j.cancelRequested) return;
      if (result.delta?.nothingNew) {
        // Only new since the last export found nothing: done, and no file written (issue 16.2).
        nothingNew = true;
        j.result = { ...result, filename: downloadNameFor(result.filename, j.request.kind, j.id) };
        return;
      }
      go = true;
      const filename = downloadNameFor(result.filename, j.request.kind, j.id);
      j.phase = 'saving';
      j.filename = filename;
      j.result = { ...result, filename };
    });
    if (cancelled) return this.finish(jobId, 'cancelled');
    if (nothingNew) return this.finish(jobId, 'done');
    if (!job || !go) return;
    await this.deps.announce(job);
    let downloadId: number;
    try {
      downloadId = await this.deps.downloads.download({ url, filename: job.filename, conflictAction: 'uniquify', saveAs: false });
    } catch (err) {
      return this.finish(jobId, 'failed', `The browser refused the download: ${(err as Error).message}`);
    }
    const saved = await this.deps.jobs.update(jobId, (j) => void (j.downloadId = downloadId));
    if (!saved || saved.cancelRequested || !isJobActive(saved)) {
      // Cancelled while the download was being created (or the job is gone): it must not stay.
      await this.discard(downloadId);
      return this.finish(jobId, 'cancelled');
    }
    await this.checkDownload(saved);
  }

  /** A download may have ended while the service worker was stopped, or just now (`onChanged`). */
  async checkDownload(job: JobState): Promise<void> {
    if (job.downloadId === undefined) return;
    const [item] = await this.deps.downloads.search({ id: job.downloadId });
    if (item?.state === 'complete') await this.finish(job.id, 'done');
    else if (item?.state === 'interrupted') await this.finish(job.id, 'failed', `Download interrupted: ${item.error ?? 'unknown reason'}`);
  }

  /** On a (re)start: a job cancelled while saving, whose download id was never stored, ends now. */
  async resume(job: JobState): Promise<void> {
    if (job.phase !== 'saving') return;
    if (job.downloadId === undefined && job.cancelRequested) await this.finish(job.id, 'cancelled');
    else await this.checkDownload(job);
  }

  /**
   * Ends a job (once: an ended job stays as it is). A job whose cancel was asked ends `cancelled`
   * whatever the cause, and its download, if it has one, is cancelled, its file removed and its entry
   * erased. The host then drops the archive and its blob URL.
   */
  async finish(jobId: string, phase: 'done' | 'failed' | 'cancelled', error?: string): Promise<void> {
    let changed = false;
    const job = await this.deps.jobs.update(jobId, (j) => {
      if (!isJobActive(j)) return;
      changed = true;
      j.phase = j.cancelRequested ? 'cancelled' : phase;
      j.finishedAt = Date.now();
      if (error && j.phase === 'failed') j.error = error;
    });
    if (job && changed && job.phase === 'cancelled' && job.downloadId !== undefined) await this.discard(job.downloadId);
    if (job && changed) await this.deps.announce(job);
    await this.deps.toHost({ to: 'host', type: 'host/cleanup', jobId }).catch(() => {});
  }

  /** Leaves nothing of a download: stopped if running, its file removed if complete, its entry erased. */
  private async discard(downloadId: number): Promise<void> {
    const { downloads } = this.deps;
    await downloads.cancel(downloadId).catch(() => {});
    const [item] = await downloads.search({ id: downloadId }).catch(() => []);
    if (item?.state === 'complete') await downloads.removeFile(downloadId).catch(() => {});
    await downloads.erase({ id: downloadId }).catch(() => {});
  }
}
