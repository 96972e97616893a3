/**
 * Fetching files so that nothing is lost: retries with backoff, Retry-After, resuming a body cut
 * mid-way with `Range`, and a bounded window of requests in flight whose results come out in order.
 * Pure (fetch is passed in): runs in the worker and in Node tests.
 */
import { PlatformError, errorFromResponse } from '../lib/platform';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff for 500 and network errors; doubles each time, with jitter. */
  baseDelayMs: number;
  /** Longest wait, for Retry-After too. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 30_000 };

/** Waits `ms`, or rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): exponential with full jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Whether an error is worth another attempt (and how long to wait first). */
export function retryDelay(err: unknown, attempt: number, policy: RetryPolicy): number | null {
  if (err instanceof PlatformError) {
    if ((err.status === 429 || err.status === 503) && err.retryAfterSeconds !== null)
      return Math.min(policy.maxDelayMs, err.retryAfterSeconds * 1000);
    if (err.status === 429 || err.status === 503 || err.status >= 500) return backoffDelay(attempt, policy);
    return null; // 401, 403, 404…: retrying does not help
  }
  if (err instanceof DOMException && err.name === 'AbortError') return null;
  return backoffDelay(attempt, policy); // network error
}

export interface AttemptInfo {
  /** Requests made so far, over every call that shares this object. */
  attempts: number;
}

/**
 * Calls `attemptFn` until it succeeds or the error is final or attempts run out.
 * `info.attempts` says how many were made (for the report).
 */
export async function withRetries<T>(
  attemptFn: (attempt: number) => Promise<T>,
  opts: { policy?: RetryPolicy; signal?: AbortSignal; info?: AttemptInfo },
): Promise<T> {
  const policy = opts.policy ?? defaultRetryPolicy;
  for (let attempt = 1; ; attempt++) {
    if (opts.info) opts.info.attempts++;
    try {
      return await attemptFn(attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const delay = attempt < policy.maxAttempts ? retryDelay(err, attempt, policy) : null;
      if (delay === null) throw err;
      await sleep(delay, opts.signal);
    }
  }
}

/** What a resumed request must still match: the first answer's `ETag` (strong) or `Last-Modified`. */
export type OpenFn = (init: { offset: number; etag: string | null }) => Promise<Response>;

/**
 * GET with `Range: bytes=offset-` and `If-Range: <validator>` when resuming: the server answers
 * 206 with the rest of the same version, or 200 with the whole file when it changed. Throws
 * PlatformError on non-2xx.
 */
export function rangeOpener(fetchImpl: typeof fetch, url: string, signal?: AbortSignal): OpenFn {
  return async ({ offset, etag }) => {
    const headers: Record<string, string> = {};
    if (offset > 0) {
      headers.Range = `bytes=${offset}-`;
      if (etag) headers['If-Range'] = etag;
    }
    const res = await fetchImpl(url, { credentials: 'include', cache: 'no-store', signal, headers });
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  };
}

/**
 * The validator `If-Range` may carry: a strong `ETag`, else `Last-Modified` (RFC 9110 §13.1.5: a weak
 * ETag is not allowed there). Only printable ASCII passes; anything else is no validator at all.
 */
export function ifRangeValidator(headers: Headers): string | null {
  const ok = (v: string | null) => (v !== null && /^[\x21-\x7e][\x20-\x7e]{0,1023}$/.test(v.trim()) ? v.trim() : null);
  const etag = ok(headers.get('ETag'));
  if (etag && !etag.startsWith('W/')) return etag;
  return ok(headers.get('Last-Modified'));
}

/**
 * The file changed on the server between two requests of one download (a resumed request was
 * answered 200, not 206) and the reader cannot start over: the download fails rather than splicing
 * two versions.
 */
export class ChangedWhileDownloadingError extends Error {
  constructor() {
    super('the file changed on the platform while it was downloading');
    this.name = 'ChangedWhileDownloadingError';
  }
}

/** Runs a request again after a 401 once the session works (workers/session.ts's SessionGate). */
export interface Gate {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ResumableOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  info?: AttemptInfo;
  /** Every request (the first and each resumed one) waits out a 401 here. */
  gate?: Gate;
  /** Sees every byte once, in order; negative when bytes are dropped (a restart from byte 0). */
  onBytes?: (n: number) => void;
  /**
   * A resumed request was answered `200`: the file changed (`If-Range` failed) and `response` is its
   * new version from byte 0. The reader must drop everything it received (hash, CRC, buffer) before
   * this returns; the stream then goes on with the new body from its first byte. Without it, such an
   * answer errors the stream with {@link ChangedWhileDownloadingError} when the validator shows another
   * version, and its first bytes are skipped when it is the same one (or the server gives none).
   */
  onRestart?: (response: Response) => void | Promise<void>;
}

export interface ResumableBody {
  response: Response;
  /** The bytes as a stream (read it, or `read`, not both). */
  body: ReadableStream<Uint8Array>;
  /**
   * The next bytes, or null at the end. With `scratch`, a byte stream (a fetch's body in Chrome) is
   * read straight into `scratch.buffer` (a BYOB read: no new buffer for each chunk, none for the
   * collector to find later); the read transfers that buffer and puts its new self back in `scratch`.
   * The chunk returned is then a view of it, valid only until the next read: whoever keeps its bytes
   * copies them. A stream that is not a byte stream gives its own chunks, as without `scratch`.
   */
  read(scratch?: { buffer: ArrayBuffer }): Promise<Uint8Array | null>;
}

type CurrentReader = { byob: false; r: ReadableStreamDefaultReader<Uint8Array> } | { byob: true; r: ReadableStreamBYOBReader };

/**
 * A file's bytes that survive a body cut mid-way: on a read error it asks again from the byte it
 * reached (`Range` + `If-Range`). A `206` goes on where it stopped; a `200` is a new version of the
 * file, never spliced onto the old one: it restarts from byte 0 (`onRestart`). `onBytes` sees every
 * byte once, in order. Bytes are read only when asked for (the stream's high-water mark is 0), so
 * when it restarts, every chunk it gave out has been taken by the reader.
 */
export async function openResumableBody(open: OpenFn, opts: ResumableOptions = {}): Promise<ResumableBody> {
  const policy = opts.policy ?? defaultRetryPolicy;
  const info = opts.info ?? { attempts: 0 };
  const request = (init: { offset: number; etag: string | null }) => {
    const attempt = () => withRetries(() => open(init), { policy, signal: opts.signal, info });
    return opts.gate ? opts.gate.run(attempt) : attempt();
  };
  const first = await request({ offset: 0, etag: null });
  let validator = ifRangeValidator(first.headers);
  let offset = 0;
  let source: ReadableStream<Uint8Array> | null = first.body;
  let current: CurrentReader | null = null;
  /** Until `getReader({ mode: 'byob' })` says the body is not a byte stream. */
  let byteStream = true;
  let failures = 0;
  /** Bytes of a 200 answer to skip (the same version, and the reader cannot start over). */
  let skip = 0;

  /** The body's reader of the kind asked for (a reader is released for one of the other kind). */
  const readerOf = (wantByob: boolean): CurrentReader | null => {
    if (!source) return null;
    const byob = wantByob && byteStream;
    if (current && current.byob === byob) return current;
    current?.r.releaseLock();
    current = null;
    if (byob) {
      try {
        return (current = { byob: true, r: source.getReader({ mode: 'byob' }) });
      } catch {
        byteStream = false;
      }
    }
    return (current = { byob: false, r: source.getReader() });
  };

  const reopen = async () => {
    const res = await request({ offset, etag: validator });
    skip = 0;
    if (res.status !== 206) {
      // 200: the whole file from byte 0. With If-Range sent, the file changed; without, the server
      // ignores ranges. Never spliced: the reader starts over with it (onRestart), or, when it cannot,
      // the bytes it has are skipped only if this is provably the same version (or nothing can tell).
      const sent = validator;
      const now = ifRangeValidator(res.headers);
      if (offset > 0 && !opts.onRestart) {
        if (sent !== null && now !== sent) {
          await res.body?.cancel().catch(() => {});
          throw new ChangedWhileDownloadingError();
        }
        skip = offset;
      } else {
        if (offset > 0) opts.onBytes?.(-offset);
        offset = 0;
        validator = now;
        await opts.onRestart?.(res);
      }
    }
    source = res.body;
    current = null;
    byteStream = true;
  };

  const read = async (scratch?: { buffer: ArrayBuffer }): Promise<Uint8Array | null> => {
    for (;;) {
      // Bytes to skip are read into chunks of the stream's own (they are dropped, not kept).
      const reader = readerOf(!!scratch && skip === 0);
      if (!reader) return null;
      const scratchSize = scratch?.buffer.byteLength ?? 0;
      try {
        let result: ReadableStreamReadResult<Uint8Array>;
        if (reader.byob) {
          result = await reader.r.read(new Uint8Array(scratch!.buffer));
          if (result.value) scratch!.buffer = result.value.buffer as ArrayBuffer;
        } else result = await reader.r.read();
        if (result.done) return null;
        let chunk = result.value;
        if (skip > 0) {
          const drop = Math.min(skip, chunk.byteLength);
          skip -= drop;
          chunk = chunk.subarray(drop);
        }
        if (chunk.byteLength === 0) continue;
        offset += chunk.byteLength;
        opts.onBytes?.(chunk.byteLength);
        return chunk;
      } catch (err) {
        // A BYOB read that failed keeps the buffer it was given (detached): a new one takes its place.
        if (scratch && scratch.buffer.byteLength === 0) scratch.buffer = new ArrayBuffer(scratchSize);
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (++failures >= policy.maxAttempts) throw err;
        await sleep(backoffDelay(failures, policy), opts.signal);
        await reopen();
      }
    }
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await read();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel(reason) {
        return current ? current.r.cancel(reason) : source?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { response: first, body, read };
}

/** Items that may start beyond the window while earlier ones wait their turn (see {@link orderedWindow}). */
export interface Lookahead<I> {
  /** What an item costs while it waits (e.g. its bytes). */
  weight: (item: I) => number;
  /** The most the started, not yet yielded items may weigh together for one more to start past `width`. */
  max: number;
}

/**
 * How wide an ordered window is. A number, or a width asked again before each start (it may grow
 * once the connection's protocol is known, lib/concurrency.ts), with an optional budget: no item
 * starts while the items started and not yet given out weigh `budget` or more.
 */
export interface WindowWidth<I> {
  width(): number;
  weight?: (item: I) => number;
  budget?: number;
}

/**
 * Maps `items` through `start` with at most `width` running at once, yielding results in input
 * order. Results are settled values so one failure never stops the rest.
 *
 * A result that is done waits for the ones before it; its slot is free meanwhile: another item
 * starts (so a slow head does not leave the others idle) as long as the started, not yet yielded
 * items weigh at most `lookahead.max` together and number at most twice `width`. Without
 * `lookahead`, at most `width` are started and not yet yielded. A `WindowWidth`'s budget holds
 * either way.
 */
export async function* orderedWindow<I, O>(
  items: AsyncIterable<I> | Iterable<I>,
  width: number | WindowWidth<I>,
  start: (item: I) => Promise<O>,
  lookahead?: Lookahead<I>,
): AsyncGenerator<{ item: I; result: PromiseSettledResult<O> }> {
  type Slot = { item: I; weight: number; budgetWeight: number; result: PromiseSettledResult<O> | null };
  const w: WindowWidth<I> = typeof width === 'number' ? { width: () => width } : width;
  const queue: Slot[] = [];
  let running = 0;
  let queuedWeight = 0;
  let budgetWeight = 0;
  let wake: (() => void) | null = null;
  const source: AsyncIterator<I> | Iterator<I> =
    Symbol.asyncIterator in items ? (items as AsyncIterable<I>)[Symbol.asyncIterator]() : (items as Iterable<I>)[Symbol.iterator]();
  let exhausted = false;
  /** Whether one more item may start now: a free slot, the budget not spent, and room in the queue (the window, or the lookahead's). */
  const roomFor = () => {
    const n = Math.max(1, w.width());
    if (running >= n || (w.budget !== undefined && budgetWeight >= w.budget)) return false;
    return queue.length < n || (!!lookahead && queue.length < 2 * n && queuedWeight <= lookahead.max);
  };
  try {
    for (;;) {
      while (!exhausted && roomFor()) {
        const next = await source.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const item = next.value;
        const slot: Slot = { item, weight: lookahead?.weight(item) ?? 0, budgetWeight: w.weight?.(item) ?? 0, result: null };
        queue.push(slot);
        queuedWeight += slot.weight;
        budgetWeight += slot.budgetWeight;
        running++;
        start(item).then(
          (value) => void (slot.result = { status: 'fulfilled', value }),
          (reason) => void (slot.result = { status: 'rejected', reason }),
        ).finally(() => {
          running--;
          wake?.();
        });
      }
      const head = queue[0];
      if (!head) return;
      if (head.result) {
        queue.shift();
        queuedWeight -= head.weight;
        budgetWeight -= head.budgetWeight;
        yield { item: head.item, result: head.result };
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    if (!exhausted) await source.return?.();
  }
}
