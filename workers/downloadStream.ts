/**
 * The engine's end of the download stream (Chrome; lib/streamDownload.ts for the whole path). The
 * stream service worker, asked for `/stream/<jobId>`, sends the engine a MessagePort (through the
 * offscreen document); on it the engine grants the worker ranges of its journaled copy to read
 * (lib/copyStream.ts), so the bytes are written once, into the copy, and the download reads them
 * from there as they are written. The download's pace holds the export back once a bounded amount
 * is written and not yet read (`mirrorOn`).
 *
 * The sink (workers/opfs.ts) asks before each write of the copy (`beforeWrite`: not while the worker
 * re-reads a range that met a write) and says after it how far the copy goes (`written`). A stream that fails (the
 * service worker stopped, the download interrupted or cancelled in the browser, the background
 * saying so) is dropped and never waited on again: the copy goes on alone and becomes the download.
 */

import { MAX_RANGE, copyStreamMessage, type CopyStreamMessage } from '../lib/copyStream';

/** How long the engine waits for the service worker to ask for the stream before it goes without. */
export const STREAM_ATTACH_TIMEOUT_MS = 15_000;

export interface DownloadMirror {
  /** Resolves when the copy may be written (no range of it is being read), or once the stream failed. */
  beforeWrite(): Promise<void>;
  /** The copy now holds `offset` bytes; resolves once the download is close enough behind (or the stream failed). */
  written(offset: number): Promise<void>;
  /** The copy is whole (its last write done): resolves true once every byte of it was read into the download. */
  close(): Promise<boolean>;
  /** Gives the stream up (idempotent); the download side sees it fail. */
  fail(reason: string): void;
  /** Why the stream was given up, or null while it holds. */
  readonly problem: string | null;
}

const waiting = new Map<string, (port: MessagePort) => void>();
const mirrors = new Map<string, DownloadMirror>();

/**
 * The service worker's port for job `jobId` arrived. Refused (the port told so and closed) when the
 * engine is not waiting for that job's stream: a second ask, a late one, an unknown job.
 */
export function attachStream(jobId: string, port: MessagePort): boolean {
  const take = waiting.get(jobId);
  if (!take) {
    port.postMessage({ error: 'The engine is not waiting for this stream.' });
    port.close();
    return false;
  }
  waiting.delete(jobId);
  take(port);
  return true;
}

/** The background says the stream of `jobId` failed: drop it, go on with the copy. */
export function streamFailed(jobId: string, reason: string): void {
  mirrors.get(jobId)?.fail(reason);
}

/**
 * Opens job `jobId`'s download stream: `offer()` asks the background (and opens the iframe). Once it
 * agreed, the sink is returned AT ONCE: the engine writes while the service worker's port is on its
 * way (what is written meanwhile waits in the sink, within its bound), and the port connects it. No
 * port within `timeoutMs`, a cancel, or the background giving up fails the sink (the copy goes on
 * alone). Resolves to the sink, or to why not.
 */
export async function openDownloadStream(
  jobId: string,
  offer: () => Promise<boolean>,
  signal: AbortSignal,
  timeoutMs = STREAM_ATTACH_TIMEOUT_MS,
): Promise<DownloadMirror | string> {
  if (signal.aborted) return 'the export was cancelled';
  const mirror = pendingMirror();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = () => {
    clearTimeout(timer);
    if (waiting.get(jobId) === take) waiting.delete(jobId);
  };
  const take = (port: MessagePort) => {
    done();
    if (mirror.problem !== null) {
      port.postMessage({ error: 'The export gave this stream up.' });
      port.close();
      return;
    }
    mirror.connect(port);
  };
  // Set before the offer: the port may come before the background's answer does.
  waiting.set(jobId, take);
  mirrors.set(jobId, mirror);
  timer = setTimeout(() => {
    done();
    mirror.fail('the service worker did not ask for the stream in time');
  }, timeoutMs);
  // A cancel never waits on the download (paused in the browser, or stalled): the stream fails.
  signal.addEventListener(
    'abort',
    () => {
      done();
      mirror.fail('the export was cancelled');
    },
    { once: true },
  );
  if (!(await offer().catch(() => false))) {
    done();
    mirrors.delete(jobId);
    mirror.fail('the background did not let it stream');
    return 'the background did not let it stream';
  }
  return mirror;
}

/** Forgets job `jobId`'s stream (the job ended). */
export function forgetStream(jobId: string): void {
  mirrors.get(jobId)?.fail('the export ended');
  mirrors.delete(jobId);
}

/** Bytes written and not yet read beyond which a write waits (the download's pace holds the export back). */
export const MAX_STREAM_PENDING = 16 * 1024 * 1024;
/** A range smaller than this waits up to `GATHER_MS` for more bytes (so a fast download does not read the copy in crumbs). */
export const MIN_RANGE = 1024 * 1024;
export const GATHER_MS = 50;
/** A granted range not read within this gives the stream up (the stream worker stalled: writes must go on). */
export const READ_TIMEOUT_MS = 30_000;

/**
 * The sink on the stream worker's port (lib/copyStream.ts for the protocol): the worker reads the
 * copy itself, range by range; this side grants the ranges, holds the copy's writes while a range
 * that met a write is read again, and holds the export back while more than `maxPending` bytes are
 * written and not yet read.
 */
export function mirrorOn(port: MessagePort, maxPending = MAX_STREAM_PENDING): DownloadMirror {
  const mirror = pendingMirror(maxPending);
  mirror.connect(port);
  return mirror;
}

/**
 * The sink before the stream worker's port is there: the copy's writes go on (within `maxPending`);
 * `connect(port)` starts granting ranges on it. A close waits for the port (or for the failure).
 */
export function pendingMirror(maxPending = MAX_STREAM_PENDING, maxRange = MAX_RANGE): DownloadMirror & { connect(port: MessagePort): void } {
  let port: MessagePort | null = null;
  let problem: string | null = null;
  /** Bytes of the archive in the copy, and read from it by the stream worker. */
  let written = 0;
  let read = 0;
  /** The archive's size, once `close()` was called. */
  let total: number | null = null;
  /** The end was posted: the stream is whole. */
  let done = false;
  /** The stream worker waits for bytes from this offset. */
  let want: number | null = null;
  /** The range being read, with its timeout; `hold`: the copy's writes wait until it is read. */
  let reading: { to: number; timer: ReturnType<typeof setTimeout>; hold: boolean } | null = null;
  let gathering: ReturnType<typeof setTimeout> | null = null;
  /** Everything waiting for a change: writes (a read, the backpressure), `close()`. */
  let waiters: (() => void)[] = [];

  const wake = () => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const until = async (ok: () => boolean) => {
    while (!ok() && problem === null) await new Promise<void>((r) => waiters.push(r));
  };
  const post = (m: CopyStreamMessage) => {
    try {
      port?.postMessage(m);
    } catch {
      // the port is gone: its close event fails the stream
    }
  };
  const fail = (reason: string) => {
    if (problem !== null || done) return;
    problem = reason;
    if (reading) clearTimeout(reading.timer);
    if (gathering) clearTimeout(gathering);
    reading = null;
    post({ error: reason });
    port?.close();
    wake();
  };
  /** Answers a waiting `want` when there is something to give: a range, or the end. */
  const grant = (now = false) => {
    if (port === null || want === null || reading !== null || problem !== null) return;
    if (total !== null && want === total) {
      want = null;
      done = true;
      post({ end: total });
      port.close();
      wake();
      return;
    }
    if (written <= want) return;
    // (The first bytes go at once: the download shows as started.)
    if (!now && want > 0 && written - want < Math.min(MIN_RANGE, maxRange) && total === null) {
      gathering ??= setTimeout(() => {
        gathering = null;
        grant(true);
      }, GATHER_MS);
      return;
    }
    if (gathering) clearTimeout(gathering);
    gathering = null;
    const to = Math.min(written, want + maxRange);
    post({ range: [want, to] });
    want = null;
    reading = { to, timer: setTimeout(() => fail('the download stopped reading the copy'), READ_TIMEOUT_MS), hold: false };
  };
  const onMessage = (e: MessageEvent) => {
    const m = copyStreamMessage(e.data);
    if (m && 'want' in m && reading === null && want === null && m.want === read) {
      want = m.want;
      grant();
    } else if (m && 'hold' in m && reading !== null && !reading.hold && m.hold === reading.to) {
      // No write is under way (they run whole, on this thread): the next one waits for the read.
      reading.hold = true;
      post({ held: m.hold });
    } else if (m && 'read' in m && reading !== null && m.read === reading.to) {
      clearTimeout(reading.timer);
      reading = null;
      read = m.read;
      wake();
    } else fail(m && 'error' in m ? `the download stream failed: ${m.error}` : 'the stream worker sent a message out of order');
  };

  return {
    connect(p) {
      if (port !== null || problem !== null) return;
      port = p;
      p.onmessage = onMessage;
      p.addEventListener('close', () => fail('the stream worker went away'));
      p.postMessage({ ready: true });
      wake();
    },
    get problem() {
      return problem;
    },
    beforeWrite: () => until(() => !reading?.hold),
    async written(offset) {
      if (problem !== null || total !== null) return;
      written = offset;
      grant();
      await until(() => written - read <= maxPending);
    },
    async close() {
      if (problem !== null) return false;
      total ??= written;
      grant(true);
      await until(() => done);
      return problem === null;
    },
    fail,
  };
}
