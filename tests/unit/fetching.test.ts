import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryPolicy, ifRangeValidator, openResumableBody, orderedWindow, rangeOpener, retryDelay, withRetries, type OpenFn } from '../../workers/fetching';
import { PlatformError } from '../../lib/platform';

const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

async function readAll(stream: ReadableStream<Uint8Array>) {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A body that sends `bytes` but errors after `cutAt` bytes. */
function cutBody(bytes: Uint8Array, cutAt: number | null) {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(bytes.subarray(0, cutAt ?? bytes.length));
        if (cutAt === null) c.close();
        return;
      }
      c.error(new TypeError('network error: body cut'));
    },
  });
}

describe('retry rules', () => {
  it('429 and 503 wait Retry-After, capped', () => {
    expect(retryDelay(new PlatformError(429, 'x', 'x', 2), 1, defaultRetryPolicy)).toBe(2000);
    expect(retryDelay(new PlatformError(503, 'x', 'x', 9999), 1, defaultRetryPolicy)).toBe(defaultRetryPolicy.maxDelayMs);
  });
  it('500 and network errors back off; 401/403/404 do not retry', () => {
    expect(retryDelay(new PlatformError(500, 'x', 'x'), 1, defaultRetryPolicy)).toBeGreaterThan(0);
    expect(retryDelay(new TypeError('fetch failed'), 1, defaultRetryPolicy)).toBeGreaterThan(0);
    for (const s of [401, 403, 404]) expect(retryDelay(new PlatformError(s, 'x', 'x'), 1, defaultRetryPolicy)).toBeNull();
  });
  it('backoff grows exponentially, with jitter within [cap/2, cap]', () => {
    const p = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 1)).toBe(100);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(9, p, () => 1)).toBe(1000);
  });
  it('withRetries gives up after maxAttempts and counts attempts', async () => {
    const info = { attempts: 0 };
    const err = await withRetries(async () => Promise.reject(new PlatformError(500, 'x', 'boom')), { policy: fast, info }).catch((e) => e);
    expect(err.message).toBe('boom');
    expect(info.attempts).toBe(4);
    let n = 0;
    expect(await withRetries(async () => (++n < 3 ? Promise.reject(new TypeError('net')) : 'ok'), { policy: fast })).toBe('ok');
  });
});

describe('openResumableBody', () => {
  const data = new Uint8Array(1000).map((_, i) => i % 251);

  it('resumes a cut body with Range from the byte it reached', async () => {
    const calls: { offset: number; etag: string | null }[] = [];
    const open: OpenFn = async (init) => {
      calls.push(init);
      const rest = data.subarray(init.offset);
      return new Response(cutBody(rest, calls.length === 1 ? 300 : null), {
        status: init.offset ? 206 : 200,
        headers: { ETag: '"v1"' },
      });
    };
    const info = { attempts: 0 };
    const { body } = await openResumableBody(open, { policy: fast, info });
    expect(await readAll(body)).toEqual(data);
    expect(info.attempts).toBe(2); // the first request and the Range request, counted together
    expect(calls).toEqual([
      { offset: 0, etag: null },
      { offset: 300, etag: '"v1"' },
    ]);
  });

  it('a 200 to a Range request (the file changed) restarts from byte 0: onRestart, never spliced', async () => {
    const v2 = new Uint8Array(700).map((_, i) => 255 - (i % 200));
    const calls: { offset: number; etag: string | null }[] = [];
    const open: OpenFn = async (init) => {
      calls.push(init);
      // v1 is cut at 400 bytes; the resumed request finds v2 (If-Range fails): 200 with all of v2.
      if (calls.length === 1) return new Response(cutBody(data, 400), { status: 200, headers: { ETag: '"v1"' } });
      return new Response(cutBody(v2, null), { status: 200, headers: { ETag: '"v2"', 'X-Checksum-Sha256': 'new' } });
    };
    let counted = 0;
    const received: number[] = [];
    const restarts: string[] = [];
    const { body } = await openResumableBody(open, {
      policy: fast,
      onBytes: (b) => (counted += b),
      onRestart: (res) => {
        restarts.push(res.headers.get('X-Checksum-Sha256')!);
        received.length = 0;
      },
    });
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(...value);
    }
    expect(calls).toEqual([
      { offset: 0, etag: null },
      { offset: 400, etag: '"v1"' },
    ]);
    expect(restarts).toEqual(['new']);
    expect(new Uint8Array(received)).toEqual(v2);
    expect(counted).toBe(700); // the 400 bytes of v1 were taken back
  });

  it('a 200 to a Range request without onRestart: another version fails the stream instead of splicing', async () => {
    let n = 0;
    const open: OpenFn = async () => new Response(cutBody(data, ++n === 1 ? 400 : null), { status: 200, headers: { ETag: n === 1 ? '"v1"' : '"v2"' } });
    const { body } = await openResumableBody(open, { policy: fast });
    await expect(readAll(body)).rejects.toThrow(/changed on the platform while it was downloading/);
  });

  it('a 200 to a Range request without onRestart: the same version (or no validator at all) skips what it has', async () => {
    for (const headers of [{ ETag: '"v1"' }, {} as Record<string, string>]) {
      let n = 0;
      const open: OpenFn = async () => new Response(cutBody(data, ++n === 1 ? 400 : null), { status: 200, headers });
      let counted = 0;
      const { body } = await openResumableBody(open, { policy: fast, onBytes: (b) => (counted += b) });
      expect(await readAll(body)).toEqual(data);
      expect(counted).toBe(1000);
    }
  });

  it('If-Range carries a strong ETag, else Last-Modified; a weak ETag or junk is no validator', () => {
    expect(ifRangeValidator(new Headers({ ETag: '"a"', 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }))).toBe('"a"');
    expect(ifRangeValidator(new Headers({ ETag: 'W/"a"', 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }))).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
    expect(ifRangeValidator(new Headers({ ETag: 'W/"a"' }))).toBeNull();
    expect(ifRangeValidator(new Headers())).toBeNull();
  });

  it('rangeOpener sends Range and If-Range only when resuming', async () => {
    const seen: Headers[] = [];
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers));
      return new Response('x', { status: 206 });
    }) as unknown as typeof fetch;
    const open = rangeOpener(fetchImpl, 'http://p.test/f');
    await open({ offset: 0, etag: '"v1"' });
    await open({ offset: 10, etag: '"v1"' });
    expect(seen[0].get('Range')).toBeNull();
    expect(seen[0].get('If-Range')).toBeNull();
    expect(seen[1].get('Range')).toBe('bytes=10-');
    expect(seen[1].get('If-Range')).toBe('"v1"');
  });

  it('a resumed request that meets a 401 waits at the gate, then goes on from the byte it reached', async () => {
    const calls: number[] = [];
    let signedIn = true;
    const open: OpenFn = async (init) => {
      calls.push(init.offset);
      if (init.offset === 0) {
        signedIn = false; // the session ends while this body is cut
        return new Response(cutBody(data, 600), { status: 200, headers: { ETag: '"v1"' } });
      }
      if (!signedIn) throw new PlatformError(401, 'unauthenticated', 'Session expired');
      return new Response(cutBody(data.subarray(init.offset), null), { status: 206 });
    };
    let waits = 0;
    const gate = {
      async run<T>(fn: () => Promise<T>): Promise<T> {
        for (;;) {
          try {
            return await fn();
          } catch (err) {
            if (!(err instanceof PlatformError && err.status === 401)) throw err;
            waits++;
            signedIn = true; // signed in again
          }
        }
      },
    };
    const { body } = await openResumableBody(open, { policy: fast, gate });
    expect(await readAll(body)).toEqual(data);
    expect(waits).toBe(1);
    expect(calls).toEqual([0, 600, 600]);
  });

  it('read(scratch) reads a byte stream into the scratch buffer, through a cut, and gives the same bytes as the stream', async () => {
    // A byte stream (as a fetch body is in Chrome) that errors after `cutAt` bytes the first time.
    const byteBody = (bytes: Uint8Array, cutAt: number | null) => {
      let at = 0;
      return new ReadableStream({
        type: 'bytes',
        pull(c) {
          const end = Math.min(bytes.length, at + 97, cutAt ?? Infinity);
          if (at === end && at < bytes.length) return c.error(new TypeError('network error: body cut'));
          if (at === end) {
            // A read waiting for bytes learns of the end once its request is answered with none.
            c.close();
            return c.byobRequest?.respond(0);
          }
          c.enqueue(bytes.slice(at, end));
          at = end;
        },
      });
    };
    const calls: number[] = [];
    const open: OpenFn = async (init) => {
      calls.push(init.offset);
      return new Response(byteBody(data.subarray(init.offset), calls.length === 1 ? 450 : null), { status: init.offset ? 206 : 200, headers: { ETag: '"v1"' } });
    };
    const { read } = await openResumableBody(open, { policy: fast });
    const scratch = { buffer: new ArrayBuffer(64) };
    const got: number[] = [];
    for (let chunk = await read(scratch); chunk; chunk = await read(scratch)) {
      expect(chunk.buffer).toBe(scratch.buffer); // read into the scratch, not a chunk of its own
      got.push(...chunk);
    }
    expect(new Uint8Array(got)).toEqual(data);
    expect(calls).toEqual([0, 450]);
    expect(scratch.buffer.byteLength).toBe(64); // still usable after the failed read
  });

  it('read(scratch) on a stream that is not a byte stream gives its own chunks', async () => {
    const open: OpenFn = async () => new Response(cutBody(data, null));
    const { read } = await openResumableBody(open, { policy: fast });
    const scratch = { buffer: new ArrayBuffer(64) };
    const chunk = await read(scratch);
    expect(chunk && [...chunk]).toEqual([...data]);
    expect(await read(scratch)).toBeNull();
  });

  it('fails after too many cuts', async () => {
    const open: OpenFn = async (init) => new Response(cutBody(data.subarray(init.offset), 10), { status: init.offset ? 206 : 200 });
    const { body } = await openResumableBody(open, { policy: fast });
    await expect(readAll(body)).rejects.toThrow(/cut/);
  });
});

describe('orderedWindow', () => {
  it('keeps at most `width` in flight and yields in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out: number[] = [];
    const start = async (i: number) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (10 - i) * 2));
      inFlight--;
      if (i === 4) throw new Error('four');
      return i * 10;
    };
    for await (const { item, result } of orderedWindow([...Array(10).keys()], 3, start)) {
      out.push(item);
      if (item === 4) expect(result.status).toBe('rejected');
      else expect(result).toEqual({ status: 'fulfilled', value: item * 10 });
    }
    expect(out).toEqual([...Array(10).keys()]);
    expect(peak).toBeLessThanOrEqual(3);
  });
});
