/** Rule "bytes as hex" (lib/hex.ts): the same as the per-byte `toString(16)`, for any bytes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hexOf } from '../../lib/hex';

describe('hexOf', () => {
  it('writes each byte as two lowercase digits, in order', () => {
    expect(hexOf(new Uint8Array([0, 1, 15, 16, 171, 255]))).toBe('00010f10abff');
    expect(hexOf(new Uint8Array())).toBe('');
  });

  it('agrees with the per-byte toString(16) for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(hexOf(bytes)).toBe(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
      }),
    );
  });
});
