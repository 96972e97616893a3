import type { Progress } from '../lib/jobs';
import { makeStoredZip, type ZipInput } from './storedZip';

/** The archive of `entries` as a stream, counting into `progress.archiveBytes` what reaches the sink. */
export function zipStream(entries: AsyncIterable<ZipInput>, progress: Progress): ReadableStream<Uint8Array> {
  return makeStoredZip(entries).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        progress.archiveBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
}
