import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  HTTP1_CONNECTIONS,
  MAX_HASH_WORKERS,
  MAX_MULTIPLEXED,
  fetchWidth,
  hashPoolSize,
  protocolKind,
  windowByteBudget,
  windowWeight,
} from '../../lib/concurrency';
import { ProtocolWatch, downloadWindow, type ResourceTimeline } from '../../workers/protocolWatch';
import { orderedWindow } from '../../workers/fetching';

describe('protocolKind', () => {
  it('reads ALPN ids: h2 and h3 are multiplexed, HTTP/1.x is not, anything else is unknown', () => {
    for (const p of ['h2', 'H2', 'h2c', 'h3', 'h3-29', ' h2 ']) expect(protocolKind(p), p).toBe('multiplexed');
    for (const p of ['http/1.1', 'http/1.0', 'http/0.9', 'HTTP/1.1']) expect(protocolKind(p), p).toBe('http1');
    for (const p of ['', undefined, null, 'spdy/3', 'http/2', 'h2x', 'h3-', 'http/1.1 ']) expect(protocolKind(p as string), String(p)).toBe(p === 'http/1.1 ' ? 'http1' : 'unknown');
  });
});

describe('fetchWidth', () => {
  it('HTTP/1.1 and unknown: at most 6; multiplexed: up to 4 × 6, never over the ceiling', () => {
    expect(fetchWidth('http1', 16)).toBe(6);
    expect(fetchWidth('unknown', 16)).toBe(6);
    expect(fetchWidth('multiplexed', 16)).toBe(16);
    expect(fetchWidth('multiplexed', 100)).toBe(24);
    expect(fetchWidth('multiplexed', 4)).toBe(4);
    expect(fetchWidth('http1', 3)).toBe(3);
    expect(fetchWidth('http1', 0)).toBe(1);
    expect(fetchWidth('multiplexed', Number.NaN)).toBe(1);
  });

  it('is never above the ceiling nor above 32, never below 1, and wider over HTTP/2 than HTTP/1.1 when the ceiling allows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('http1', 'multiplexed', 'unknown' as const), (ceiling, kind) => {
        const w = fetchWidth(kind, ceiling);
        expect(w).toBeGreaterThanOrEqual(1);
        expect(w).toBeLessThanOrEqual(Math.min(ceiling, MAX_MULTIPLEXED));
        if (kind !== 'multiplexed') expect(w).toBeLessThanOrEqual(HTTP1_CONNECTIONS);
        if (kind === 'multiplexed' && ceiling > HTTP1_CONNECTIONS) expect(w).toBeGreaterThan(fetchWidth('http1', ceiling));
      }),
    );
  });
});

describe('window weights', () => {
  it('counts a file up to the in-memory limit; the budget is six such files', () => {
    expect(windowWeight(100, 1000)).toBe(100);
    expect(windowWeight(5000, 1000)).toBe(1000);
    expect(windowWeight(-1, 1000)).toBe(0);
    expect(windowWeight(Number.NaN, 1000)).toBe(1000);
    expect(windowByteBudget(1000)).toBe(6000);
  });
});

describe('hashPoolSize', () => {
  it('leaves a core to the engine, at least 1, at most 4', () => {
    expect(hashPoolSize(1)).toBe(1);
    expect(hashPoolSize(2)).toBe(1);
    expect(hashPoolSize(4)).toBe(3);
    expect(hashPoolSize(64)).toBe(MAX_HASH_WORKERS);
    expect(hashPoolSize(undefined)).toBe(1);
    expect(hashPoolSize(0)).toBe(1);
  });
});

function fakeTimeline() {
  const entries: { name: string; nextHopProtocol?: string }[] = [];
  let clears = 0;
  const timeline: ResourceTimeline = {
    getEntriesByType: () => [...entries],
    clearResourceTimings: () => {
      entries.length = 0;
      clears++;
    },
  };
  return { entries, timeline, clears: () => clears };
}

describe('ProtocolWatch', () => {
  it("takes the protocol from the platform's entries only, clears the buffer, and stops looking once known", () => {
    const t = fakeTimeline();
    const watch = new ProtocolWatch('https://p.example', t.timeline);
    expect(watch.poll()).toBe('unknown');
    t.entries.push({ name: 'https://other.example/x', nextHopProtocol: 'h2' }, { name: 'https://p.example.evil/x', nextHopProtocol: 'h2' });
    expect(watch.poll()).toBe('unknown');
    expect(t.entries).toEqual([]);
    t.entries.push({ name: 'https://p.example/api/v1/files/1/content', nextHopProtocol: '' });
    expect(watch.poll()).toBe('unknown');
    t.entries.push({ name: 'https://p.example/api/v1/files/2/content', nextHopProtocol: 'h2' });
    expect(watch.poll()).toBe('multiplexed');
    expect(watch.protocol).toBe('h2');
    const clears = t.clears();
    t.entries.push({ name: 'https://p.example/api/v1/files/3/content', nextHopProtocol: 'http/1.1' });
    expect(watch.poll()).toBe('multiplexed');
    expect(t.clears()).toBe(clears);
  });

  it('is unknown without a timeline (Node)', () => {
    expect(new ProtocolWatch('https://p.example', null).poll()).toBe('unknown');
  });
});

describe('downloadWindow in orderedWindow', () => {
  const run = async (items: number[], win: Parameters<typeof orderedWindow<number, number>>[1], onStart?: (i: number) => void) => {
    let inFlight = 0;
    let peak = 0;
    const out: number[] = [];
    const start = async (i: number) => {
      onStart?.(i);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return i;
    };
    for await (const { item } of orderedWindow(items, win, start)) out.push(item);
    return { out, peak };
  };

  it('widens from 6 to the ceiling once the platform answers over HTTP/2, results still in order', async () => {
    const t = fakeTimeline();
    const watch = new ProtocolWatch('https://p.example', t.timeline);
    const win = downloadWindow<number>(watch, 16, () => 1000, 8 * 1000);
    const items = [...Array(60).keys()];
    const { out, peak } = await run(items, win, (i) => {
      if (i === 3) t.entries.push({ name: 'https://p.example/api/v1/files/a/content', nextHopProtocol: 'h2' });
    });
    expect(out).toEqual(items);
    expect(peak).toBe(16);
    expect(win.widest).toBe(16);
  });

  it('stays at 6 over HTTP/1.1 whatever the ceiling', async () => {
    const t = fakeTimeline();
    t.entries.push({ name: 'https://p.example/x', nextHopProtocol: 'http/1.1' });
    const win = downloadWindow<number>(new ProtocolWatch('https://p.example', t.timeline), 16, () => 10, 1000);
    const { peak } = await run([...Array(40).keys()], win);
    expect(peak).toBe(6);
  });

  it('keeps the files waiting in memory within six at the in-memory limit, however wide', async () => {
    const t = fakeTimeline();
    t.entries.push({ name: 'https://p.example/x', nextHopProtocol: 'h2' });
    // Files at the in-memory limit: the budget, not the width of 16, bounds them to 6.
    const win = downloadWindow<number>(new ProtocolWatch('https://p.example', t.timeline), 16, () => 5000, 1000);
    const { out, peak } = await run([...Array(30).keys()], win);
    expect(out).toEqual([...Array(30).keys()]);
    expect(peak).toBe(6);
  });
});
