/**
 * The engine's end of the download stream (Chrome; lib/streamDownload.ts for the whole path). The
 * service worker, asked for `/stream/<jobId>`, sends the engine a MessagePort (through the offscreen
 * document); the engine posts a ReadableStream on it, so the bytes go ONE hop, engine worker →
 * service worker, in large coalesced chunks (each pull takes everything written since the last), and
 * the download's pace holds the engine back once a bounded amount is pending (`mirrorOn`).
 *
 * The sink writes each chunk into the private file system first (the journaled copy), then into the
 * stream, waiting while the download is behind. A stream that fails (the service worker stopped,
 * the download interrupted or cancelled in the browser, the background saying so) is dropped and
 * never waited on again: the copy goes on alone and becomes the download.
 */

/** How long the engine waits for the service worker to ask for the stream before it goes without. */
export const STREAM_ATTACH_TIMEOUT_MS = 15_000;

export interface DownloadMirror {
  /** Writes `chunk` into the stream; resolves once the stream takes more (or has failed). */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the stream; true when every byte went into it. */
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

/** The most bytes one pull hands to the download: everything written since the last, up to this. */
export const MAX_STREAM_CHUNK = 4 * 1024 * 1024;
/** Bytes written and not yet pulled beyond which a write waits (the backpressure: memory stays bounded). */
export const MAX_STREAM_PENDING = 12 * 1024 * 1024;

/** Written pieces below this size are copied when written (and concatenated when pulled). */
const SMALL_PIECE = 64 * 1024;

/**
 * The sink on the service worker's port: a pull-based stream posted on it. Writes are coalesced:
 * each pull takes everything written since the previous one, concatenated into ONE chunk (at most
 * `MAX_STREAM_CHUNK`), so an archive of tiny pieces (local headers, small bodies, descriptors)
 * crosses threads in large chunks, not one message per piece; a pull waits only when nothing is
 * pending, so the first bytes go at once. A write waits while more than `maxPending` bytes are
 * pending (the download is behind), or until the stream is given up.
 */
export function mirrorOn(port: MessagePort, maxPending = MAX_STREAM_PENDING, maxChunk = MAX_STREAM_CHUNK): DownloadMirror {
  const mirror = pendingMirror(maxPending, maxChunk);
  mirror.connect(port);
  return mirror;
}

/**
 * The sink before the service worker's port is there: writes are kept (within `maxPending`);
 * `connect(port)` posts the stream on it. A close waits for the port (or for the sink's failure).
 */
export function pendingMirror(maxPending = MAX_STREAM_PENDING, maxChunk = MAX_STREAM_CHUNK): DownloadMirror & { connect(port: MessagePort): void } {
  let connected = false;
  /** `close()` was called: nothing more is taken. */
  let ended = false;
  let onConnect: (() => void) | null = null;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let problem: string | null = null;
  let closing = false;
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  /** A pull waiting for bytes (nothing was pending). */
  let wantBytes: (() => void) | null = null;
  /** Writes waiting for the download to take some (more than `maxPending` pending). */
  let drained: (() => void)[] = [];
  /** `close()` waiting for every pending byte to be pulled. */
  let emptied: (() => void) | null = null;

  const release = () => {
    const ds = drained;
    drained = [];
    for (const d of ds) d();
  };
  /** Takes up to `maxChunk` pending bytes as one chunk, whose buffer is exactly its bytes (the transferred stream clones whole buffers). */
  const take = (): Uint8Array => {
    const first = pending[0];
    // One piece that is a whole buffer: handed on as it is (a view's clone would copy ALL its buffer).
    if ((first.byteLength >= maxChunk || pending.length === 1) && first.byteOffset === 0 && first.byteLength === first.buffer.byteLength) {
      pending.shift();
      pendingBytes -= first.byteLength;
      return first;
    }
    let size = 0;
    let n = 0;
    while (n < pending.length && (n === 0 || size + pending[n].byteLength <= maxChunk)) size += pending[n++].byteLength;
    // (A view larger than the bound is copied out whole: the clone must carry its bytes only.)
    const out = new Uint8Array(size);
    let at = 0;
    for (let k = 0; k < n; k++) {
      out.set(pending[k], at);
      at += pending[k].byteLength;
    }
    pending = pending.slice(n);
    pendingBytes -= size;
    return out;
  };
  /** Ends the stream once every pending byte was pulled. */
  const finish = () => {
    try {
      controller?.close();
    } catch {
      // already closed or errored
    }
    emptied?.();
    emptied = null;
  };
  const fail = (reason: string) => {
    if (problem !== null) return;
    problem = reason;
    pending = [];
    pendingBytes = 0;
    try {
      controller?.error(new Error(reason));
    } catch {
      // already closed or errored
    }
    wantBytes?.();
    wantBytes = null;
    emptied?.();
    emptied = null;
    onConnect?.();
    onConnect = null;
    release();
  };
  const why = (err: unknown) => `the download stream failed: ${(err as Error)?.message ?? String(err)}`;

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      async pull(c) {
        while (pendingBytes === 0 && problem === null && !closing) await new Promise<void>((r) => (wantBytes = r));
        if (problem !== null) return;
        if (pendingBytes > 0) {
          c.enqueue(take());
          if (pendingBytes <= maxPending) release();
        }
        if (pendingBytes === 0 && closing) finish();
      },
      cancel(reason) {
        fail(why(reason ?? 'cancelled by the download'));
      },
    },
    { highWaterMark: 0 },
  );

  return {
    connect(port) {
      if (connected || problem !== null) return;
      connected = true;
      // A transferred stream clones each chunk into the service worker. Sending the chunks over the
      // port with their buffers TRANSFERRED instead was measured (2026-12-02, 2 cores): faster (1 GB
      // in 15.3 s against 16.5–17.7 s) but 4 GB grew memory by 523 MB against 264 MB: a moved buffer
      // does not count as the service worker's own allocation, so its collector is never pressed to
      // free the chunks it has passed on. A clone is allocated there, and collected.
      port.postMessage({ stream: readable }, [readable as unknown as Transferable]);
      port.close();
      onConnect?.();
      onConnect = null;
    },
    get problem() {
      return problem;
    },
    async write(chunk) {
      if (problem !== null || ended || chunk.byteLength === 0) return;
      // A small piece is copied (it is concatenated anyway; its producer may reuse its buffer); a large
      // one is kept as it is, like any stream chunk (a copy of each would only double the garbage).
      pending.push(chunk.byteLength < SMALL_PIECE ? chunk.slice() : chunk);
      pendingBytes += chunk.byteLength;
      wantBytes?.();
      wantBytes = null;
      // The download is behind: wait for a pull (or for the stream to be given up).
      while (pendingBytes > maxPending && problem === null) await new Promise<void>((r) => drained.push(r));
    },
    async close() {
      if (problem !== null) return false;
      ended = true;
      // An empty stream must not be closed before it is posted: wait for the port (or the failure).
      if (!connected) await new Promise<void>((r) => (onConnect = r));
      if (problem !== null) return false;
      if (!closing) {
        closing = true;
        if (pendingBytes === 0) finish();
        else await new Promise<void>((r) => (emptied = r));
        wantBytes?.();
        wantBytes = null;
      }
      return problem === null;
    },
    fail,
  };
}
