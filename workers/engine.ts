/**
 * The export engine: a dedicated Web Worker behind comlink. It fetches with the user's session,
 * zips (workers/storedZip.ts) and writes the archive into OPFS. The host (offscreen document in Chrome,
 * background page in Firefox) turns the finished file into a download.
 */
import * as Comlink from 'comlink';
import type { ExportRequest, JobResult, Progress } from '../lib/jobs';
import { exporterFor } from './exporters';
import { endpoints } from '../lib/platform';
import { emptyProgress, leftOut } from '../lib/jobs';
import { ensureSpace } from './space';
import { tempStoreFor } from './buffering';
import { SessionGate } from './session';
import { removeOpfsFile, sweepOpfsLeftovers, writeStreamToOpfs } from './opfs';
import { bufferPool } from './bufferPool';
import { openJournal, removeJournal, type OpenedJournal } from './journal';
import { StageClock } from './stages';
import { finishDeltaRun, openDeltaRun } from './deltaRun';
import { attachStream, forgetStream, openDownloadStream, streamFailed, type DownloadMirror } from './downloadStream';

/** What a run ends with: the result, and whether the archive also went whole into its download stream. */
export interface RunOutcome {
  result: JobResult;
  streamed: boolean;
  /** Why the stream was not used to the end, when it was tried. */
  streamProblem?: string;
}

/** Progress reports sent to the host at most this often. */
const PROGRESS_INTERVAL_MS = 200;

const running = new Map<string, AbortController>();
/** Every job this engine has run (ids only): the leftover sweep never touches their files. */
const ran = new Set<string>();

function throttle(fn: (p: Progress) => void, ms: number) {
  let last = 0;
  return {
    report(p: Progress, force = false) {
      const now = Date.now();
      if (!force && now - last < ms) return;
      last = now;
      fn({ ...p });
    },
  };
}

export const engine = {
  /**
   * Runs one export into OPFS file `outputName`. Rejects with the cause on failure or cancel.
   * `resume`: the export ran before and stopped (a crash, a restart): a ZIP goes on after the
   * entries its journal holds, if it can be trusted, else starts again from zero and says why.
   * `offerStream` (Chrome): asks for a download stream for the archive named `filename` (true: the
   * service worker will ask for it, workers/downloadStream.ts); not on a resumed run, whose first
   * bytes were written before the stop.
   */
  async run(
    jobId: string,
    request: ExportRequest,
    outputName: string,
    onProgress: (p: Progress) => void,
    resume = false,
    offerStream?: (filename: string) => Promise<boolean>,
  ): Promise<RunOutcome> {
    const controller = new AbortController();
    running.set(jobId, controller);
    ran.add(jobId);
    const started = Date.now();
    let rateBase = { t: started, bytes: 0 };
    let rate = 0;
    const throttled = throttle(onProgress, PROGRESS_INTERVAL_MS);
    const store = tempStoreFor(jobId);
    const clock = new StageClock();
    let journal: OpenedJournal | null = null;
    let mirror: DownloadMirror | null = null;
    let streamProblem: string | undefined;
    const report = (p: Progress, force = false) => {
      const now = Date.now();
      if (now - rateBase.t >= 1000) {
        const inst = ((p.bytesDone - rateBase.bytes) * 1000) / (now - rateBase.t);
        rate = rate === 0 ? inst : rate * 0.6 + inst * 0.4;
        rateBase = { t: now, bytes: p.bytesDone };
      }
      p.rate = rate;
      throttled.report(p, force);
    };
    try {
      let live: Progress | null = null;
      const gate = new SessionGate(
        async () => (await fetch(new URL(endpoints.me(), request.origin), { credentials: 'include', cache: 'no-store' })).ok,
        (paused) => {
          // A 401 may come before the export's first progress (an export resumed after a restart).
          live ??= emptyProgress();
          live.paused = paused ? 'unauthenticated' : null;
          report(live, true);
        },
        controller.signal,
      );
      // ZIPs are journaled; a CSV is one stream of rows, started again from its first row.
      journal = request.kind === 'csv' ? null : await openJournal(outputName, jobId, resume);
      // Only new since the last export (issue 16.2): what this export holds is recorded for the next.
      const delta = await openDeltaRun(request);
      const { filename, stream, failed, progress, warnings } = await exporterFor(request)(request, {
        fetch: (input, init) => fetch(input, init),
        signal: controller.signal,
        onProgress: (p) => report((live = p)),
        gate,
        tempStore: store,
        ensureSpace,
        clock,
        archive: journal ?? undefined,
        delta: delta?.ctx,
      });
      live = progress;
      if (offerStream && !resume) {
        const opened = await openDownloadStream(jobId, () => offerStream(filename), controller.signal);
        if (typeof opened === 'string') streamProblem = opened;
        else mirror = opened;
      }
      const archiveBytes = await writeStreamToOpfs(outputName, stream, controller.signal, {
        clock,
        startAt: journal?.startAt,
        onWritten: (offset) => journal?.written(offset),
        mirror: mirror ?? undefined,
      });
      if (controller.signal.aborted) {
        // Cancelled as the last bytes were written: the archive must not be handed on.
        await removeOpfsFile(outputName);
        throw controller.signal.reason;
      }
      const allWarnings = [...(warnings ?? [])];
      const deltaInfo = delta ? await finishDeltaRun(delta, jobId, request, started, leftOut(failed).length > 0, allWarnings) : undefined;
      const elapsed = (Date.now() - started) / 1000;
      progress.rate = elapsed > 0 ? progress.bytesDone / elapsed : 0;
      report(progress, true);
      const streamed = mirror ? await mirror.close() : false;
      if (mirror && !streamed) streamProblem = mirror.problem ?? undefined;
      const builtAt = Date.now();
      const result: JobResult = {
        filename,
        archiveMs: builtAt - started,
        builtAt,
        stages: clock.summary(),
        archiveBytes,
        files: progress.filesDone - leftOut(failed).length,
        failed: [...failed],
        ...(allWarnings.length ? { warnings: allWarnings } : {}),
        ...(deltaInfo ? { delta: deltaInfo } : {}),
        ...(resume ? { resumed: { kept: journal?.resumed.length ?? 0, restartReason: journal ? journal.restartReason : 'a CSV starts again from its first row' } } : {}),
      };
      return { result, streamed, ...(streamProblem ? { streamProblem } : {}) };
    } finally {
      running.delete(jobId);
      // Buffers kept for the next file are let go once no export runs.
      if (running.size === 0) bufferPool.clear();
      // A stream not closed (a failure, a cancel) fails: its download is interrupted, never complete.
      forgetStream(jobId);
      journal?.close();
      // The archive is complete or gone (removed on failure and cancel): its journal has done its work.
      await removeJournal(outputName);
      await store.clear();
    }
  },

  /**
   * Removes what jobs that no longer exist left in the private file system (the leftover sweep):
   * every entry but those of `keep` and of the jobs this engine runs or has run (the host cleans
   * those up after their download). Returns the paths removed.
   */
  async sweep(keep: string[]): Promise<string[]> {
    const kept = new Set(keep);
    return sweepOpfsLeftovers((jobId) => kept.has(jobId) || ran.has(jobId));
  },

  /** The service worker's port for job `jobId`'s download stream (through the host). */
  attachStream(jobId: string, port: MessagePort): boolean {
    return attachStream(jobId, port);
  },

  /** The background says job `jobId`'s download stream failed: the copy goes on alone. */
  streamFailed(jobId: string, reason: string): void {
    streamFailed(jobId, reason);
  },

  cancel(jobId: string): void {
    running.get(jobId)?.abort(new DOMException('Export cancelled', 'AbortError'));
  },
};

export type Engine = typeof engine;

Comlink.expose(engine);
