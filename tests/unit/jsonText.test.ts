/** Rule "JSON of served values at any depth" (lib/jsonText.ts). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonText } from '../../lib/jsonText';
import { stableJson, submissionFingerprint } from '../../lib/delta';
import { formatValue } from '../../lib/csvResults';
import { annotationsJson } from '../../workers/annotatedCaseFiles';

/** `{"a":{"a":…1…}}`, `depth` levels, as the platform could serve it (JSON.parse reads it). */
const deepObject = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;
const deepArray = (depth: number) => JSON.parse(`${'['.repeat(depth)}"x"${']'.repeat(depth)}`) as unknown;

describe('JSON of served values at any depth', () => {
  it('property: exactly JSON.stringify for any JSON value, and for undefined, functions and non-finite numbers inside', () => {
    const odd = fc.constantFrom(undefined, Number.NaN, Infinity, -0, () => 1);
    const value = fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.jsonValue(), odd)), fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), odd)));
    fc.assert(
      fc.property(value, (v) => {
        expect(jsonText(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: sortKeys gives one text whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(jsonText(reversed, { sortKeys: true })).toBe(jsonText(o, { sortKeys: true }));
        expect(JSON.parse(jsonText(o, { sortKeys: true }))).toEqual(o);
      }),
    );
  });

  it('a value 200,000 levels deep, which JSON.stringify cannot write, is written whole', () => {
    const depth = 200_000;
    expect(() => JSON.stringify(deepObject(depth))).toThrow(RangeError);
    expect(jsonText(deepObject(depth))).toBe(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    expect(jsonText(deepArray(depth))).toBe(`${'['.repeat(depth)}"x"${']'.repeat(depth)}`);
  });

  it('used where served values are written: a CSV cell, a submission fingerprint, annotations.json', async () => {
    const deep = deepObject(150_000);
    expect(formatValue(deep)).toBe(`${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}`);
    expect(stableJson(deep)).toBe(formatValue(deep));
    expect(submissionFingerprint({ id: 's', status: 'submitted', submittedAt: null, answers: { q: deep } } as never)).toMatch(/^[0-9a-f]{16}$/);
    const shapes = [{ kind: 'box', points: [[0, 0], [1, 1]], label: 'x', color: null, extra: deepArray(150_000) }];
    const text = await annotationsJson(new Map([['a.png', [{ submissionId: 's', shapes } as never]]])).text();
    expect(text).toContain(`"extra":${'['.repeat(150_000)}"x"`);
  });
});
