/**
 * The engine's end of the download stream (Chrome; lib/streamDownload.ts for the whole path). The
 * service worker, asked for `/stream/<jobId>`, sends the engine a MessagePort (through the offscreen
 * document); the engine posts a ReadableStream on it, so the bytes go ONE hop, engine worker →
 * service worker, and the transferred stream's own backpressure paces the engine to the download.
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
  waiting.get(jobId)?.(null as unknown as MessagePort);
}

/**
 * Opens job `jobId`'s download stream: `offer()` asks the background (and opens the iframe); then the
 * service worker's port is awaited (at most `timeoutMs`). Resolves to the sink, or to why not.
 */
export async function openDownloadStream(
  jobId: string,
  offer: () => Promise<boolean>,
  signal: AbortSignal,
  timeoutMs = STREAM_ATTACH_TIMEOUT_MS,
): Promise<DownloadMirror | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const port = new Promise<MessagePort | null>((resolve) => {
    waiting.set(jobId, resolve);
    timer = setTimeout(() => resolve(null), timeoutMs);
    signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  try {
    if (!(await offer().catch(() => false))) return 'the background did not let it stream';
    const p = await port;
    if (!p) return signal.aborted ? 'the export was cancelled' : 'the service worker did not ask for the stream in time';
    const mirror = mirrorOn(p);
    mirrors.set(jobId, mirror);
    // A cancel never waits on the download (paused in the browser, or stalled): the stream fails.
    signal.addEventListener('abort', () => mirror.fail('the export was cancelled'), { once: true });
    return mirror;
  } finally {
    clearTimeout(timer);
    waiting.delete(jobId);
  }
}

/** Forgets job `jobId`'s stream (the job ended). */
export function forgetStream(jobId: string): void {
  mirrors.get(jobId)?.fail('the export ended');
  mirrors.delete(jobId);
}

/** The sink on the service worker's port: a stream posted on it, written with backpressure. */
export function mirrorOn(port: MessagePort): DownloadMirror {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  port.postMessage({ stream: readable }, [readable as unknown as Transferable]);
  port.close();
  const writer = writable.getWriter();
  let problem: string | null = null;
  let closed = false;
  let onFail: () => void = () => {};
  const failed = new Promise<void>((resolve) => (onFail = resolve));
  const fail = (reason: string) => {
    if (problem !== null) return;
    problem = reason;
    onFail();
    if (!closed) writer.abort(new Error(reason)).catch(() => {});
  };
  const why = (err: unknown) => `the download stream failed: ${(err as Error)?.message ?? String(err)}`;
  return {
    get problem() {
      return problem;
    },
    async write(chunk) {
      if (problem !== null) return;
      try {
        // The download is behind: wait (or stop waiting when the stream is given up).
        await Promise.race([writer.ready, failed]);
        if (problem !== null) return;
        writer.write(chunk).catch((err) => fail(why(err)));
      } catch (err) {
        fail(why(err));
      }
    },
    async close() {
      if (problem !== null) return false;
      try {
        await Promise.race([writer.ready, failed]);
        if (problem !== null) return false;
        closed = true;
        await Promise.race([writer.close(), failed]);
      } catch (err) {
        fail(why(err));
      }
      return problem === null;
    },
    fail,
  };
}
