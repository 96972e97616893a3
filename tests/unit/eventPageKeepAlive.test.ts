/**
 * Firefox's event page stays awake while an export runs (lib/eventPageKeepAlive.ts): one extension
 * API call per beat while an export is left, none once it is over, one beat at a time. A fake clock:
 * the beats are driven by hand, nothing waits.
 */
import { describe, expect, it } from 'vitest';
import { EventPageKeepAlive, KEEP_ALIVE_MS } from '../../lib/eventPageKeepAlive';

function harness(busy: () => Promise<boolean>, ping: () => Promise<unknown> = async () => ({ os: 'linux' })) {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const pings: number[] = [];
  let n = 0;
  const keep = new EventPageKeepAlive({
    busy,
    ping: () => (pings.push(++n), ping()),
    setInterval: (fn, ms) => (timers.set(next, { fn, ms }), next++),
    clearInterval: (h) => void timers.delete(h as number),
  });
  /** One beat of every interval set, and what it started settled. */
  const beat = async () => {
    for (const t of [...timers.values()]) t.fn();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { keep, timers, pings, beat };
}

describe('EventPageKeepAlive', () => {
  it('beats well inside Firefox’s 30 s idle timeout', () => {
    expect(KEEP_ALIVE_MS).toBeLessThanOrEqual(20_000);
    const h = harness(async () => true);
    h.keep.start();
    expect([...h.timers.values()].map((t) => t.ms)).toEqual([KEEP_ALIVE_MS]);
  });

  it('calls the API on every beat while an export is left, and stops when none is', async () => {
    let busy = true;
    const h = harness(async () => busy);
    h.keep.start();
    await h.beat();
    await h.beat();
    expect(h.pings).toEqual([1, 2]);
    busy = false;
    await h.beat();
    expect(h.pings).toEqual([1, 2]);
    expect(h.keep.running).toBe(false);
    expect(h.timers.size).toBe(0);
    // A new export starts it again.
    busy = true;
    h.keep.start();
    await h.beat();
    expect(h.pings).toEqual([1, 2, 3]);
  });

  it('starting twice keeps one beat', () => {
    const h = harness(async () => true);
    h.keep.start();
    h.keep.start();
    expect(h.timers.size).toBe(1);
  });

  it('a failing call or job store never stops the beat (better awake than an export lost)', async () => {
    const h = harness(
      async () => {
        throw new Error('IndexedDB closed');
      },
      async () => {
        throw new Error('context invalidated');
      },
    );
    h.keep.start();
    await h.beat();
    await h.beat();
    expect(h.pings).toEqual([1, 2]);
    expect(h.keep.running).toBe(true);
  });

  it('one beat at a time: a beat still waiting for the job store does not start another', async () => {
    let release!: (v: boolean) => void;
    const h = harness(() => new Promise<boolean>((r) => (release = r)));
    h.keep.start();
    await h.beat();
    await h.beat();
    release(true);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(h.pings).toEqual([1]);
  });
});
