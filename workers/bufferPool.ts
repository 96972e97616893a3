/**
 * Byte arrays used again instead of left to the collector. Every file kept in memory and every
 * gathered write of the archive used to be a new `ArrayBuffer`, freed only when V8 next collected
 * (which it does after tens of MB of them): that garbage was most of a large export's memory.
 *
 * A buffer goes back to the pool only when no one can still read it: its owner gave it up
 * (`release`) and, if it was handed to the archive's sink (`toSink`), the sink has written it
 * (`written`). A buffer that never comes back (a cancelled export, a chunk some other reader kept)
 * is simply collected, as before: the pool can only be late, never early.
 */

const MIN_CLASS = 4096;
/**
 * Files smaller than this keep the collector's way (their download's own chunk, kept as it is):
 * measured on 20,000 files of 8 KB, pooling them grew memory by 10–20 MB more, not less, likely as
 * V8 then collected less often (fewer external bytes to prompt it) while each request's own objects piled up.
 */
export const POOLED_FROM = 64 * 1024;
/** Free buffers kept at most, in bytes (one export's worth of files waiting is far more). */
const FREE_LIMIT = 16 * 1024 * 1024;

/** The buffer size a request of `n` bytes gets: at most 1/8 more than asked, so sizes that differ a little share buffers. */
export function sizeClass(n: number): number {
  if (n <= MIN_CLASS) return MIN_CLASS;
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

interface Held {
  /** The very array `take` gave (its owner's handle: a stale view of an earlier use releases nothing), until released. */
  owner: Uint8Array | null;
  /** Times it went to the sink and is not yet written. */
  atSink: number;
}

export class BufferPool {
  private free = new Map<number, ArrayBuffer[]>();
  private freeBytes = 0;
  private held = new WeakMap<ArrayBuffer, Held>();

  constructor(private readonly limit = FREE_LIMIT) {}

  /** `n` bytes (zeroed only when new: the owner writes all of them before anyone reads them). */
  take(n: number): Uint8Array {
    const size = sizeClass(n);
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.freeBytes -= size;
      if (list!.length === 0) this.free.delete(size);
    } else buffer = new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer, 0, n);
    this.held.set(buffer, { owner: bytes, atSink: 0 });
    return bytes;
  }

  /** The owner is done with `bytes`, the array `take` gave it (anything else is ignored). */
  release(bytes: Uint8Array): void {
    const h = this.held.get(bytes.buffer as ArrayBuffer);
    if (!h || h.owner !== bytes) return;
    h.owner = null;
    this.freeIfDone(bytes.buffer as ArrayBuffer, h);
  }

  /** `bytes` goes on to the archive's sink, which reads it later: it stays the sink's until `written`. */
  toSink(bytes: Uint8Array): void {
    const h = this.held.get(bytes.buffer as ArrayBuffer);
    if (h && (h.owner || h.atSink > 0)) h.atSink++;
  }

  /** The sink has written `chunk` (any chunk: only one that went `toSink` counts). */
  written(chunk: Uint8Array): void {
    const h = this.held.get(chunk.buffer as ArrayBuffer);
    if (h && h.atSink > 0) {
      h.atSink--;
      this.freeIfDone(chunk.buffer as ArrayBuffer, h);
    }
  }

  /** Forgets the free buffers (the export ended). */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
    scratches.length = 0;
  }

  private freeIfDone(buffer: ArrayBuffer, h: Held) {
    if (h.owner || h.atSink > 0) return;
    this.held.delete(buffer);
    if (buffer.byteLength === 0 || this.freeBytes + buffer.byteLength > this.limit) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.freeBytes += buffer.byteLength;
  }
}

/**
 * Scratch buffers that downloads are read into (BYOB reads, workers/fetching.ts) before their bytes
 * are copied on: one per download running, and one per chunk on its way to a hashing worker, which
 * sends it back with its acknowledgement (workers/hashPool.ts). A read's scratch is a buffer only
 * one side holds at a time: reading and posting both transfer it.
 */
export const SCRATCH_BYTES = 256 * 1024;
const scratches: ArrayBuffer[] = [];
const SCRATCHES_KEPT = 32;

export const takeScratch = (): ArrayBuffer => scratches.pop() ?? new ArrayBuffer(SCRATCH_BYTES);

/** A scratch back from its reader or its hashing worker; anything else (a detached one, another size) is left to the collector. */
export function giveBackScratch(buffer: ArrayBuffer): void {
  if (buffer.byteLength === SCRATCH_BYTES && scratches.length < SCRATCHES_KEPT && !scratches.includes(buffer)) scratches.push(buffer);
}

/** The engine's pool (one per worker). */
export const bufferPool = new BufferPool();
