/** Rule "bytes as hex" (lib/hex.ts): the same as the per-byte `toString(16)`, for any bytes, and back. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hexInto, hexOf } from '../../lib/hex';

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

describe('hexInto', () => {
  it('reads back what hexOf wrote, in either case, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), fc.boolean(), (bytes, at, upper) => {
        const text = upper ? hexOf(bytes).toUpperCase() : hexOf(bytes);
        const out = new Uint8Array(at + bytes.length);
        expect(hexInto(text, out, at)).toBe(bytes.length);
        expect(out.subarray(at)).toEqual(bytes);
      }),
    );
  });

  it('agrees with parseInt per pair on hex, and throws on anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const out = new Uint8Array(text.length);
        if (/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
          hexInto(text, out, 0);
          for (let i = 0; i < text.length; i += 2) expect(out[i / 2]).toBe(parseInt(text.slice(i, i + 2), 16));
        } else expect(() => hexInto(text, out, 0)).toThrow();
      }),
    );
    expect(() => hexInto('0g', new Uint8Array(1), 0)).toThrow('not a hex digit');
    expect(() => hexInto('abc', new Uint8Array(2), 0)).toThrow('odd length');
  });
});
