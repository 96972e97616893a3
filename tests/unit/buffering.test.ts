import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { memoryTempFile } from '../../workers/buffering';

describe('memoryTempFile', () => {
  it('gives back exactly the bytes written, whatever the size hint says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 12 }), fc.nat(1500), async (chunks, hint) => {
        const f = memoryTempFile(hint);
        for (const c of chunks) f.write(c);
        expect(Buffer.from((await f.finish()) as Uint8Array)).toEqual(Buffer.concat(chunks));
      }),
    );
  });

  it('an empty chunk before the whole file changes nothing (found by the property above, seed 204279967)', async () => {
    const f = memoryTempFile(6);
    f.write(new Uint8Array());
    f.write(Uint8Array.of(1, 2, 3, 4, 5, 6));
    expect([...((await f.finish()) as Uint8Array)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('with the right size, the chunks land in one array of that size (no second copy at the end)', async () => {
    const f = memoryTempFile(10);
    f.write(Uint8Array.of(1, 2, 3, 4));
    f.write(Uint8Array.of(5, 6, 7, 8, 9, 10));
    const out = (await f.finish()) as Uint8Array;
    expect(out.buffer.byteLength).toBe(10);
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('a single chunk that is the whole file is not copied', async () => {
    const chunk = Uint8Array.of(1, 2, 3);
    const f = memoryTempFile(3);
    f.write(chunk);
    expect(await f.finish()).toBe(chunk);
  });
});
