import type { Progress } from '../lib/jobs';
import { SHA256SUMS_NAME, sha256sumsLine } from '../lib/sha256sums';
import type { TempStore } from './buffering';
import type { ArchiveResume } from './journal';
import { DocumentHasher, sha256Hex } from './documentHash';
import { SpillBuffer } from './spillBuffer';
import { makeStoredZip, piecesOf, type ZipInput } from './storedZip';

/** An entry of one of our archives. */
export interface ArchiveEntry extends ZipInput {
  /** Its SHA-256 (hex) when the engine already computed it. */
  sha256?: string;
  /** Made by the export itself at the end (report, annotations…): written again by a resumed run, never journaled. */
  generated?: boolean;
}

const encoder = new TextEncoder();

/** `SHA256SUMS` as it grows: its lines' bytes (workers/spillBuffer.ts: on disk past a few MiB). */
class SumsList {
  readonly bytes: SpillBuffer;
  constructor(spill?: TempStore) {
    this.bytes = new SpillBuffer(spill);
  }
  /** A promise only when the list moves to disk (no await per entry otherwise). */
  add(name: string, sha256: string): Promise<void> | undefined {
    this.bytes.push(encoder.encode(sha256sumsLine(name, sha256)));
    return this.bytes.wantsSpill ? this.bytes.spill() : undefined;
  }
}

/**
 * The archive of `entries` as a stream, ending with `SHA256SUMS` (lib/sha256sums.ts), counting into
 * `progress.archiveBytes` what reaches the sink. With `archive`, it goes on after the entries an
 * earlier run wrote (the caller leaves them out of `entries`) and reports each entry it completes.
 * `spill`: the job's temp files, where the central directory and the list wait once they outgrow a
 * few MiB (memory stays flat in the number of entries).
 */
export function zipStream(entries: AsyncIterable<ArchiveEntry>, progress: Progress, archive?: ArchiveResume, spill?: TempStore): ReadableStream<Uint8Array> {
  const sums = new SumsList(spill);
  for (const e of archive?.resumed ?? []) sums.bytes.push(encoder.encode(sha256sumsLine(e.name, e.sha256)));
  progress.archiveBytes += archive?.resumed.at(-1)?.end ?? 0;
  const current: { sha256: string; generated: boolean } = { sha256: '', generated: false };
  const zip = makeStoredZip(withChecksums(entries, sums, current), {
    spill,
    resume: archive?.resumed,
    onEntry: (w) => {
      if (archive && !current.generated) archive.record({ ...w, sha256: current.sha256 });
    },
  });
  return zip.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        progress.archiveBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Every entry as it goes into the archive, its SHA-256 noted: the one the engine computed while
 * downloading (verified files), else hashed here as the writer reads its bytes (our own documents,
 * drawn images: small next to the files; workers/documentHash.ts). Then the list itself. `current` is the entry being
 * written (the writer finishes one entry before it asks for the next).
 */
async function* withChecksums(
  entries: AsyncIterable<ArchiveEntry>,
  sums: SumsList,
  current: { sha256: string; generated: boolean },
): AsyncGenerator<ZipInput> {
  const h = new DocumentHasher();
  const noted = (name: string, sha256: string) => {
    current.sha256 = sha256;
    return sums.add(name, sha256);
  };
  for await (const { sha256, generated, ...entry } of entries) {
    current.generated = !!generated;
    if (sha256) {
      const spilling = noted(entry.name, sha256);
      if (spilling) await spilling;
      yield entry;
      continue;
    }
    const { input } = entry;
    if (typeof input === 'string' || input instanceof Uint8Array) {
      const bytes = typeof input === 'string' ? encoder.encode(input) : input;
      // Already whole: hashed as it is, whatever its size (no copy).
      const spilling = noted(entry.name, await sha256Hex(bytes));
      if (spilling) await spilling;
      yield { ...entry, input: bytes };
      continue;
    }
    h.init();
    yield {
      ...entry,
      input: (async function* () {
        for await (const piece of piecesOf(input)) {
          await h.update(piece);
          yield piece;
        }
        const spilling = noted(entry.name, await h.digest());
        if (spilling) await spilling;
      })(),
    };
  }
  current.generated = true;
  yield { name: SHA256SUMS_NAME, lastModified: new Date(), input: sums.bytes.pieces() };
}
