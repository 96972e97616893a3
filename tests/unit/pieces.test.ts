import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { piecesOf } from '../../workers/pieces';

const collect = async (it: AsyncIterable<Uint8Array>, copy: boolean) => {
  const out: Buffer[] = [];
  for await (const p of it) out.push(copy ? Buffer.from(p) : Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return Buffer.concat(out);
};

describe('piecesOf', () => {
  it('with a scratch, a Blob comes in views of the scratch buffer, the same bytes as without', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 6 }), fc.integer({ min: 1, max: 3000 }), async (parts, scratchSize) => {
        const blob = new Blob(parts);
        const scratch = { buffer: new ArrayBuffer(scratchSize) };
        const seen: number[] = [];
        const out: Buffer[] = [];
        for await (const p of piecesOf(blob, scratch)) {
          expect(p.byteLength).toBeLessThanOrEqual(scratchSize);
          seen.push(p.buffer.byteLength); // now, before the next read moves the buffer on
          out.push(Buffer.from(p)); // copied before the next piece, as the caller must
        }
        expect(Buffer.concat(out)).toEqual(Buffer.concat(parts));
        expect(await collect(piecesOf(blob), false)).toEqual(Buffer.concat(parts));
        // Node's Blob stream is a byte stream: every piece was read into the scratch.
        for (const n of seen) expect(n).toBe(scratchSize);
        expect(scratch.buffer.byteLength).toBe(scratchSize);
      }),
      { numRuns: 60 },
    );
  });

  it('an iterable of pieces passes as it is', async () => {
    async function* gen() {
      yield Uint8Array.of(1, 2);
      yield Uint8Array.of(3);
    }
    expect([...(await collect(piecesOf(gen(), { buffer: new ArrayBuffer(8) }), true))]).toEqual([1, 2, 3]);
  });
});
