/**
 * workers/fetching.ts `orderedWindow` with a lookahead: at most `width` running at once, results in
 * input order, and a slow head no longer leaves the other slots idle (small files go on starting
 * while it finishes), within the lookahead's weight and twice the width.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderedWindow } from '../../workers/fetching';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('orderedWindow with a lookahead', () => {
  it('a slow head: the other slots keep working (never more than `width` at once)', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    let releaseHead: () => void = () => {};
    const start = async (i: number) => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      if (i === 0) await new Promise<void>((r) => (releaseHead = r));
      else await tick();
      running--;
      return i;
    };
    const it = orderedWindow([...Array(20).keys()], 3, start, { weight: () => 1, max: 100 });
    const first = it.next();
    // While item 0 hangs, items start past the window of 3: up to 2 × 3 started and not yielded.
    for (let k = 0; k < 20; k++) await tick();
    expect(started.length).toBe(6);
    expect(peak).toBeLessThanOrEqual(3);
    releaseHead();
    const out = [(await first).value!.item];
    for await (const { item } of it) out.push(item);
    expect(out).toEqual([...Array(20).keys()]);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('heavy items wait as before: nothing starts past the window once the weight is over the bound', async () => {
    const started: number[] = [];
    let releaseHead: () => void = () => {};
    const start = async (i: number) => {
      started.push(i);
      if (i === 0) await new Promise<void>((r) => (releaseHead = r));
      return i;
    };
    const it = orderedWindow([...Array(10).keys()], 3, start, { weight: () => 10, max: 25 });
    const first = it.next();
    for (let k = 0; k < 20; k++) await tick();
    expect(started).toEqual([0, 1, 2]);
    releaseHead();
    await first;
    await it.return(undefined);
  });

  it('property: in order, every item once, at most `width` running and 2 × `width` started ahead', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 5 }), fc.boolean()), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat({ max: 12 }),
        async (specs, width, max) => {
          let running = 0;
          let pending = 0;
          let peak = 0;
          let peakPending = 0;
          const start = async (i: number) => {
            running++;
            pending++;
            peak = Math.max(peak, running);
            peakPending = Math.max(peakPending, pending);
            for (let k = 0; k < specs[i][0]; k++) await tick();
            running--;
            if (specs[i][2]) throw new Error(`fail ${i}`);
            return i;
          };
          const out: number[] = [];
          for await (const { item, result } of orderedWindow([...specs.keys()], width, start, { weight: (i) => specs[i][1], max })) {
            pending--;
            out.push(item);
            expect(result.status).toBe(specs[item][2] ? 'rejected' : 'fulfilled');
          }
          expect(out).toEqual([...specs.keys()]);
          expect(peak).toBeLessThanOrEqual(width);
          expect(peakPending).toBeLessThanOrEqual(2 * width);
        },
      ),
      { numRuns: 200 },
    );
  });
});
