/**
 * One file, downloaded completely and checked against its `X-Checksum-Sha256` with an incremental
 * hash before it may enter the archive. A body cut mid-way resumes (openResumableBody); a file whose
 * bytes still do not match after every attempt is reported as corrupt and never written under its name.
 */
import { createCRC32, createSHA256, type IHasher } from 'hash-wasm';
import { CHECKSUM_HEADER } from '../lib/platform';
import type { TempStore } from './buffering';
import { POOLED_FROM, giveBackScratch, takeScratch } from './bufferPool';
import { defaultHashPool, type FileHash, type HashPool } from './hashPool';
import { sha256Hex } from './documentHash';
import { defaultRetryPolicy, openResumableBody, type AttemptInfo, type OpenFn, type RetryPolicy } from './fetching';
import type { SessionGate } from './session';
import { timed, type Stage, type StageClock } from './stages';

export class CorruptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptFileError';
  }
}

export interface VerifiedFile {
  content: Uint8Array | Blob;
  /** The content's size and CRC-32, computed as it arrived (the ZIP writer need not read it again). */
  size: number;
  crc32: number;
  /** Its SHA-256 (hex), checked against the platform's when it sent one. */
  sha256: string;
  /**
   * False when the platform sent no `X-Checksum-Sha256`: the file goes in (its size was checked),
   * and the report lists it as "not verified".
   */
  verified: boolean;
  dispose(): Promise<void>;
}

export interface VerifyOptions {
  store: TempStore;
  expectedSize: number;
  signal: AbortSignal;
  info: AttemptInfo;
  policy?: RetryPolicy;
  gate?: SessionGate;
  /** Bytes received (negative when a bad attempt's bytes are dropped). */
  onBytes?: (n: number) => void;
  /** Whole-file attempts when the checksum does not match. */
  checksumAttempts?: number;
  clock?: StageClock;
  /** Where files that stream to disk are hashed (default: the engine's pool of hashing workers). */
  hashPool?: HashPool;
}


interface Hashers {
  sha256: IHasher;
  crc32: IHasher;
}

/** Hashers are reused: making one instantiates a WebAssembly module. */
const pool: Hashers[] = [];

export async function downloadVerified(open: OpenFn, opts: VerifyOptions): Promise<VerifiedFile> {
  const hashers = pool.pop() ?? { sha256: await createSHA256(), crc32: await createCRC32() };
  try {
    return await verifiedWith(hashers, open, opts);
  } finally {
    pool.push(hashers);
  }
}

async function verifiedWith({ sha256: hasher, crc32 }: Hashers, open: OpenFn, opts: VerifyOptions): Promise<VerifiedFile> {
  const time = <T>(stage: Stage, fn: () => T): T => timed(opts.clock, stage, fn);
  const attempts = opts.checksumAttempts ?? 3;
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let counted = 0;
    const once = async (): Promise<VerifiedFile | null> => {
      hasher.init();
      crc32.init();
      let temp = await opts.store.create(opts.expectedSize);
      // Files kept in memory are hashed whole by the browser's native SHA-256 (off this thread) and
      // their CRC-32 here; files streaming to disk both on a hashing worker (workers/hashPool.ts),
      // each chunk handed over once written.
      const native = temp.inMemory && !!globalThis.crypto?.subtle;
      let pooled: FileHash | null = null;
      let size = 0;
      // Read into a scratch buffer (workers/bufferPool.ts): its bytes are copied into the file's array
      // or its temp file, then, on the way to disk, the scratch itself goes to the hashing worker.
      const scratch = opts.expectedSize >= POOLED_FROM ? { buffer: takeScratch() } : undefined;
      try {
        if (!temp.inMemory) pooled = await (opts.hashPool ?? defaultHashPool()).open();
        const resumable = await openResumableBody(open, {
          policy: opts.policy ?? defaultRetryPolicy,
          signal: opts.signal,
          info: opts.info,
          onBytes: (n) => {
            counted += n;
            opts.onBytes?.(n);
          },
          // A resumed request answered 200: the file changed. Everything received so far is
          // dropped (hash, CRC, buffered bytes) and this new version is taken from its byte 0.
          onRestart: async (fresh) => {
            response = fresh;
            hasher.init();
            crc32.init();
            pooled?.reset();
            size = 0;
            const old = temp;
            temp = await opts.store.create(opts.expectedSize);
            await old.dispose();
          },
        });
        let response = resumable.response;
        for (;;) {
          const value = await resumable.read(scratch);
          if (!value) break;
          size += value.byteLength;
          if (pooled) {
            time('buffer', () => temp.write(value));
            // (The chunk moves to the worker, a scratch whole: not used after this.)
            const room = pooled.update(value, !!scratch);
            if (scratch && scratch.buffer.byteLength === 0) scratch.buffer = takeScratch();
            if (room) await room;
            continue;
          }
          if (!native) time('sha256', () => hasher.update(value));
          time('crc32', () => crc32.update(value));
          time('buffer', () => temp.write(value, !!scratch));
        }
        // (finish's work is synchronous up to its first await: that part is timed.)
        const content = await time('buffer', () => temp.finish());
        const expected = response.headers.get(CHECKSUM_HEADER)?.trim().toLowerCase() || null;
        const digest = pooled ? await pooled.digest() : null;
        const actual = digest ? digest.sha256 : native ? await sha256Hex(content as Uint8Array) : hasher.digest('hex');
        const crc = digest ? digest.crc32 : parseInt(crc32.digest('hex'), 16);
        const length = response.headers.get('Content-Length');
        const wantSize = response.status === 200 && length !== null ? Number(length) : opts.expectedSize;
        if (expected !== null && actual !== expected) lastProblem = `checksum mismatch (SHA-256 ${actual}, platform says ${expected})`;
        else if (size !== wantSize) lastProblem = `size mismatch (${size} bytes, expected ${wantSize})`;
        else {
          const kept = temp;
          return { content, size, crc32: crc, sha256: actual, verified: expected !== null, dispose: () => kept.dispose() };
        }
        await temp.dispose();
        return null;
      } catch (err) {
        await temp.dispose();
        throw err;
      } finally {
        pooled?.close();
        pooled = null;
        if (scratch) giveBackScratch(scratch.buffer);
      }
    };
    const result = opts.gate
      ? await opts.gate.run(() => {
          opts.onBytes?.(-counted);
          counted = 0;
          return once();
        })
      : await once();
    if (result) return result;
    opts.onBytes?.(-counted);
  }
  throw new CorruptFileError(`corrupt: ${lastProblem} after ${attempts} downloads`);
}
