/**
 * Hashing off the engine's thread (issue 17, point 3). Files larger than the in-memory limit stream
 * to disk and have no native one-shot SHA-256 (WebCrypto has no incremental form), so their SHA-256
 * and CRC-32 are computed incrementally by hash-wasm, which on the engine's thread runs at ~200 MB/s
 * and made one thread the bound of a multi-GB export. Here each such file goes, as it streams, to
 * one of a small pool of hashing workers (workers/hashWorker.ts; size: lib/concurrency.ts's
 * `hashPoolSize`): an incremental hash cannot be split, but different files hash on different threads.
 *
 * - Chunks are transferred, not copied: the caller gives up a chunk once it has written it.
 * - Backpressure: `update` resolves at once while the file has less than {@link MAX_PENDING_BYTES}
 *   sent and not yet hashed, else once the worker has caught up; a file never piles up in memory.
 * - Without workers (Node tests) or if a worker fails to start, the same hashes are computed on this
 *   thread ({@link inlineHashPool}).
 */
import { createCRC32, createSHA256, type IHasher } from 'hash-wasm';
import { hashPoolSize } from '../lib/concurrency';
import { isFromHasher, type FromHasher, type ToHasher } from './hashMessages';
// Vite bundles the worker (a nested `new Worker(new URL(…))` in the engine's bundle would not be).
import HashWorker from './hashWorker?worker';
import { giveBackScratch } from './bufferPool';

export interface FileDigest {
  /** Hex. */
  sha256: string;
  crc32: number;
}

/** The incremental hashes of one file. */
export interface FileHash {
  /**
   * Hashes `chunk` after every chunk given before. Its bytes may be moved to another thread: the
   * caller must not use the chunk afterwards. `scratch`: its whole buffer is the caller's to give (a
   * read's scratch, workers/bufferPool.ts): it moves as it is and comes back as a scratch, instead of
   * the view's bytes being copied. A promise means: wait for it before the next chunk.
   */
  update(chunk: Uint8Array, scratch?: boolean): void | Promise<void>;
  /** Drops what was hashed: the next chunk is byte 0 again (a file that changed mid-download). */
  reset(): void;
  digest(): Promise<FileDigest>;
  /** Frees it (after `digest`, or when the file is dropped); idempotent. */
  close(): void;
}

export interface HashPool {
  open(): Promise<FileHash>;
}

const MiB = 2 ** 20;
/** Bytes of one file sent to its worker and not yet hashed, before `update` waits. */
export const MAX_PENDING_BYTES = 4 * MiB;
/** A worker without a file for this long is stopped (its memory given back between exports). */
export const IDLE_MS = 15_000;

interface Inline {
  sha256: IHasher;
  crc32: IHasher;
}
const spareInline: Inline[] = [];

/** Hashes on the calling thread (hash-wasm), for contexts without workers. */
export const inlineHashPool: HashPool = {
  async open() {
    let h: Inline | null = spareInline.pop() ?? { sha256: await createSHA256(), crc32: await createCRC32() };
    h.sha256.init();
    h.crc32.init();
    const live = () => {
      if (!h) throw new Error('the hash is closed');
      return h;
    };
    return {
      update(chunk) {
        const x = live();
        x.sha256.update(chunk);
        x.crc32.update(chunk);
      },
      reset() {
        live().sha256.init();
        live().crc32.init();
      },
      async digest() {
        const x = live();
        return { sha256: x.sha256.digest('hex'), crc32: parseInt(x.crc32.digest('hex'), 16) };
      },
      close() {
        if (h) spareInline.push(h);
        h = null;
      },
    };
  },
};

/** A worker as the pool uses it (a fake in tests). */
export interface HashWorkerLike {
  postMessage(message: ToHasher, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', fn: (e: Event) => void): void;
  terminate(): void;
}

interface FileState {
  pending: number;
  waiter: (() => void) | null;
  digest: { resolve: (d: FileDigest) => void; reject: (e: Error) => void } | null;
  error: Error | null;
}

interface Slot {
  worker: HashWorkerLike;
  /** True once the worker has loaded; false if it failed first (files then hash on this thread). */
  ready: Promise<boolean>;
  files: Map<number, FileState>;
  pending: number;
  idle: ReturnType<typeof setTimeout> | null;
}

const startWorker = (): HashWorkerLike => new HashWorker({ name: 'hash' }) as HashWorkerLike;

/** Up to `size` hashing workers, started when first needed; each file goes to the least busy one. */
export class WorkerHashPool implements HashPool {
  private readonly slots: (Slot | null)[];
  private nextId = 1;
  /** A worker failed (e.g. could not load): from then on, files hash on this thread. */
  private broken = false;

  constructor(
    size: number,
    private readonly makeWorker: () => HashWorkerLike = startWorker,
    private readonly idleMs = IDLE_MS,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => null);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers running now. */
  get running(): number {
    return this.slots.filter(Boolean).length;
  }

  private slot(): Slot {
    // An idle slot not started yet beats a busy running one; then the least pending bytes, then files.
    let best = -1;
    let score = Infinity;
    this.slots.forEach((s, i) => {
      const v = s ? s.pending + s.files.size : -1;
      if (v < score) [best, score] = [i, v];
    });
    return this.slots[best] ?? (this.slots[best] = this.start(best));
  }

  private start(index: number): Slot {
    let loaded: (ok: boolean) => void = () => {};
    const slot: Slot = { worker: this.makeWorker(), ready: new Promise((r) => (loaded = r)), files: new Map(), pending: 0, idle: null };
    slot.worker.addEventListener('message', (e: MessageEvent) => {
      if (!isFromHasher(e.data)) return;
      if (e.data.op === 'ready') loaded(true);
      else this.onMessage(slot, e.data);
    });
    slot.worker.addEventListener('error', () => {
      loaded(false);
      this.fail(index, slot, new Error('a hashing worker failed'));
    });
    return slot;
  }

  private onMessage(slot: Slot, m: Exclude<FromHasher, { op: 'ready' }>) {
    const file = slot.files.get(m.id);
    if (!file) return;
    if (m.op === 'ack') {
      // The chunk's buffer, back: a scratch is read into again (anything else is left to the collector).
      if (m.buf) giveBackScratch(m.buf);
      const n = Math.min(m.bytes, file.pending);
      file.pending -= n;
      slot.pending -= n;
      if (file.waiter && file.pending < MAX_PENDING_BYTES) {
        const w = file.waiter;
        file.waiter = null;
        w();
      }
    } else if (m.op === 'digest') {
      file.digest?.resolve({ sha256: m.sha256, crc32: m.crc32 });
      file.digest = null;
    } else {
      this.failFile(file, new Error(`hashing failed: ${m.message}`));
    }
  }

  private failFile(file: FileState, err: Error) {
    file.error ??= err;
    file.waiter?.();
    file.waiter = null;
    file.digest?.reject(file.error);
    file.digest = null;
  }

  private fail(index: number, slot: Slot, err: Error) {
    this.broken = true;
    for (const f of slot.files.values()) this.failFile(f, err);
    slot.files.clear();
    if (slot.idle) clearTimeout(slot.idle);
    slot.worker.terminate();
    if (this.slots[index] === slot) this.slots[index] = null;
  }

  async open(): Promise<FileHash> {
    if (this.broken) return inlineHashPool.open();
    const slot = this.slot();
    // A worker that could not load (a context that refuses it) costs no file: they hash here.
    if (!(await slot.ready)) return inlineHashPool.open();
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = null;
    const id = this.nextId++;
    const file: FileState = { pending: 0, waiter: null, digest: null, error: null };
    slot.files.set(id, file);
    slot.worker.postMessage({ op: 'open', id });
    let closed = false;
    const check = () => {
      if (file.error) throw file.error;
      if (closed) throw new Error('the hash is closed');
    };
    return {
      update: (chunk, scratch = false) => {
        check();
        const own = chunk.buffer instanceof ArrayBuffer && (scratch || (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength));
        // A view on part of a buffer (or a shared one) is copied, so only its own bytes move.
        const buf = own ? (chunk.buffer as ArrayBuffer) : chunk.slice().buffer;
        const offset = own ? chunk.byteOffset : 0;
        file.pending += chunk.byteLength;
        slot.pending += chunk.byteLength;
        slot.worker.postMessage({ op: 'update', id, buf, offset, length: chunk.byteLength }, [buf]);
        if (file.pending < MAX_PENDING_BYTES) return;
        return new Promise<void>((resolve) => (file.waiter = resolve)).then(check);
      },
      reset: () => {
        check();
        slot.worker.postMessage({ op: 'reset', id });
      },
      digest: () => {
        check();
        return new Promise<FileDigest>((resolve, reject) => {
          file.digest = { resolve, reject };
          slot.worker.postMessage({ op: 'digest', id });
        });
      },
      close: () => {
        if (closed) return;
        closed = true;
        slot.pending -= file.pending;
        file.pending = 0;
        if (slot.files.delete(id)) slot.worker.postMessage({ op: 'close', id });
        if (slot.files.size === 0 && this.slots.includes(slot)) {
          slot.idle = setTimeout(() => {
            const i = this.slots.indexOf(slot);
            if (slot.files.size === 0 && i >= 0) {
              this.slots[i] = null;
              slot.worker.terminate();
            }
          }, this.idleMs);
        }
      },
    };
  }
}

let shared: HashPool | null = null;

/** The engine's pool: workers where the context can start them, this thread otherwise. */
export function defaultHashPool(): HashPool {
  if (!shared) {
    const canStart = typeof Worker !== 'undefined' && typeof navigator !== 'undefined';
    shared = canStart ? new WorkerHashPool(hashPoolSize(navigator.hardwareConcurrency)) : inlineHashPool;
  }
  return shared;
}
