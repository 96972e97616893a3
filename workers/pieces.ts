/** Reading a Blob (or a File, disk-backed or not) without ever holding all of it. */

/**
 * The bytes of a Blob (or an iterable of pieces) piece by piece. With `scratch`, a Blob is read
 * into `scratch.buffer` (a BYOB read, where the browser's Blob stream is a byte stream): each piece
 * is then a view of it, valid only until the next piece is asked for, so the caller copies what it
 * keeps; the buffer the reads leave is put back in `scratch`.
 */
export async function* piecesOf(input: Blob | AsyncIterable<Uint8Array>, scratch?: { buffer: ArrayBuffer }): AsyncGenerator<Uint8Array> {
  if (!(input instanceof Blob)) return yield* input;
  const stream = input.stream();
  let byob: ReadableStreamBYOBReader | null = null;
  if (scratch)
    try {
      byob = stream.getReader({ mode: 'byob' });
    } catch {
      /* not a byte stream: its own chunks */
    }
  if (byob && scratch) {
    try {
      for (;;) {
        const size = scratch.buffer.byteLength;
        const { done, value } = await byob.read(new Uint8Array(scratch.buffer)).catch((err: unknown) => {
          scratch.buffer = new ArrayBuffer(size); // the failed read kept it (detached)
          throw err;
        });
        if (value) scratch.buffer = value.buffer as ArrayBuffer;
        if (done) return;
        yield value;
      }
    } finally {
      byob.releaseLock();
    }
  }
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
