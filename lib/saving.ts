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
 * - Chrome, while the archive streams to Downloads (lib/streamDownload.ts): the host is asked to
 *   stop; the engine's end of the stream fails, and the partial download is removed and erased.
 *
 * The request is kept on the job (`cancelRequested`, in storage.session like the rest) so every
 * step that comes after it, in this service worker or a restarted one, sees it. Every ending goes
 * through {@link Saving.finish}, which turns any ending of a job whose cancel was asked into
 * `cancelled`. The browser APIs are passed in: unit tests drive it with fakes.
 */
import { isJobActive, type JobResult, type JobState } from './jobs';
import type { BackgroundToHost } from './messages';
import { downloadNameFor } from './downloadName';
import { breakStream, jobIdOfStreamUrl, openStream, savedFromCopyWarning, offerStream, streamPathOf } from './streamDownload';

/** The calls of `browser.downloads` the hand-off makes. */
export interface DownloadsApi {
  download(options: { url: string; filename: string; conflictAction: 'uniquify'; saveAs: false }): Promise<number>;
  cancel(id: number): Promise<void>;
  erase(query: { id: number }): Promise<unknown>;
  removeFile(id: number): Promise<void>;
  search(query: { id: number } | { url: string }): Promise<{ id?: number; state?: string; error?: string }[]>;
}

/** The job store's calls (lib/jobStore.ts: one queue, so concurrent messages never overwrite each other). */
export interface JobsApi {
  update(id: string, change: (j: JobState) => void, persist?: boolean): Promise<JobState | undefined>;
}

export interface SavingDeps {
  jobs: JobsApi;
  downloads: DownloadsApi;
  toHost(msg: BackgroundToHost): Promise<void>;
  /** Tells the UI (tabs, popup, badge, history) that a job changed. */
  announce(job: JobState): Promise<void>;
  /** `runtime.getURL('/')`: the stream URLs are `<baseUrl>stream/<jobId>` (Chrome; absent in Firefox). */
  baseUrl?: string;
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
    // While running (streaming or not) the engine stops first; its `host/cancelled` ends the job.
    if (job.phase === 'running') await this.deps.toHost({ to: 'host', type: 'host/cancel', jobId });
    else if (job.downloadId !== undefined) await this.finish(jobId, 'cancelled');
    // Saving without a download id: `downloads.download` is on its way; `ready` ends it when it returns.
    return true;
  }

  /**
   * The host's `host/ready`: the archive is complete behind `url` (a blob URL of our own origin,
   * checked by lib/senders.ts: its copy in the private file system). Taken once, for a running job,
   * under a name checked for its kind (lib/downloadName.ts); a second one is ignored. `streamed`: the
   * archive also went whole into the stream's download (Chrome), which is then what is waited for;
   * else the copy is downloaded, and a stream that was tried is removed and the result says so.
   */
  async ready(jobId: string, url: string, result: JobResult, streamed = false, streamProblem?: string): Promise<void> {
    let go: 'copy' | 'stream' | null = null;
    let cancelled = false;
    let nothingNew = false;
    let partial: number | undefined;
    const job = await this.deps.jobs.update(jobId, (j) => {
      if (j.cancelRequested && isJobActive(j)) cancelled = true;
      if (j.phase !== 'running' || j.cancelRequested) return;
      if (result.delta?.nothingNew) {
        // Only new since the last export found nothing: done, and no file written (issue 16.2).
        nothingNew = true;
        j.result = { ...result, filename: downloadNameFor(result.filename, j.request.kind, j.id) };
        // A stream started before the export knew (Chrome): its download goes, and one still to come too.
        breakStream(j, 'nothing new since the last export');
        partial = j.downloadId;
        delete j.downloadId;
        return;
      }
      j.phase = 'saving';
      if (streamed && j.stream?.state === 'open') {
        go = 'stream';
        j.filename = j.stream.name;
        j.result = { ...result, filename: j.stream.name };
        j.stream.copyUrl = url;
        return;
      }
      go = 'copy';
      const filename = downloadNameFor(result.filename, j.request.kind, j.id);
      j.filename = filename;
      j.result = { ...result, filename };
      if (j.stream) {
        // The stream was tried and did not carry the whole archive: its download goes, the copy is saved.
        breakStream(j, streamProblem ?? 'the stream did not reach its end');
        j.result.warnings = [...(j.result.warnings ?? []), savedFromCopyWarning(j.stream.reason)];
        partial = j.downloadId;
        delete j.downloadId;
      }
    });
    if (cancelled) return this.finish(jobId, 'cancelled');
    if (nothingNew) {
      if (partial !== undefined) await this.discard(partial);
      return this.finish(jobId, 'done');
    }
    if (!job || !go) return;
    await this.deps.announce(job);
    if (partial !== undefined) await this.discard(partial);
    if (go === 'copy') return this.downloadCopy(jobId, url);
    // The stream's download: its id came with downloads.onCreated, or is found by its URL now.
    if (job.downloadId === undefined && this.deps.baseUrl) {
      const [item] = await this.deps.downloads.search({ url: new URL(streamPathOf(jobId), this.deps.baseUrl).href }).catch(() => []);
      if (item?.id !== undefined) {
        const found = await this.deps.jobs.update(jobId, (j) => void (j.downloadId ??= item.id));
        if (found) return this.checkDownload(found);
      }
      return; // onCreated brings it
    }
    await this.checkDownload(job);
  }

  /** The old way (Firefox, and Chrome's fall-back): the downloads API copies the finished archive. */
  private async downloadCopy(jobId: string, url: string): Promise<void> {
    const job = await this.deps.jobs.update(jobId, () => {});
    if (!job || !isJobActive(job)) return;
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

  // ---- Chrome: the archive streamed to Downloads as it is built (lib/streamDownload.ts) ----

  /** The host's `host/stream`: whether job `jobId` may stream its archive, named `filename`. */
  async offerStream(jobId: string, filename: string): Promise<boolean> {
    let ok = false;
    await this.deps.jobs.update(jobId, (j) => void (ok = offerStream(j, filename)));
    return ok;
  }

  /** The service worker is asked for `/stream/<jobId>`: the download name, once, or null. */
  async openStream(jobId: string): Promise<string | null> {
    let name: string | null = null;
    await this.deps.jobs.update(jobId, (j) => void (name = openStream(j)));
    return name;
  }

  /**
   * `downloads.onCreated`: a download of a stream URL of ours is the job's download. One whose job
   * is not streaming (ended, cancelled, refused, or unknown) must not stay.
   */
  async downloadCreated(item: { id: number; url?: string; finalUrl?: string }): Promise<void> {
    const base = this.deps.baseUrl;
    if (!base) return;
    const jobId = jobIdOfStreamUrl(item.url ?? '', base) ?? jobIdOfStreamUrl(item.finalUrl ?? '', base);
    if (!jobId) return;
    let mine = false;
    const job = await this.deps.jobs.update(jobId, (j) => {
      if (!isJobActive(j) || j.cancelRequested || j.stream?.state !== 'open' || (j.downloadId !== undefined && j.downloadId !== item.id)) return;
      mine = true;
      j.downloadId = item.id;
    });
    if (!mine) return this.discard(item.id);
    if (job) await this.checkDownload(job);
  }

  /**
   * The stream failed (its download interrupted, the service worker that served it stopped, the
   * engine did not hand it over): its partial download is removed and erased, and the engine goes on
   * with its copy; once the engine is done (or if it is already), the copy is downloaded.
   */
  async streamBroken(jobId: string, reason: string): Promise<void> {
    let broke = false;
    let partial: number | undefined;
    const job = await this.deps.jobs.update(jobId, (j) => {
      if (!isJobActive(j) || !breakStream(j, reason)) return;
      broke = true;
      partial = j.downloadId;
      delete j.downloadId;
      if (j.phase === 'saving' && j.result) j.result.warnings = [...(j.result.warnings ?? []), savedFromCopyWarning(reason)];
    });
    if (!job || !broke) return;
    if (partial !== undefined) await this.discard(partial);
    if (job.phase === 'running') await this.deps.toHost({ to: 'host', type: 'host/stream-failed', jobId, reason }).catch(() => {});
    else if (job.phase === 'saving' && job.stream?.copyUrl) {
      await this.deps.announce(job);
      await this.downloadCopy(jobId, job.stream.copyUrl);
    }
  }

  /** A download may have ended while the service worker was stopped, or just now (`onChanged`). */
  async checkDownload(seen: JobState): Promise<void> {
    const downloadId = seen.downloadId;
    if (downloadId === undefined) return;
    const [item] = await this.deps.downloads.search({ id: downloadId });
    // The job as it is now (another event may have moved it on meanwhile): still this download's?
    const job = await this.deps.jobs.update(seen.id, () => {}, false);
    if (!job || job.downloadId !== downloadId || !isJobActive(job)) return;
    const streaming = job.stream?.state === 'open';
    if (item?.state === 'complete') {
      // A stream's download may complete before the engine's `host/ready`, which then ends the job.
      if (job.phase === 'saving') await this.finish(job.id, 'done');
    } else if (item?.state === 'interrupted') {
      const why = `Download interrupted: ${item.error ?? 'unknown reason'}`;
      // Cancelled in the browser's own downloads list: the user's Cancel.
      if (streaming && item.error === 'USER_CANCELED') await this.cancel(job.id);
      else if (streaming) await this.streamBroken(job.id, why);
      else await this.finish(job.id, 'failed', why);
    } else if (!item && streaming) await this.streamBroken(job.id, 'the download was removed');
  }

  /** On a (re)start: a job cancelled while saving, whose download id was never stored, ends now. */
  async resume(job: JobState): Promise<void> {
    // A stream lives in its own service worker (lib/streamServer.ts), not in this one: a restart of
    // the background leaves it streaming. Its download says how it is (interrupted: the copy is saved).
    if (isJobActive(job) && job.stream?.state === 'open') return this.checkDownload(job);
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
