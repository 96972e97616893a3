/** Bytes as lowercase hex, two digits a byte (SHA-256 digests, manifest records): a table, not a `toString` per byte. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** The value of one hex digit's char code, or -1. */
const nibble = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/**
 * Writes the bytes of the hex text `h` (an even number of digits, either case) into `out` at `at`;
 * returns the bytes written. Throws on anything that is not a hex digit: callers pass hex they checked.
 */
export function hexInto(h: string, out: Uint8Array, at: number): number {
  if (h.length % 2) throw new Error('hex text of odd length');
  for (let i = 0; i < h.length; i += 2) {
    const hi = nibble(h.charCodeAt(i));
    const lo = nibble(h.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw new Error('not a hex digit');
    out[at + i / 2] = (hi << 4) | lo;
  }
  return h.length / 2;
}
