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

export type OpenFn = (init: { offset: number; etag: string | null }) => Promise<Response>;

/** GET with `Range: bytes=offset-` (and `If-Range`) when resuming. Throws PlatformError on non-2xx. */
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
 * A file's bytes as one stream that survives a body cut mid-way: on a read error it asks again
 * from the byte it reached (`Range`), skipping bytes itself if the server answers 200 instead of 206.
 * `onBytes` sees every byte once, in order.
 */
export async function openResumableBody(
  open: OpenFn,
  opts: { policy?: RetryPolicy; signal?: AbortSignal; info?: AttemptInfo; onBytes?: (n: number) => void } = {},
): Promise<{ response: Response; body: ReadableStream<Uint8Array> }> {
  const policy = opts.policy ?? defaultRetryPolicy;
  const info = opts.info ?? { attempts: 0 };
  const first = await withRetries(() => open({ offset: 0, etag: null }), { ...opts, info });
  const etag = first.headers.get('ETag');
  let offset = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = first.body ? first.body.getReader() : null;
  let skip = 0;
  let failures = 0;

  const reopen = async () => {
    const res = await withRetries(() => open({ offset, etag }), { policy, signal: opts.signal, info });
    // 206 starts at `offset`; a 200 starts at 0 and we drop what we already have.
    skip = res.status === 206 ? 0 : offset;
    reader = res.body ? res.body.getReader() : null;
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) return controller.close();
        try {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          let chunk = value;
          if (skip > 0) {
            const drop = Math.min(skip, chunk.byteLength);
            skip -= drop;
            chunk = chunk.subarray(drop);
            if (chunk.byteLength === 0) continue;
          }
          offset += chunk.byteLength;
          opts.onBytes?.(chunk.byteLength);
          controller.enqueue(chunk);
          return;
        } catch (err) {
          if (opts.signal?.aborted) throw opts.signal.reason;
          if (++failures >= policy.maxAttempts) throw err;
          await sleep(backoffDelay(failures, policy), opts.signal);
          await reopen();
        }
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
  return { response: first, body };
}

/**
 * Maps `items` through `start` with at most `width` started ahead, yielding results in input order.
 * Results are settled values so one failure never stops the rest.
 */
export async function* orderedWindow<I, O>(
  items: AsyncIterable<I> | Iterable<I>,
  width: number,
  start: (item: I) => Promise<O>,
): AsyncGenerator<{ item: I; result: PromiseSettledResult<O> }> {
  const queue: { item: I; promise: Promise<PromiseSettledResult<O>> }[] = [];
  const settle = (p: Promise<O>): Promise<PromiseSettledResult<O>> =>
    p.then(
      (value) => ({ status: 'fulfilled', value }),
      (reason) => ({ status: 'rejected', reason }),
    );
  for await (const item of items) {
    queue.push({ item, promise: settle(start(item)) });
    if (queue.length >= width) {
      const head = queue.shift()!;
      yield { item: head.item, result: await head.promise };
    }
  }
  while (queue.length) {
    const head = queue.shift()!;
    yield { item: head.item, result: await head.promise };
  }
}
