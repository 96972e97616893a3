/**
 * The archive writer: a streaming ZIP of stored (uncompressed) entries, ZIP64 where sizes, offsets
 * or the entry count need it.
 *
 * Why our own and not client-zip: client-zip computes every entry's CRC-32 itself, in plain JS
 * (~320 MB/s), on the one thread that writes the archive. Our files are downloaded and checked
 * before they enter the archive, and their CRC-32 is computed then (hash-wasm, ~1.5 GB/s, while the
 * bytes arrive, spread over the parallel downloads). An entry given with `crc32` and `size` is
 * written without reading its bytes twice; any other is hashed here, with hash-wasm too.
 *
 * Entries with known CRC and size get it in their local header; text streamed in pieces (execution
 * documents) gets a data descriptor after its bytes. Small pieces are gathered into chunks of up to
 * 1 MiB, so an archive of 20,000 small files is a few hundred writes, not 60,000; large bodies pass
 * through without a copy, Blobs are read piece by piece.
 *
 * Memory per entry: none but its central-directory record, kept as the bytes it will be written as
 * (workers/spillBuffer.ts: 1 MiB blocks, moved to a temp file of the job past a few MiB), so an
 * archive of a million entries costs no more memory than one of a thousand.
 */
import { createCRC32, type IHasher } from 'hash-wasm';
import type { WrittenEntry } from '../lib/archiveJournal';
import type { TempStore } from './buffering';
import { SpillBuffer } from './spillBuffer';
import { piecesOf } from './pieces';
import { bufferPool, giveBackScratch, takeScratch } from './bufferPool';

export { piecesOf };

export type { WrittenEntry };

export interface ZipInput {
  /** The entry's path, '/'-separated, stored as UTF-8. */
  name: string;
  lastModified: Date;
  input: Uint8Array | Blob | string | AsyncIterable<Uint8Array>;
  /** Known CRC-32 of the bytes (with `size`): the writer trusts it and does not hash them. */
  crc32?: number;
  size?: number;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** Output chunks gather small pieces up to this size… */
const CHUNK = 1024 * 1024;
/** …and pieces this large go out as they are. */
const DIRECT = 256 * 1024;
const UTF8 = 0x0800;
const DESCRIPTOR = 0x0008;
/** Unix, spec version 4.5 (ZIP64). */
const MADE_BY = (3 << 8) | 45;
const FILE_MODE = (0o100644 << 16) >>> 0;

const encoder = new TextEncoder();

export interface ZipOptions {
  /**
   * Entries already written, in order, by an earlier run of the same archive (its bytes up to the
   * last one's `end` are kept by the sink): the writer starts there and lists them in its directory.
   */
  resume?: readonly WrittenEntry[];
  /** Each entry once the writer has produced all of its bytes (they reach the sink later). */
  onEntry?: (entry: WrittenEntry) => void;
  /** Where the central directory waits once it outgrows a few MiB (the job's temp files); absent: memory. */
  spill?: TempStore;
}

interface Entry {
  name: Uint8Array;
  flags: number;
  crc: number;
  size: number;
  offset: number;
  dosTime: number;
  dosDate: number;
  unixTime: number;
}

const fromWritten = (w: WrittenEntry): Entry => ({
  name: encoder.encode(w.name),
  flags: w.flags,
  crc: w.crc32,
  size: w.size,
  offset: w.offset,
  dosTime: w.dosTime,
  dosDate: w.dosDate,
  unixTime: w.unixTime,
});

/** The resumed entries, checked (contiguous from offset 0, each within its own bounds), into `directory`. */
function resumed(entries: readonly WrittenEntry[], directory: SpillBuffer): number {
  let offset = 0;
  for (const w of entries) {
    const e = fromWritten(w);
    const header = 30 + e.name.byteLength;
    if (w.offset !== offset || !(w.end >= w.offset + header + w.size) || w.size < 0 || !Number.isSafeInteger(w.end))
      throw new Error(`ZIP resume: entry ${JSON.stringify(w.name)} at ${w.offset}–${w.end} does not follow ${offset}`);
    offset = w.end;
    directory.push(centralHeader(e));
  }
  return offset;
}

/** Gathers small pieces into chunks of up to {@link CHUNK}; counts every byte. */
class Output {
  private buf = bufferPool.take(CHUNK);
  private used = 0;
  private ready: Uint8Array[] = [];
  offset = 0;

  /** `transient`: the bytes' buffer is used again once this returns (a read's scratch): always copied. */
  push(bytes: Uint8Array, transient = false) {
    this.offset += bytes.byteLength;
    if (bytes.byteLength >= DIRECT && !transient) {
      this.flush();
      // Not copied: the sink reads it later, so it is the sink's until written (workers/bufferPool.ts).
      bufferPool.toSink(bytes);
      this.ready.push(bytes);
      return;
    }
    if (this.used + bytes.byteLength > CHUNK) this.flush();
    this.buf.set(bytes, this.used);
    this.used += bytes.byteLength;
  }

  /** The gathered bytes go to the sink in their own array, and the next ones into another. */
  flush() {
    if (this.used === 0) return;
    const full = this.buf.subarray(0, this.used);
    bufferPool.toSink(full);
    bufferPool.release(this.buf);
    this.ready.push(full);
    this.buf = bufferPool.take(CHUNK);
    this.used = 0;
  }

  dispose() {
    bufferPool.release(this.buf);
  }

  /** The chunks ready to go (all of them after `flush`). */
  take(): Uint8Array[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }
}

/** A little-endian record builder. */
class Record {
  readonly bytes: Uint8Array;
  private view: DataView;
  private at = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(v: number) {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
    return this;
  }
  u32(v: number) {
    this.view.setUint32(this.at, v >>> 0, true);
    this.at += 4;
    return this;
  }
  u64(v: number) {
    this.view.setBigUint64(this.at, BigInt(v), true);
    this.at += 8;
    return this;
  }
  raw(b: Uint8Array) {
    this.bytes.set(b, this.at);
    this.at += b.byteLength;
    return this;
  }
}

/** MS-DOS date and time (local time, 2-second steps, clamped to 1980–2107). */
export function dosDateTime(d: Date): { date: number; time: number } {
  const year = d.getFullYear();
  if (Number.isNaN(year) || year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

/** Extended timestamp extra field (0x5455): modification time in Unix seconds. */
function extendedTime(unixTime: number): Uint8Array {
  return new Record(9).u16(0x5455).u16(5).raw(new Uint8Array([1])).u32(unixTime).bytes;
}

function localHeader(e: Entry): Uint8Array {
  const zip64 = e.size >= MAX32;
  const extra = [...(zip64 ? [new Record(20).u16(0x0001).u16(16).u64(e.size).u64(e.size).bytes] : []), extendedTime(e.unixTime)];
  const extraLength = extra.reduce((n, x) => n + x.byteLength, 0);
  const r = new Record(30 + e.name.byteLength + extraLength)
    .u32(0x04034b50)
    .u16(zip64 ? 45 : 20)
    .u16(e.flags)
    .u16(0)
    .u16(e.dosTime)
    .u16(e.dosDate)
    .u32(e.flags & DESCRIPTOR ? 0 : e.crc)
    .u32(e.flags & DESCRIPTOR ? 0 : zip64 ? MAX32 : e.size)
    .u32(e.flags & DESCRIPTOR ? 0 : zip64 ? MAX32 : e.size)
    .u16(e.name.byteLength)
    .u16(extraLength)
    .raw(e.name);
  for (const x of extra) r.raw(x);
  return r.bytes;
}

function centralHeader(e: Entry): Uint8Array {
  const bigSize = e.size >= MAX32;
  const bigOffset = e.offset >= MAX32;
  const zip64Fields = (bigSize ? 2 : 0) + (bigOffset ? 1 : 0);
  const extra: Uint8Array[] = [];
  if (zip64Fields) {
    const z = new Record(4 + 8 * zip64Fields).u16(0x0001).u16(8 * zip64Fields);
    if (bigSize) z.u64(e.size).u64(e.size);
    if (bigOffset) z.u64(e.offset);
    extra.push(z.bytes);
  }
  extra.push(extendedTime(e.unixTime));
  const extraLength = extra.reduce((n, x) => n + x.byteLength, 0);
  const r = new Record(46 + e.name.byteLength + extraLength)
    .u32(0x02014b50)
    .u16(MADE_BY)
    .u16(zip64Fields ? 45 : 20)
    .u16(e.flags)
    .u16(0)
    .u16(e.dosTime)
    .u16(e.dosDate)
    .u32(e.crc)
    .u32(bigSize ? MAX32 : e.size)
    .u32(bigSize ? MAX32 : e.size)
    .u16(e.name.byteLength)
    .u16(extraLength)
    .u16(0)
    .u16(0)
    .u16(0)
    .u32(FILE_MODE)
    .u32(bigOffset ? MAX32 : e.offset)
    .raw(e.name);
  for (const x of extra) r.raw(x);
  return r.bytes;
}

/** The end records: ZIP64 ones when the count, the directory's size or its offset need them. */
function endRecords(count: number, dirOffset: number, dirSize: number): Uint8Array[] {
  const zip64 = count >= MAX16 || dirOffset >= MAX32 || dirSize >= MAX32;
  const out: Uint8Array[] = [];
  if (zip64) {
    const at = dirOffset + dirSize;
    out.push(
      new Record(56).u32(0x06064b50).u64(44).u16(MADE_BY).u16(45).u32(0).u32(0).u64(count).u64(count).u64(dirSize).u64(dirOffset).bytes,
      new Record(20).u32(0x07064b50).u32(0).u64(at).u32(1).bytes,
    );
  }
  out.push(
    new Record(22)
      .u32(0x06054b50)
      .u16(0)
      .u16(0)
      .u16(Math.min(count, MAX16))
      .u16(Math.min(count, MAX16))
      .u32(Math.min(dirSize, MAX32))
      .u32(Math.min(dirOffset, MAX32))
      .u16(0).bytes,
  );
  return out;
}

const crcValue = (h: IHasher) => parseInt(h.digest('hex'), 16);

/** CRC-32 of bytes in memory. */
function crc32Of(h: IHasher, bytes: Uint8Array): number {
  h.init();
  h.update(bytes);
  return crcValue(h);
}


async function* archiveChunks(entries: AsyncIterable<ZipInput>, opts: ZipOptions): AsyncGenerator<Uint8Array> {
  const out = new Output();
  const directory = new SpillBuffer(opts.spill);
  try {
    yield* entriesThenDirectory(entries, opts, out, directory);
  } finally {
    out.dispose();
    await directory.dispose();
  }
}

async function* entriesThenDirectory(entries: AsyncIterable<ZipInput>, opts: ZipOptions, out: Output, directory: SpillBuffer): AsyncGenerator<Uint8Array> {
  out.offset = resumed(opts.resume ?? [], directory);
  let count = opts.resume?.length ?? 0;
  let hasher: IHasher | null = null;
  const crcHasher = async () => (hasher ??= await createCRC32());

  for await (const item of entries) {
    const { date, time } = dosDateTime(item.lastModified);
    const body = typeof item.input === 'string' ? encoder.encode(item.input) : item.input instanceof Uint8Array ? item.input : null;
    const known = item.crc32 !== undefined;
    if (known && item.size === undefined) throw new Error(`ZIP entry ${item.name}: a CRC-32 without a size`);
    const e: Entry = {
      name: encoder.encode(item.name),
      flags: UTF8,
      crc: item.crc32 ?? 0,
      size: item.size ?? body?.byteLength ?? 0,
      offset: out.offset,
      dosTime: time,
      dosDate: date,
      unixTime: Math.max(0, Math.min(MAX32, Math.floor(item.lastModified.getTime() / 1000) || 0)),
    };
    if (body) {
      if (!known) e.crc = crc32Of(await crcHasher(), body);
      else if (body.byteLength !== e.size) throw new Error(`ZIP entry ${item.name}: ${body.byteLength} bytes, ${e.size} announced`);
      out.push(localHeader(e));
      out.push(body);
    } else if (known) {
      // Known CRC and size (a verified file on disk): header first, bytes as they are read.
      out.push(localHeader(e));
      let n = 0;
      // A file on disk is read into a scratch buffer and copied into the gathered writes (no new
      // buffer for every piece read: workers/bufferPool.ts).
      const scratch = item.input instanceof Blob ? { buffer: takeScratch() } : undefined;
      try {
        for await (const piece of piecesOf(item.input as Blob | AsyncIterable<Uint8Array>, scratch)) {
          n += piece.byteLength;
          out.push(piece, !!scratch);
          yield* out.take();
        }
      } finally {
        if (scratch) giveBackScratch(scratch.buffer);
      }
      if (n !== e.size) throw new Error(`ZIP entry ${item.name}: ${n} bytes read, ${e.size} announced`);
    } else {
      // Streamed without a known CRC: hashed as it goes, CRC and size in a data descriptor.
      e.flags |= DESCRIPTOR;
      out.push(localHeader(e));
      const h = await crcHasher();
      h.init();
      let n = 0;
      for await (const piece of piecesOf(item.input as Blob | AsyncIterable<Uint8Array>)) {
        h.update(piece);
        n += piece.byteLength;
        out.push(piece);
        yield* out.take();
      }
      if (n >= MAX32) throw new Error(`ZIP entry ${item.name}: a streamed entry of 4 GiB or more is not supported`);
      if (item.input instanceof Blob && n !== item.input.size) throw new Error(`ZIP entry ${item.name}: ${n} bytes read, ${item.input.size} announced`);
      e.crc = crcValue(h);
      e.size = n;
      out.push(new Record(16).u32(0x08074b50).u32(e.crc).u32(n).u32(n).bytes);
    }
    directory.push(centralHeader(e));
    count++;
    if (directory.wantsSpill) await directory.spill();
    opts.onEntry?.({
      name: item.name,
      flags: e.flags,
      crc32: e.crc,
      size: e.size,
      offset: e.offset,
      end: out.offset,
      dosTime: e.dosTime,
      dosDate: e.dosDate,
      unixTime: e.unixTime,
    });
    yield* out.take();
  }

  const dirOffset = out.offset;
  for await (const piece of directory.pieces()) {
    out.push(piece);
    yield* out.take();
  }
  for (const r of endRecords(count, dirOffset, out.offset - dirOffset)) out.push(r);
  out.flush();
  yield* out.take();
}

/**
 * The archive of `entries` as a byte stream. Entries are pulled one at a time, as the reader asks
 * for bytes; cancelling the stream ends the entries' iterator. With `opts.resume` the stream holds
 * only the bytes after the resumed entries (the sink appends them to the kept part).
 */
export function makeStoredZip(entries: AsyncIterable<ZipInput>, opts: ZipOptions = {}): ReadableStream<Uint8Array> {
  const chunks = archiveChunks(entries, opts);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
