import { createSHA256, type IHasher } from 'hash-wasm';
import type { Progress } from '../lib/jobs';
import { SHA256SUMS_NAME, Sha256Sums } from '../lib/sha256sums';
import { makeStoredZip, piecesOf, type ZipInput } from './storedZip';

/** An entry of one of our archives; `sha256` (hex) when the engine already computed it. */
export interface ArchiveEntry extends ZipInput {
  sha256?: string;
}

/**
 * The archive of `entries` as a stream, ending with `SHA256SUMS` (lib/sha256sums.ts), counting into
 * `progress.archiveBytes` what reaches the sink.
 */
export function zipStream(entries: AsyncIterable<ArchiveEntry>, progress: Progress): ReadableStream<Uint8Array> {
  return makeStoredZip(withChecksums(entries)).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        progress.archiveBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
}

const encoder = new TextEncoder();

/**
 * Every entry as it goes into the archive, its SHA-256 noted: the one the engine computed while
 * downloading (verified files), else hashed here as the writer reads its bytes (our own documents,
 * drawn images: small next to the files). Then the list itself.
 */
async function* withChecksums(entries: AsyncIterable<ArchiveEntry>): AsyncGenerator<ZipInput> {
  const sums = new Sha256Sums();
  let hasher: IHasher | null = null;
  for await (const { sha256, ...entry } of entries) {
    if (sha256) {
      sums.add(entry.name, sha256);
      yield entry;
      continue;
    }
    const h = (hasher ??= await createSHA256());
    h.init();
    const { input } = entry;
    if (typeof input === 'string' || input instanceof Uint8Array) {
      const bytes = typeof input === 'string' ? encoder.encode(input) : input;
      h.update(bytes);
      sums.add(entry.name, h.digest('hex'));
      yield { ...entry, input: bytes };
      continue;
    }
    // Hashed as the writer pulls each piece; the writer finishes one entry before the next.
        yield {
      ...entry,
      input: (async function* () {
        for await (const piece of piecesOf(input)) {
          h.update(piece);
          yield piece;
        }
        sums.add(entry.name, h.digest('hex'));
      })(),
    };
  }
  yield { name: SHA256SUMS_NAME, lastModified: new Date(), input: sums.bytes() };
}
