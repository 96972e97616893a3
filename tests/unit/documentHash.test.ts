/**
 * workers/documentHash.ts (rule "documents hashed natively"): whatever the pieces and wherever the
 * limit falls, the digest is the SHA-256 of exactly the bytes passed, in order, natively or in wasm.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocumentHasher, sha256Hex } from '../../workers/documentHash';

const sha = (pieces: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of pieces) h.update(p);
  return h.digest('hex');
};
const pieces = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 });

describe('DocumentHasher', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is the SHA-256 of the pieces, below and across the limit, document after document', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1500 }), fc.array(pieces, { minLength: 1, maxLength: 4 }), async (limit, docs) => {
        const h = new DocumentHasher(limit);
        for (const doc of docs) {
          h.init();
          for (const p of doc) await h.update(p);
          expect(await h.digest()).toBe(sha(doc));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a piece changed after it was passed does not change the digest (its bytes were copied)', async () => {
    const h = new DocumentHasher();
    h.init();
    const piece = new TextEncoder().encode('<p>step</p>');
    await h.update(piece);
    const want = sha([piece.slice()]);
    piece.fill(0);
    expect(await h.digest()).toBe(want);
  });

  it('sha256Hex: bytes held whole, natively and in wasm', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        expect(await sha256Hex(bytes)).toBe(sha([bytes]));
        vi.stubGlobal('crypto', undefined);
        expect(await sha256Hex(bytes)).toBe(sha([bytes]));
        vi.unstubAllGlobals();
      }),
      { numRuns: 100 },
    );
  });

  it('hashes in wasm where the browser has no native SHA-256', async () => {
    vi.stubGlobal('crypto', undefined);
    await fc.assert(
      fc.asyncProperty(pieces, async (doc) => {
        const h = new DocumentHasher();
        h.init();
        for (const p of doc) await h.update(p);
        expect(await h.digest()).toBe(sha(doc));
      }),
      { numRuns: 50 },
    );
  });
});
