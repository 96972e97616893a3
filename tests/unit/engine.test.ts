import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { CorruptFileError, downloadVerified } from '../../workers/verified';
import { SessionGate } from '../../workers/session';
import { memoryTempStore } from '../../workers/buffering';
import type { OpenFn } from '../../workers/fetching';
import { PlatformError } from '../../lib/platform';

const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A body that gives `n` bytes of `bytes`, then fails like a dropped connection. */
function cutAfter(bytes: Uint8Array, n: number) {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent) return c.error(new TypeError('terminated'));
      sent = true;
      c.enqueue(bytes.slice(0, n));
    },
  });
}

describe('downloadVerified', () => {
  const data = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
  const ok = (body: Uint8Array, checksum = sha(data)) =>
    new Response(body as BodyInit, { headers: { 'X-Checksum-Sha256': checksum, 'Content-Length': String(body.length) } });
  const base = { store: memoryTempStore, expectedSize: data.length, signal: new AbortController().signal, policy: fast };

  it('returns the bytes when the checksum matches, with their size and CRC-32 for the archive', async () => {
    const file = await downloadVerified(async () => ok(data), { ...base, info: { attempts: 0 } });
    expect(new Uint8Array(file.content as Uint8Array)).toEqual(data);
    expect(file.size).toBe(data.length);
    expect(file.crc32).toBe(crc32(data));
  });

  it('downloads again when the bytes do not match, and counts bytes back', async () => {
    let n = 0;
    let bytes = 0;
    const bad = data.slice();
    bad[100] ^= 1;
    const open: OpenFn = async () => (++n === 1 ? ok(bad) : ok(data));
    const file = await downloadVerified(open, { ...base, info: { attempts: 0 }, onBytes: (b) => (bytes += b) });
    expect(n).toBe(2);
    expect(bytes).toBe(data.length);
    expect(sha(file.content as Uint8Array)).toBe(sha(data));
    expect(file.crc32).toBe(crc32(data)); // of the good download, not of both
  });

  it('a file that never matches is corrupt, never returned', async () => {
    const bad = data.slice();
    bad[0] ^= 0xff;
    const err = await downloadVerified(async () => ok(bad), { ...base, info: { attempts: 0 }, checksumAttempts: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toMatch(/checksum mismatch/);
  });

  it('a short body is not accepted', async () => {
    const err = await downloadVerified(async () => new Response(data.subarray(0, 10) as BodyInit), { ...base, info: { attempts: 0 }, checksumAttempts: 1 }).catch((e) => e);
    expect(err.message).toMatch(/size mismatch/);
  });

  it('a file served without X-Checksum-Sha256 goes in, marked not verified; one with it is verified', async () => {
    const plain = await downloadVerified(async () => new Response(data as BodyInit, { headers: { 'Content-Length': String(data.length) } }), {
      ...base,
      info: { attempts: 0 },
    });
    expect(plain.verified).toBe(false);
    expect(new Uint8Array(plain.content as Uint8Array)).toEqual(data);
    const empty = await downloadVerified(async () => ok(data, ''), { ...base, info: { attempts: 0 } });
    expect(empty.verified).toBe(false);
    const checked = await downloadVerified(async () => ok(data), { ...base, info: { attempts: 0 } });
    expect(checked.verified).toBe(true);
  });

  it('a resumed request answered 200 (the file changed) starts over from byte 0: hash, CRC and buffer reset', async () => {
    const v2 = new Uint8Array(3000).map((_, i) => (i * 13 + 5) & 0xff);
    const calls: { offset: number; etag: string | null }[] = [];
    const open: OpenFn = async (init) => {
      calls.push(init);
      if (calls.length === 1) {
        // v1, cut after 2000 bytes.
        const body = cutAfter(data, 2000);
        return new Response(body, { headers: { ETag: '"v1"', 'X-Checksum-Sha256': sha(data), 'Content-Length': String(data.length) } });
      }
      // If-Range "v1" failed: the whole of v2, with its own checksum and length.
      return new Response(v2 as BodyInit, { status: 200, headers: { ETag: '"v2"', 'X-Checksum-Sha256': sha(v2), 'Content-Length': String(v2.length) } });
    };
    const created: number[] = [];
    const disposed: number[] = [];
    let n = 0;
    const store = {
      async create(hint: number) {
        const id = n++;
        created.push(id);
        const f = await memoryTempStore.create(hint);
        return { ...f, inMemory: f.inMemory, write: f.write, finish: f.finish, dispose: async () => void disposed.push(id) };
      },
      clear: async () => {},
    };
    let bytes = 0;
    const file = await downloadVerified(open, { ...base, store, info: { attempts: 0 }, onBytes: (b) => (bytes += b) });
    expect(calls).toEqual([
      { offset: 0, etag: null },
      { offset: 2000, etag: '"v1"' },
    ]);
    expect(new Uint8Array(file.content as Uint8Array)).toEqual(v2); // v2 alone, not v1's 2000 bytes + v2
    expect(file.size).toBe(v2.length);
    expect(file.crc32).toBe(crc32(v2));
    expect(file.verified).toBe(true);
    expect(bytes).toBe(v2.length);
    expect(created).toEqual([0, 1]);
    expect(disposed).toEqual([0]); // v1's buffer dropped at the restart
  });

  it('with the hash computed incrementally (no native digest), a restart resets it too', async () => {
    const subtle = globalThis.crypto.subtle;
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
    try {
      const v2 = new Uint8Array(1234).map((_, i) => (i * 3) & 0xff);
      let n = 0;
      const open: OpenFn = async () => {
        if (++n === 1)
          return new Response(cutAfter(data, 700), { headers: { ETag: '"v1"', 'X-Checksum-Sha256': sha(data) } });
        return new Response(v2 as BodyInit, { status: 200, headers: { 'X-Checksum-Sha256': sha(v2), 'Content-Length': String(v2.length) } });
      };
      const file = await downloadVerified(open, { ...base, info: { attempts: 0 }, checksumAttempts: 1 });
      expect(new Uint8Array(file.content as Uint8Array)).toEqual(v2);
    } finally {
      Object.defineProperty(globalThis.crypto, 'subtle', { value: subtle, configurable: true });
    }
  });

  it('a 401 waits for the session, then goes on', async () => {
    let signedIn = false;
    const paused: boolean[] = [];
    const gate = new SessionGate(async () => signedIn, (p) => paused.push(p), new AbortController().signal, 5);
    const open: OpenFn = async () => {
      if (!signedIn) throw new PlatformError(401, 'unauthenticated', 'Session expired');
      return ok(data);
    };
    const pending = downloadVerified(open, { ...base, info: { attempts: 0 }, gate });
    await new Promise((r) => setTimeout(r, 30));
    expect(paused).toEqual([true]);
    signedIn = true;
    const file = await pending;
    expect((file.content as Uint8Array).byteLength).toBe(data.length);
    expect(paused).toEqual([true, false]);
  });
});

describe('SessionGate', () => {
  it('one wait for every caller; other errors pass through; cancel ends the wait', async () => {
    let probes = 0;
    const controller = new AbortController();
    const gate = new SessionGate(async () => ++probes >= 3, () => {}, controller.signal, 1);
    const calls = [0, 0];
    const runs = calls.map((_, i) =>
      gate.run(async () => {
        if (++calls[i] === 1) throw new PlatformError(401, 'x', 'x');
        return i;
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 1]);
    expect(probes).toBe(3);
    await expect(gate.run(async () => Promise.reject(new PlatformError(404, 'x', 'gone')))).rejects.toThrow('gone');
    const waiting = gate.run(async () => Promise.reject(new PlatformError(401, 'x', 'x')));
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow();
  });
});

describe('ensureSpace', async () => {
  const { ensureSpace, SPACE_MARGIN } = await import('../../workers/space');
  it('says clearly when the disk cannot hold the export', async () => {
    const estimate = async () => ({ quota: 2 * 1024 ** 3, usage: 1024 ** 3 });
    await expect(ensureSpace(512 * 1024 ** 2, estimate)).resolves.toBeUndefined();
    await expect(ensureSpace(1024 ** 3, estimate)).rejects.toThrow(
      /Not enough free disk space for this export: it needs about 1\.3 GB and the browser can use 1\.0 GB/,
    );
    expect(SPACE_MARGIN).toBe(256 * 1024 ** 2);
    await expect(ensureSpace(10 ** 15, async () => undefined)).resolves.toBeUndefined();
  });
});
