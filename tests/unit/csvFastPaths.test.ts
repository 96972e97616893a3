/**
 * The CSV's shortcuts are performance only: a time already in the canonical form is kept as it is
 * exactly when formatTimestamp's full rule (parse, then toISOString) gives it back unchanged.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatTimestamp, isCanonicalUtc } from '../../lib/csvResults';

/** formatTimestamp's full rule, without the shortcut. */
function fullRule(value: string): string {
  const text = value.trim();
  const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  const date = new Date(zoneless ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

const d2 = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
const isoLike = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), d2(13), d2(32), d2(25), d2(60), d2(61), fc.integer({ min: 0, max: 999 }), fc.constantFrom('Z', '+01:00', '', 'z'))
  .map(([y, mo, d, h, mi, s, ms, zone]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}${zone}`);

describe('formatTimestamp: the canonical shortcut', () => {
  it('property: kept as is exactly when the full rule gives it back', () => {
    fc.assert(
      fc.property(fc.oneof(isoLike, fc.string()), (text) => {
        expect(formatTimestamp(text)).toBe(fullRule(text));
        if (isCanonicalUtc(text)) expect(fullRule(text)).toBe(text);
      }),
      { numRuns: 20_000 },
    );
  });
  it.each(['2024-02-29T00:00:00.000Z', '2025-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z'])('%s is canonical', (t) => expect(isCanonicalUtc(t)).toBe(true));
  it.each(['2025-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2025-04-31T00:00:00.000Z', '2025-01-01T24:00:00.000Z', '2025-01-01T00:00:00Z', ' 2025-01-01T00:00:00.000Z'])('%s is not', (t) => {
    expect(isCanonicalUtc(t)).toBe(false);
    expect(formatTimestamp(t)).toBe(fullRule(t));
  });
});
