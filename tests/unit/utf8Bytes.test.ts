/** lib/utf8Bytes.ts (rule "text encoded into a reused buffer"): the same bytes as `TextEncoder.encode`, each in its own array. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCRATCH_MAX, Utf8Bytes } from '../../lib/utf8Bytes';

const encode = (s: string) => new TextEncoder().encode(s);
/** Any UTF-16 unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

describe('Utf8Bytes', () => {
  it('gives the bytes encode gives, for any text (lone surrogates included), text after text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: codeUnit, maxLength: 400 }))), (texts) => {
        const utf8 = new Utf8Bytes();
        const got = texts.map((t) => utf8.of(t));
        texts.forEach((t, i) => expect(got[i]).toEqual(encode(t)));
      }),
      { numRuns: 300 },
    );
  });

  it('each result is its own array: the next text does not overwrite it', () => {
    const utf8 = new Utf8Bytes();
    const a = utf8.of('first ü');
    utf8.of('second text, longer than the first');
    expect(new TextDecoder().decode(a)).toBe('first ü');
  });

  it('a text longer than the scratch allows is encoded as well', () => {
    const text = 'é'.repeat(SCRATCH_MAX / 2);
    expect(Buffer.from(new Utf8Bytes().of(text)).equals(encode(text))).toBe(true);
  });
});
