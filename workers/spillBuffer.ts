/**
 * Bytes that grow with an archive's number of entries (its central directory, its `SHA256SUMS`)
 * kept in compact form: one growing list of 1 MiB blocks, never an object per entry. Past
 * `memoryLimit` the full blocks move to a temp file of the job (workers/buffering.ts: OPFS in the
 * engine), so memory stays flat however many entries an archive holds; `pieces` gives every byte
 * back in order. Pure apart from the store: runs in Node tests with a memory store.
 */
import type { TempFile, TempStore } from './buffering';
import { piecesOf } from './pieces';

const MiB = 1024 * 1024;
export const SPILL_BLOCK = MiB;
/** Bytes kept in memory before full blocks move to the temp file. */
export const SPILL_MEMORY_LIMIT = 4 * MiB;
/** The temp file's size hint: over the memory-buffer limit, so the store puts it on disk. */
const DISK_HINT = 8 * MiB + 1;

export class SpillBuffer {
  /** Full blocks not yet moved to the file. */
  private full: Uint8Array[] = [];
  private block: Uint8Array;
  private used = 0;
  private file: TempFile | null = null;
  /** Every byte pushed so far. */
  size = 0;

  constructor(
    private readonly store?: TempStore,
    private readonly memoryLimit = SPILL_MEMORY_LIMIT,
    private readonly blockSize = SPILL_BLOCK,
  ) {
    this.block = new Uint8Array(blockSize);
  }

  push(bytes: Uint8Array): void {
    this.size += bytes.byteLength;
    let at = 0;
    while (at < bytes.byteLength) {
      const n = Math.min(bytes.byteLength - at, this.blockSize - this.used);
      this.block.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      if (this.used === this.blockSize) {
        this.full.push(this.block);
        this.block = new Uint8Array(this.blockSize);
        this.used = 0;
      }
    }
  }

  /** Whether memory holds more than its limit and a store could take it (then call `spill`). */
  get wantsSpill(): boolean {
    return !!this.store && this.full.length * this.blockSize >= this.memoryLimit;
  }

  /** Moves the full blocks to the temp file (made on first use). Await it before the next push. */
  async spill(): Promise<void> {
    if (!this.store || !this.full.length) return;
    if (!this.file) this.file = await this.store.create(DISK_HINT);
    for (const block of this.full) this.file.write(block);
    this.full = [];
  }

  /** Every byte pushed, in order (call once, after the last push); the temp file is removed after. */
  async *pieces(): AsyncGenerator<Uint8Array> {
    const tail = [...this.full, this.block.subarray(0, this.used)];
    this.full = [];
    this.block = new Uint8Array(0);
    this.used = 0;
    if (this.file) {
      const file = this.file;
      this.file = null;
      try {
        const content = await file.finish();
        if (content instanceof Uint8Array) yield content;
        else yield* piecesOf(content);
      } finally {
        await file.dispose();
      }
    }
    for (const b of tail) if (b.byteLength) yield b;
  }

  /** Drops everything (the archive was cancelled). */
  async dispose(): Promise<void> {
    this.full = [];
    await this.file?.dispose();
    this.file = null;
  }
}
