/**
 * One file, downloaded completely and checked against its `X-Checksum-Sha256` with an incremental
 * hash before it may enter the archive. A body cut mid-way resumes (openResumableBody); a file whose
 * bytes still do not match after every attempt is reported as corrupt and never written under its name.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { CHECKSUM_HEADER } from '../lib/platform';
import type { TempStore } from './buffering';
import { defaultRetryPolicy, openResumableBody, type AttemptInfo, type OpenFn, type RetryPolicy } from './fetching';
import type { SessionGate } from './session';

export class CorruptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptFileError';
  }
}

export interface VerifiedFile {
  content: Uint8Array | Blob;
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
}

const toHex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 hashers are reused: making one instantiates a WebAssembly module. */
const hashers: IHasher[] = [];

export async function downloadVerified(open: OpenFn, opts: VerifyOptions): Promise<VerifiedFile> {
  const hasher = hashers.pop() ?? (await createSHA256());
  try {
    return await verifiedWith(hasher, open, opts);
  } finally {
    hashers.push(hasher);
  }
}

async function verifiedWith(hasher: IHasher, open: OpenFn, opts: VerifyOptions): Promise<VerifiedFile> {
  const attempts = opts.checksumAttempts ?? 3;
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let counted = 0;
    const once = async (): Promise<VerifiedFile | null> => {
      hasher.init();
      const temp = await opts.store.create(opts.expectedSize);
      try {
        const { response, body } = await openResumableBody(open, {
          policy: opts.policy ?? defaultRetryPolicy,
          signal: opts.signal,
          info: opts.info,
          onBytes: (n) => {
            counted += n;
            opts.onBytes?.(n);
          },
        });
        // Files kept in memory are hashed whole by the browser's native SHA-256 (off this thread);
        // larger ones incrementally as they stream to disk.
        const native = temp.inMemory && !!globalThis.crypto?.subtle;
        const reader = body.getReader();
        let size = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!native) hasher.update(value);
          temp.write(value);
          size += value.byteLength;
        }
        const content = await temp.finish();
        const expected = response.headers.get(CHECKSUM_HEADER)?.trim().toLowerCase() ?? null;
        const actual = native ? toHex(await crypto.subtle.digest('SHA-256', content as Uint8Array<ArrayBuffer>)) : hasher.digest('hex');
        const length = response.headers.get('Content-Length');
        const wantSize = response.status === 200 && length !== null ? Number(length) : opts.expectedSize;
        if (expected !== null && actual !== expected) lastProblem = `checksum mismatch (SHA-256 ${actual}, platform says ${expected})`;
        else if (size !== wantSize) lastProblem = `size mismatch (${size} bytes, expected ${wantSize})`;
        else return { content, dispose: () => temp.dispose() };
        await temp.dispose();
        return null;
      } catch (err) {
        await temp.dispose();
        throw err;
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
