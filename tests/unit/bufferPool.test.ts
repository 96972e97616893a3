import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferPool, sizeClass } from '../../workers/bufferPool';

describe('sizeClass', () => {
  it('is at least the size asked and at most 1/8 more (4 KiB at least), and grows with it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 2 ** 33 }), (a, b) => {
        const c = sizeClass(a);
        expect(c).toBeGreaterThanOrEqual(Math.max(a, 4096));
        if (a > 4096) expect(c).toBeLessThanOrEqual(a * 1.125);
        if (a <= b) expect(c).toBeLessThanOrEqual(sizeClass(b));
      }),
    );
  });
});

describe('BufferPool', () => {
  it('gives a buffer back only once its owner released it and the sink wrote every time it went there', () => {
    // A model: each buffer taken has an owner and a count of trips to the sink not yet written.
    // Whatever the order of the calls, take() never returns a buffer someone still holds.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('take' as const), size: fc.constantFrom(1000, 4096, 5000, 5100) }),
      fc.record({ kind: fc.constantFrom('release' as const, 'toSink' as const, 'written' as const), which: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const pool = new BufferPool(64 * 1024);
        const live: { bytes: Uint8Array; owned: boolean; atSink: number }[] = [];
        for (const o of ops) {
          if (o.kind === 'take') {
            const bytes = pool.take(o.size);
            expect(bytes.byteLength).toBe(o.size);
            for (const l of live) if (l.owned || l.atSink > 0) expect(l.bytes.buffer).not.toBe(bytes.buffer);
            live.push({ bytes, owned: true, atSink: 0 });
            continue;
          }
          const l = live[o.which % Math.max(1, live.length)];
          if (!l) continue;
          if (o.kind === 'release') {
            pool.release(l.bytes);
            l.owned = false;
          } else if (o.kind === 'toSink') {
            if (!l.owned) continue; // only its owner hands a buffer on
            pool.toSink(l.bytes);
            l.atSink++;
          } else if (l.atSink > 0) {
            pool.written(l.bytes);
            l.atSink--;
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('uses a released buffer again for a size of its class, and ignores arrays it did not give', () => {
    const pool = new BufferPool();
    const a = pool.take(5000);
    pool.release(a);
    pool.release(a); // twice: the second is ignored
    const b = pool.take(5100);
    expect(b.buffer).toBe(a.buffer);
    const c = pool.take(5000);
    expect(c.buffer).not.toBe(a.buffer);
    pool.written(new Uint8Array(10));
    pool.release(new Uint8Array(10));
    pool.toSink(b);
    pool.release(b);
    pool.release(b); // its owner let go once: a second release must not free it from the sink
    pool.release(b.subarray(1)); // nor a view of it that is not the owner's
    expect(pool.take(5000).buffer).not.toBe(b.buffer); // still at the sink
    pool.written(b);
    expect(pool.take(5000).buffer).toBe(b.buffer);
  });

  it('keeps no more free bytes than its limit, and none after clear', () => {
    const pool = new BufferPool(10_000);
    const a = pool.take(4096);
    const b = pool.take(4096);
    const c = pool.take(4096);
    for (const x of [a, b, c]) pool.release(x);
    const again = [pool.take(4096), pool.take(4096), pool.take(4096)].map((x) => x.buffer);
    expect(again.filter((x) => x === a.buffer || x === b.buffer || x === c.buffer)).toHaveLength(2);
    for (const x of again) pool.release(new Uint8Array(x, 0, 4096)); // not the owners' arrays: nothing freed
    pool.clear();
    expect([a, b, c].map((x) => x.buffer)).not.toContain(pool.take(4096).buffer);
  });
});
