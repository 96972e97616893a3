import { makeZip } from 'client-zip';
import type { Progress } from '../lib/jobs';
import { fixZipEntryCount } from './zip64';

type ZipFiles = Parameters<typeof makeZip>[0];
export type ZipEntry = ZipFiles extends AsyncIterable<infer T> | Iterable<infer T> ? T : never;

/**
 * The archive of `entries` as a stream (client-zip, plus the ZIP64 end records past 65,535 entries),
 * counting into `progress.archiveBytes` what reaches the sink.
 */
export function zipStream(entries: AsyncIterable<ZipEntry>, progress: Progress): ReadableStream<Uint8Array> {
  let count = 0;
  async function* counted() {
    for await (const e of entries) {
      count++;
      yield e;
    }
  }
  return makeZip(counted(), { buffersAreUTF8: true })
    .pipeThrough(fixZipEntryCount(() => count))
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          progress.archiveBytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
}
