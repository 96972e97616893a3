/** Reading a Blob (or a File, disk-backed or not) without ever holding all of it. */

/** The bytes of a Blob (or an iterable of pieces) piece by piece. */
export async function* piecesOf(input: Blob | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (!(input instanceof Blob)) return yield* input;
  const reader = input.stream().getReader();
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
