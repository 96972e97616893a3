/**
 * The download stream's protocol (lib/copyStream.ts): only its exact messages are taken, whatever
 * else a port carries; and collection pacing (lib/collectionPacing.ts) only carries its remainder.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_RANGE, copyStreamMessage } from '../../lib/copyStream';
import { PACING_STEP_BYTES, allocateFor } from '../../lib/collectionPacing';

const offset = fc.nat({ max: Number.MAX_SAFE_INTEGER });

describe('copyStreamMessage', () => {
  it('takes each message of the protocol as it is', () => {
    fc.assert(
      fc.property(offset, fc.constantFrom('want', 'read', 'hold', 'held', 'end'), (n, key) => {
        expect(copyStreamMessage({ [key]: n })).toEqual({ [key]: n });
      }),
    );
    fc.assert(
      fc.property(offset, fc.integer({ min: 1, max: MAX_RANGE }), (from, size) => {
        fc.pre(from + size <= Number.MAX_SAFE_INTEGER);
        expect(copyStreamMessage({ range: [from, from + size] })).toEqual({ range: [from, from + size] });
      }),
    );
    expect(copyStreamMessage({ error: 'x'.repeat(500) })).toEqual({ error: 'x'.repeat(200) });
  });

  it('refuses anything else: other values, extra keys, empty or oversized ranges, offsets that are not whole numbers', () => {
    for (const bad of [
      null,
      undefined,
      'want',
      42,
      [],
      {},
      { want: -1 },
      { want: 1.5 },
      { want: '3' },
      { want: Number.MAX_SAFE_INTEGER + 1 },
      { want: NaN },
      { want: 0, read: 0 },
      { range: [3, 3] },
      { range: [4, 3] },
      { range: [0, MAX_RANGE + 1] },
      { range: [0] },
      { range: [0, 1, 2] },
      { range: '0-1' },
      { error: 7 },
      { stream: {} },
    ])
      expect(copyStreamMessage(bad), JSON.stringify(bad)).toBeNull();
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const m = copyStreamMessage(v);
        // Whatever was taken is one of the protocol's shapes, with one key.
        if (m !== null) expect(Object.keys(m)).toHaveLength(1);
      }),
    );
  });
});

describe('allocateFor', () => {
  it('carries what is not yet worth a step, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5 * PACING_STEP_BYTES }), { maxLength: 50 }), (sizes) => {
        let carry = 0;
        for (const n of sizes) carry = allocateFor(n, carry);
        expect(carry).toBe(sizes.reduce((a, b) => a + b, 0) % PACING_STEP_BYTES);
      }),
    );
  });
});
