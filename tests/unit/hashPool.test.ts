import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { MAX_PENDING_BYTES, WorkerHashPool, inlineHashPool, type HashWorkerLike } from '../../workers/hashPool';
import { isFromHasher, isToHasher } from '../../workers/hashMessages';
import { crc32 } from '../site/content';
import { CorruptFileError, downloadVerified } from '../../workers/verified';
import type { TempStore } from '../../workers/buffering';
import { SCRATCH_BYTES, takeScratch } from '../../workers/bufferPool';

/**
 * The real worker code (workers/hashWorker.ts) runs in this thread behind a fake `self`; fake
 * workers deliver messages to it as a structured clone with the transfer list (so a transferred
 * chunk is detached, as in a browser) and deliver its answers back asynchronously.
 */
const scope = new EventTarget() as EventTarget & { postMessage(m: unknown, transfer?: Transferable[]): void };
const engines = new Set<(data: unknown) => void>();
scope.postMessage = (m: unknown, transfer: Transferable[] = []) => {
  const data = structuredClone(m, { transfer });
  setTimeout(() => engines.forEach((fn) => fn(data)));
};
const sent: unknown[] = [];

function fakeWorker(opts: { hold?: { release: () => void; held: (() => void)[] }; loadFails?: boolean } = {}): HashWorkerLike & { terminated: boolean } {
  const listeners: { message: ((e: MessageEvent) => void)[]; error: ((e: Event) => void)[] } = { message: [], error: [] };
  const w = {
    terminated: false,
    postMessage(m: unknown, transfer: Transferable[] = []) {
      sent.push(m);
      const data = structuredClone(m, { transfer });
      const deliver = () => scope.dispatchEvent(new MessageEvent('message', { data }));
      if (opts.hold) opts.hold.held.push(deliver);
      else setTimeout(deliver);
    },
    addEventListener(type: 'message' | 'error', fn: (e: never) => void) {
      listeners[type].push(fn as never);
    },
    terminate() {
      w.terminated = true;
    },
    fail() {
      listeners.error.forEach((fn) => fn(new Event('error')));
    },
  };
  const toEngine = (data: unknown) => listeners.message.forEach((fn) => fn(new MessageEvent('message', { data })));
  engines.add(toEngine);
  // (The real worker says it has loaded once, when it starts: the fakes say it for it.)
  setTimeout(() => (opts.loadFails ? w.fail() : toEngine({ op: 'ready', id: 0 })));
  return w;
}

beforeAll(async () => {
  (globalThis as { self?: unknown }).self = scope;
  await import('../../workers/hashWorker');
});
afterAll(() => {
  delete (globalThis as { self?: unknown }).self;
});

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('WorkerHashPool', () => {
  it('hashes several files at once on its workers, each as the same bytes hashed in one go', async () => {
    const workers: ReturnType<typeof fakeWorker>[] = [];
    const pool = new WorkerHashPool(2, () => (workers.push(fakeWorker()), workers.at(-1)!), 50);
    const files = [bytes(300_000, 1), bytes(123_457, 2), bytes(0, 3)];
    const hashes = await Promise.all(files.map(() => pool.open()));
    expect(pool.running).toBe(2);
    for (let at = 0; at < 300_000; at += 65_536)
      for (const [i, f] of files.entries()) if (at < f.length) await hashes[i].update(f.slice(at, at + 65_536));
    const digests = await Promise.all(hashes.map((h) => h.digest()));
    hashes.forEach((h) => h.close());
    files.forEach((f, i) => expect(digests[i]).toEqual({ sha256: sha(f), crc32: crc32(f) }));
    // Idle workers are stopped.
    await new Promise((r) => setTimeout(r, 120));
    expect(workers.every((w) => w.terminated)).toBe(true);
    expect(pool.running).toBe(0);
  });

  it('transfers each chunk (no copy) and copies only a view on part of a buffer', async () => {
    const pool = new WorkerHashPool(1, () => fakeWorker());
    const h = await pool.open();
    const whole = bytes(1000);
    await h.update(whole);
    expect(whole.buffer.byteLength).toBe(0); // detached: it moved
    const big = bytes(2000);
    const part = big.subarray(500, 1500);
    await h.update(part);
    expect(big.byteLength).toBe(2000); // the rest of its buffer stayed
    expect((await h.digest()).sha256).toBe(sha(new Uint8Array([...bytes(1000), ...bytes(2000).subarray(500, 1500)])));
    h.close();
  });

  it('a scratch moves whole with its range, and comes back with the ack as a scratch to read into again', async () => {
    const pool = new WorkerHashPool(1, () => fakeWorker());
    const h = await pool.open();
    const scratch = takeScratch();
    new Uint8Array(scratch).set(bytes(SCRATCH_BYTES, 3));
    const view = new Uint8Array(scratch, 100, 5000);
    await h.update(view, true);
    expect(scratch.byteLength).toBe(0); // moved, not copied
    expect((await h.digest()).sha256).toBe(sha(bytes(SCRATCH_BYTES, 3).subarray(100, 5100)));
    h.close();
    const back = takeScratch();
    expect(back.byteLength).toBe(SCRATCH_BYTES);
    expect(new Uint8Array(back)[100]).toBe(bytes(SCRATCH_BYTES, 3)[100]); // the very buffer sent, back from the worker
  });

  it('waits (backpressure) once a file has MAX_PENDING_BYTES not yet hashed, until the worker catches up', async () => {
    const hold = { held: [] as (() => void)[], release() {} };
    const pool = new WorkerHashPool(1, () => fakeWorker({ hold }));
    const h = await pool.open();
    const chunk = () => new Uint8Array(1 << 20).fill(7);
    const n = MAX_PENDING_BYTES / (1 << 20);
    for (let i = 0; i < n - 1; i++) expect(h.update(chunk())).toBeUndefined();
    let released = false;
    const wait = h.update(chunk());
    expect(wait).toBeInstanceOf(Promise);
    void (wait as Promise<void>).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    for (const deliver of hold.held.splice(0)) deliver();
    await wait;
    expect(released).toBe(true);
    const d = h.digest();
    for (const deliver of hold.held.splice(0)) deliver();
    const want = createHash('sha256');
    for (let i = 0; i < n; i++) want.update(chunk());
    expect((await d).sha256).toBe(want.digest('hex'));
    h.close();
  });

  it('starts a file over on reset (a file that changed mid-download)', async () => {
    const pool = new WorkerHashPool(1, () => fakeWorker());
    const h = await pool.open();
    await h.update(bytes(5000, 9));
    h.reset();
    await h.update(bytes(7000, 4));
    expect(await h.digest()).toEqual({ sha256: sha(bytes(7000, 4)), crc32: crc32(bytes(7000, 4)) });
    h.close();
  });

  it('fails the files of a worker that fails, then hashes on this thread', async () => {
    let w: ReturnType<typeof fakeWorker> | null = null;
    const pool = new WorkerHashPool(1, () => (w = fakeWorker({ hold: { held: [], release() {} } })));
    const h = await pool.open();
    const d = h.digest();
    (w as unknown as { fail(): void }).fail();
    await expect(d).rejects.toThrow(/hashing worker failed/);
    expect(() => h.update(bytes(10))).toThrow(/hashing worker failed/);
    h.close();
    const again = await pool.open();
    await again.update(bytes(10));
    expect((await again.digest()).sha256).toBe(sha(bytes(10)));
    again.close();
  });
});

describe('a hashing worker that cannot load', () => {
  it('costs no file: they hash on this thread', async () => {
    const pool = new WorkerHashPool(1, () => fakeWorker({ loadFails: true }));
    const h = await pool.open();
    await h.update(bytes(1000, 2));
    expect(await h.digest()).toEqual({ sha256: sha(bytes(1000, 2)), crc32: crc32(bytes(1000, 2)) });
    h.close();
    expect(pool.running).toBe(0);
  });
});

describe('inlineHashPool', () => {
  it('gives the same digests on this thread', async () => {
    const h = await inlineHashPool.open();
    await h.update(bytes(100_000, 5));
    expect(await h.digest()).toEqual({ sha256: sha(bytes(100_000, 5)), crc32: crc32(bytes(100_000, 5)) });
    h.close();
    expect(() => h.update(bytes(1))).toThrow(/closed/);
  });
});

describe('hash messages', () => {
  it('are checked for shape on both sides', () => {
    expect(isToHasher({ op: 'update', id: 1, buf: new ArrayBuffer(4), offset: 0, length: 4 })).toBe(true);
    expect(isToHasher({ op: 'update', id: 1, buf: new ArrayBuffer(4), offset: 2, length: 4 })).toBe(false);
    expect(isToHasher({ op: 'update', id: 1, buf: 'x', offset: 0, length: 1 })).toBe(false);
    expect(isToHasher({ op: 'eval', id: 1 })).toBe(false);
    expect(isToHasher({ op: 'open', id: -1 })).toBe(false);
    expect(isToHasher(null)).toBe(false);
    expect(isFromHasher({ op: 'digest', id: 1, sha256: 'a'.repeat(64), crc32: 5 })).toBe(true);
    expect(isFromHasher({ op: 'digest', id: 1, sha256: '<b>', crc32: 5 })).toBe(false);
    expect(isFromHasher({ op: 'digest', id: 1, sha256: 'a'.repeat(64), crc32: 2 ** 32 })).toBe(false);
    expect(isFromHasher({ op: 'ack', id: 1, bytes: 3 })).toBe(true);
    expect(isFromHasher({ op: 'ack', id: 1 })).toBe(false);
    expect(isFromHasher({ op: 'error', id: 1, message: 'x' })).toBe(true);
    expect(sent.length).toBeGreaterThan(0);
  });
});

describe('downloadVerified with files that stream to disk', () => {
  /** A store like OPFS's for large files: not in memory, its own copy of every chunk written. */
  const diskStore = () => {
    const files: Uint8Array[][] = [];
    const store: TempStore = {
      async create() {
        const chunks: Uint8Array[] = [];
        files.push(chunks);
        return {
          inMemory: false,
          write: (c) => void chunks.push(c.slice()),
          finish: async () => new Blob(chunks as BlobPart[]),
          dispose: async () => {},
        };
      },
      clear: async () => {},
    };
    return { store, files };
  };
  const respond = (body: Uint8Array, headers: Record<string, string> = {}) => {
    // Delivered in 64 KiB chunks, each its own buffer (as fetch gives them).
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = 0; at < body.length; at += 65_536) c.enqueue(body.slice(at, at + 65_536));
        c.close();
      },
    });
    return new Response(stream, { headers: { 'Content-Length': String(body.length), ...headers } });
  };

  it('hashes them on the pool: the checksum is checked, the CRC-32 reaches the writer, the bytes written are whole', async () => {
    const file = bytes(1_000_000, 3);
    const { store, files } = diskStore();
    const pool = new WorkerHashPool(2, () => fakeWorker());
    const got = await downloadVerified(async () => respond(file, { 'X-Checksum-Sha256': sha(file) }), {
      store,
      expectedSize: file.length,
      signal: new AbortController().signal,
      info: { attempts: 0 },
      hashPool: pool,
    });
    expect(got).toMatchObject({ size: file.length, crc32: crc32(file), sha256: sha(file), verified: true });
    expect(Buffer.from(await (got.content as Blob).arrayBuffer()).equals(Buffer.from(file))).toBe(true);
    expect(files).toHaveLength(1);
  });

  it('a file whose bytes do not match is downloaded again, then reported corrupt', async () => {
    const file = bytes(300_000, 4);
    const { store } = diskStore();
    let requests = 0;
    await expect(
      downloadVerified(async () => (requests++, respond(file, { 'X-Checksum-Sha256': 'f'.repeat(64) })), {
        store,
        expectedSize: file.length,
        signal: new AbortController().signal,
        info: { attempts: 0 },
        hashPool: new WorkerHashPool(1, () => fakeWorker()),
      }),
    ).rejects.toThrow(CorruptFileError);
    expect(requests).toBe(3);
  });
});
