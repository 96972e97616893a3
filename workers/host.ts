/**
 * The engine host: owns the worker, runs jobs on it, and turns a finished OPFS file into a blob URL
 * for the downloads API. Lives in the offscreen document (Chrome) or the background page (Firefox);
 * it reports through `emit`, one short message per event, so a stopped service worker is woken.
 * In Chrome it also passes the service worker's port for a download stream to the engine
 * (`offerStream`, `attachStream`; lib/streamDownload.ts): the bytes never pass through here.
 */
import * as Comlink from 'comlink';
import type { HostToBackground } from '../lib/messages';
import type { JobState } from '../lib/jobs';
import type { Engine } from './engine';
import EngineWorker from './engine?worker';
import { opfsFile, removeOpfsFile } from './opfs';
import { mimeTypeOf, outputNameOf } from '../lib/streamDownload';

export { mimeTypeOf, outputNameOf };

export class EngineHost {
  private engine: Comlink.Remote<Engine> | null = null;
  private readonly urls = new Map<string, string>();
  private readonly active = new Set<string>();
  /** Jobs asked to cancel while running here: even a finished archive is dropped, never offered. */
  private readonly cancelling = new Set<string>();

  constructor(
    private readonly emit: (msg: HostToBackground) => void,
    /**
     * The jobs the background still has as active (its job store), for the leftover sweep. Absent,
     * only this host's own jobs are kept; when it fails, nothing is swept (better kept than lost).
     */
    private readonly liveJobs?: () => Promise<string[]>,
    /**
     * Chrome: asks the background whether job `jobId` may stream its archive `filename` to Downloads
     * and, if so, opens the stream's URL (true). Absent (Firefox): the copy is downloaded at the end.
     */
    private readonly offerStream?: (jobId: string, filename: string) => Promise<boolean>,
  ) {}

  private get worker(): Comlink.Remote<Engine> {
    if (!this.engine) {
      const w = new EngineWorker();
      this.engine = Comlink.wrap<Engine>(w);
      // A new engine: whatever an earlier one left behind (a crash, an update) goes.
      void this.sweepLeftovers().catch(() => {});
    }
    return this.engine;
  }

  /**
   * The leftover sweep (workers/opfs.ts): removes from the private file system every archive and
   * temp file whose job is neither in `keep`, nor active in the background (`liveJobs`), nor running
   * or waiting for its download here. Runs by itself when the engine starts; safe to call at any
   * time. Returns the paths removed; rejects, removing nothing, when `liveJobs` fails.
   */
  async sweepLeftovers(keep: readonly string[] = []): Promise<string[]> {
    const live = this.liveJobs ? await this.liveJobs() : [];
    return this.worker.sweep([...keep, ...live, ...this.active, ...this.urls.keys()]);
  }

  activeJobs(): string[] {
    return [...this.active];
  }

  /** Starts a job and returns at once; the outcome arrives as a message. */
  run(job: JobState): void {
    if (this.active.has(job.id)) return;
    this.active.add(job.id);
    const name = outputNameOf(job.id);
    this.worker
      .run(
        job.id,
        job.request,
        name,
        Comlink.proxy((progress) => this.emit({ to: 'background', type: 'host/progress', jobId: job.id, progress })),
        // Started again after a stop: go on from the archive's journal.
        (job.resumes ?? 0) > 0,
        this.offerStream ? Comlink.proxy((filename: string) => this.offerStream!(job.id, filename)) : undefined,
      )
      .then(async ({ result, streamed, streamProblem }) => {
        // The OPFS file has no type; without one Chromium may sniff text/plain and rename the download.
        const file = await opfsFile(name);
        if (this.cancelling.has(job.id)) {
          // Cancelled as the engine finished: the archive is dropped, never offered for download.
          await removeOpfsFile(name);
          throw new DOMException('Export cancelled', 'AbortError');
        }
        const url = URL.createObjectURL(file.slice(0, file.size, mimeTypeOf(result.filename)));
        this.urls.set(job.id, url);
        this.emit({ to: 'background', type: 'host/ready', jobId: job.id, url, result, streamed, ...(streamProblem ? { streamProblem } : {}) });
      })
      .catch((err: unknown) => {
        const e = err as { name?: string; message?: string };
        if (e?.name === 'AbortError') this.emit({ to: 'background', type: 'host/cancelled', jobId: job.id });
        else this.emit({ to: 'background', type: 'host/failed', jobId: job.id, error: e?.message ?? String(err) });
      })
      .finally(() => {
        this.active.delete(job.id);
        this.cancelling.delete(job.id);
      });
  }

  /** The service worker's port for job `jobId`'s download stream: handed to the engine (transferred). */
  attachStream(jobId: string, port: MessagePort): void {
    if (!this.active.has(jobId)) {
      port.postMessage({ error: 'No such export is running.' });
      port.close();
      return;
    }
    void this.worker.attachStream(jobId, Comlink.transfer(port, [port]));
  }

  /** The background says job `jobId`'s stream failed. */
  streamFailed(jobId: string, reason: string): void {
    if (this.active.has(jobId)) void this.worker.streamFailed(jobId, reason);
  }

  cancel(jobId: string): void {
    if (this.active.has(jobId)) {
      this.cancelling.add(jobId);
      void this.worker.cancel(jobId);
    }
    else void this.cleanup(jobId);
  }

  /** After the download completed or was interrupted: drop the blob URL and the OPFS file. */
  async cleanup(jobId: string): Promise<void> {
    const url = this.urls.get(jobId);
    if (url) URL.revokeObjectURL(url);
    this.urls.delete(jobId);
    await removeOpfsFile(outputNameOf(jobId));
  }
}
