/**
 * Rule "render steps in parallel" (workers/renderPool.ts): the HTML execution export rendered in a
 * pool of renderers, a few steps ahead, holds the same files, byte for byte, as rendered one step
 * after the other in the engine's thread; the pool keeps order and a bound on what is in flight.
 * The renderers here are the workers' own function (workers/renderStream.ts) in this thread, at
 * random speeds, so the steps finish out of order.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { executionZip } from '../../workers/execution';
import { RenderPool, inOrderAhead, renderWorkerCount } from '../../workers/renderPool';
import { localRenderService, type RenderService } from '../../workers/renderStream';
import type { Execution } from '../../lib/platform';
import type { ExecutionRequest } from '../../lib/jobs';
import { unzipToMap } from '../zipReader';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The local service, each piece delayed by a random 0–3 ms; counts renders at once. */
function jittery(seed: number, live: { now: number; max: number }): RenderService {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return {
    async render(input, headingOffset) {
      live.now++;
      live.max = Math.max(live.max, live.now);
      const reader = (localRenderService.render(input, headingOffset) as ReadableStream).getReader();
      return new ReadableStream({
        async pull(c) {
          await sleep(Math.floor(rnd() * 4));
          const r = await reader.read();
          if (r.done) {
            live.now--;
            c.close();
          } else c.enqueue(r.value);
        },
      });
    },
  };
}

const bigTable = (n: number, seed: number) =>
  `## Big ${seed}\n\n| # | Value | Hex |\n|---:|---:|---|\n` + Array.from({ length: n }, (_, i) => `| ${i} | ${(i * 7919 + seed) % 1000003} | ${(i * 31 + seed).toString(16)} |`).join('\n') + '\n';

function execution(outputs: string[]): { execution: Execution; outputs: Map<string, string> } {
  const map = new Map<string, string>();
  const steps = outputs.map((o, i) => {
    map.set(`s${i + 1}`, o);
    return { id: `s${i + 1}`, name: `Step ${i % 3}`, status: 'success' as const, iteration: Math.floor(i / 3) + 1, startedAt: '2024-05-06T01:02:00Z', finishedAt: '2024-05-06T01:02:30Z', outputSize: Buffer.byteLength(o) };
  });
  return { execution: { id: 'e9', workflow: { id: 'w', name: 'Pipeline' }, status: 'success', startedAt: '2024-05-06T01:02:03Z', finishedAt: '2024-05-06T02:00:00Z', steps }, outputs: map };
}

/** Each output in pieces of `chunk` bytes; `missing` answer 404, `cut` break after half their bytes. */
function fakeFetch(outputs: Map<string, string>, faults: { missing?: string[]; cut?: string[] }, chunk = 7000): typeof fetch {
  return (async (input: string) => {
    const sid = /\/steps\/([^/]+)\/output$/.exec(new URL(input).pathname)?.[1] ?? '';
    if (faults.missing?.includes(sid)) return Response.json({ error: 'not_found', message: 'Output gone' }, { status: 404 });
    const bytes = Buffer.from(outputs.get(sid) ?? '');
    const cutAt = faults.cut?.includes(sid) ? bytes.length >> 1 : Infinity;
    let at = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (at >= cutAt) return c.error(new TypeError('terminated'));
          if (at >= bytes.length) return c.close();
          const end = Math.min(bytes.length, at + chunk, cutAt);
          c.enqueue(new Uint8Array(bytes.subarray(at, end)));
          at = end;
        },
      }),
    );
  }) as unknown as typeof fetch;
}

async function exportWith(pool: RenderPool | null, outputs: string[], req: Partial<ExecutionRequest>, faults: { missing?: string[]; cut?: string[] } = {}, chunk?: number) {
  const { execution: ex, outputs: map } = execution(outputs);
  const request: ExecutionRequest = { kind: 'execution', origin: 'http://platform.test', executionId: ex.id, format: 'html', combine: false, ...req };
  const out = executionZip(request, ex, { fetch: fakeFetch(map, faults, chunk), signal: new AbortController().signal, onProgress: () => {}, policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }, pool);
  const files = await unzipToMap(Buffer.from(await new Response(out.stream).arrayBuffer()));
  return { files, failed: out.failed.map((f) => f.path) };
}

const OUTPUTS = [
  '# One\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
  bigTable(12_000, 1), // over one segment: rendered in several pieces
  '<script>alert(1)</script>\n\n[x](javascript:alert(1)) `code` **b** www.example.com\n',
  '',
  bigTable(300, 2),
  '```js\nlet a = 1 < 2;\n```\n',
  bigTable(5000, 3),
  'plain\n',
];

describe('the render pool (issue 17, point 6)', () => {
  it.each([false, true])('HTML files are the same rendered ahead in the pool as in the thread (combined: %s), faults included', async (combine) => {
    const faults = { missing: ['s4'], cut: ['s2', 's7'] };
    const serial = await exportWith(null, OUTPUTS, { combine }, faults);
    const live = { now: 0, max: 0 };
    const pool = new RenderPool([jittery(1, live), jittery(2, live)]);
    const pooled = await exportWith(pool, OUTPUTS, { combine }, faults);
    expect([...pooled.files.keys()]).toEqual([...serial.files.keys()]);
    for (const [name, bytes] of serial.files) expect(Buffer.compare(pooled.files.get(name)!, bytes), name).toBe(0);
    expect(pooled.failed).toEqual(serial.failed);
    expect(serial.files.has('export-report.csv')).toBe(true);
    expect(live.max).toBeGreaterThan(1); // it did render more than one at once
    expect(live.max).toBeLessThanOrEqual(pool.size + 1);
  });

  it('a CR ending one network chunk and the LF starting the next: the same lines as in the thread', async () => {
    const crlf = 'x\r\n'.repeat(20_000) + '| a | b |\r\n|---|---|\r\n' + '| 1 | 2 |\r\n'.repeat(3000);
    const serial = await exportWith(null, [crlf], {}, {}, 7001); // 7001 = 3 × 2333 + 2: every chunk ends after a CR
    const pooled = await exportWith(new RenderPool([localRenderService]), [crlf], {}, {}, 7001);
    for (const [name, bytes] of serial.files) expect(Buffer.compare(pooled.files.get(name)!, bytes), name).toBe(0);
  });

  it('property: any outputs, any speeds: the same files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...OUTPUTS.slice(0, 6)), fc.string()), { minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer(), async (outs, workers, seed) => {
        const live = { now: 0, max: 0 };
        const pool = new RenderPool(Array.from({ length: workers }, (_, i) => jittery(seed + i, live)));
        const a = await exportWith(null, outs, {});
        const b = await exportWith(pool, outs, {});
        expect([...b.files.keys()]).toEqual([...a.files.keys()]);
        for (const [name, bytes] of a.files) expect(Buffer.compare(b.files.get(name)!, bytes)).toBe(0);
      }),
      { numRuns: 15 },
    );
  });

  it('inOrderAhead keeps order, starts at most depth + 1 ahead, and cancels what it never handed out', async () => {
    const started: number[] = [];
    const cancelled: number[] = [];
    async function* numbers() {
      for (let i = 0; i < 10; i++) yield i;
    }
    const got: number[] = [];
    for await (const n of inOrderAhead(numbers(), 2, (i) => (started.push(i), i), (i) => cancelled.push(i))) {
      got.push(n);
      expect(started.length).toBeLessThanOrEqual(n + 3);
      if (n === 4) break;
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(cancelled).toEqual(started.filter((i) => i > 4));
    expect(cancelled.length).toBeGreaterThan(0);
  });

  it('none on 2 cores or fewer, then one per core beyond two, at most 2', () => {
    expect([undefined, 0, 1, 2, 3, 4, 8].map(renderWorkerCount)).toEqual([0, 0, 0, 0, 1, 2, 2]);
  });
});
