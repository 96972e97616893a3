/**
 * Execution bench: execution "3002" with 2,000 steps exported as HTML (one file per step), click →
 * finished file, next to fetching the same JSON and Markdown alone from the page (six at a time,
 * as a browser would), in one run, with the peak PSS growth of Chromium's processes.
 *
 *   npx tsx tests/bench/execution.bench.ts          (BENCH_STEPS=2000, BENCH_STEP_OUTPUT=20K)
 *   BENCH_PROFILE=1 npx tsx tests/bench/execution.bench.ts   (also: each engine thread's busy time and top functions, BENCH_TOP of them, 6 unless set)
 *
 * A 2-step HTML export first starts the offscreen document, the engine and its render workers
 * (printed on its own line), so the figures are the export's own.
 */
import { rmSync } from 'node:fs';
import { startSite } from '../site/server';
import { parseSize } from '../site/config';
import { ORIGIN, SITE_PORT, cleanup } from '../e2e/harness';
import { cpuFloorLine, cpuLine, fmtS, openBrowser, runFigures, sampleMemory, timeExport, ui, type BenchBrowser } from './lib';

const STEPS = Number(process.env.BENCH_STEPS ?? 2000);
const OUTPUT = parseSize(process.env.BENCH_STEP_OUTPUT ?? '20K');

/**
 * Samples the CPU of every thread of the engine (the offscreen document's workers: the engine and
 * the render workers it starts) until the returned function is called, which gives one line per
 * thread: its busy time (samples outside idle), as a share of `wallMs`, and its top functions.
 */
export async function profileEngineThreads(b: BenchBrowser): Promise<(wallMs: number) => Promise<string[]>> {
  const offscreen = (await b.cdp.targets()).find((t: { url: string }) => t.url.includes('offscreen'));
  if (!offscreen) throw new Error('no offscreen document (run an export first)');
  const { sessionId } = await b.cdp.send('Target.attachToTarget', { targetId: offscreen.targetId, flatten: true });
  const threads = new Map<string, { name: string; ready: Promise<unknown> }>();
  const autoAttach = (session: string) => b.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, session);
  b.cdp.on((m) => {
    if (m.method !== 'Target.attachedToTarget' || m.params.targetInfo.type !== 'worker') return;
    const ws: string = m.params.sessionId;
    const name = m.params.targetInfo.title || m.params.targetInfo.url.split('/').pop();
    const ready = (async () => {
      await autoAttach(ws); // the engine's own workers (render workers)
      await b.cdp.send('Profiler.enable', {}, ws);
      await b.cdp.send('Profiler.setSamplingInterval', { interval: 500 }, ws);
      await b.cdp.send('Profiler.start', {}, ws);
    })().catch(() => {});
    threads.set(ws, { name, ready });
  });
  await autoAttach(sessionId);
  await new Promise((r) => setTimeout(r, 500));
  // The largest JavaScript heap of each thread, sampled every second.
  const heaps = new Map<string, number>();
  const sampler = setInterval(() => {
    for (const ws of threads.keys())
      void b.cdp
        .send('Runtime.getHeapUsage', {}, ws)
        .then((h: { totalSize: number }) => heaps.set(ws, Math.max(heaps.get(ws) ?? 0, h.totalSize)))
        .catch(() => {});
  }, 1000);
  return async (wallMs) => {
    clearInterval(sampler);
    const lines: string[] = [];
    for (const [ws, t] of threads) {
      await t.ready;
      const r = await b.cdp.send('Profiler.stop', {}, ws).catch(() => null);
      if (!r) continue;
      const profile = r.profile;
      const byNode = new Map<number, number>();
      profile.samples.forEach((id: number, i: number) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      const self = new Map<string, number>();
      let busy = 0;
      for (const n of profile.nodes) {
        const name = n.callFrame.functionName || '(anonymous)';
        const us = byNode.get(n.id) ?? 0;
        if (name === '(idle)' || name === '(program)') continue;
        busy += us;
        self.set(name, (self.get(name) ?? 0) + us);
      }
      const top = [...self].sort((x, y) => y[1] - x[1]).slice(0, Number(process.env.BENCH_TOP ?? 6)).map(([k, us]) => `${k} ${(us / 1e6).toFixed(1)} s`).join(', ');
      const heap = heaps.has(ws) ? `, largest heap ${(heaps.get(ws)! / 2 ** 20).toFixed(0)} MB` : '';
      lines.push(`  thread ${t.name}: busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / 1000 / wallMs).toFixed(0)} % of the export)${heap}; top: ${top}`);
    }
    return lines;
  };
}

export async function benchExecution(): Promise<string[]> {
  const site = await startSite({ port: SITE_PORT, executionSteps: STEPS, stepOutputSize: OUTPUT });
  const b = await openBrowser('execution');
  const lines: string[] = [];
  try {
    await b.page.goto(`${ORIGIN}/workflows/3/executions/3001`);
    await ui.click(b.page, 'Export as');
    await ui.check(b.page, 'HTML');
    await ui.check(b.page, 'Combine results into a single file', false);
    const warm = await timeExport(b, () => ui.click(b.page, 'Export', { dialog: true }));
    rmSync(warm.item.filename, { force: true });
    const startup = `execution warm-up (engine and render workers start-up, 2 steps as HTML): ${fmtS(warm.ms)}`;
    console.log(startup);
    lines.push(startup);
    await b.page.goto(`${ORIGIN}/workflows/3/executions/3002`);
    const fetchMem = await sampleMemory(b.profile.profile);
    // A string, not a function: tsx's keepNames would add `__name` calls the page does not have.
    const fetched = (await b.page.evaluate(`(async () => {
      const t0 = performance.now();
      const ex = await (await fetch('/api/v1/executions/3002', { credentials: 'include', cache: 'no-store' })).json();
      let i = 0, bytes = 0;
      await Promise.all(Array.from({ length: 6 }, async () => {
        while (i < ex.steps.length) {
          const s = ex.steps[i++];
          // Read first, then add: \`bytes += await …\` would read \`bytes\` before the await and lose the other fetches' counts.
          const n = (await (await fetch('/api/v1/executions/3002/steps/' + s.id + '/output', { credentials: 'include', cache: 'no-store' })).text()).length;
          bytes += n;
        }
      }));
      return { ms: performance.now() - t0, steps: ex.steps.length, bytes };
    })()`)) as { ms: number; steps: number; bytes: number };
    const fetchCpu = (await fetchMem.stop()).cpu;
    // The reference's garbage is collected now, not while the export runs.
    await b.cdp.send('HeapProfiler.collectGarbage', {}, b.page.sessionId);
    await ui.click(b.page, 'Export as');
    await ui.check(b.page, 'HTML');
    await ui.check(b.page, 'Combine results into a single file', false);
    const stopProfile = process.env.BENCH_PROFILE ? await profileEngineThreads(b) : null;
    const run = await timeExport(b, () => ui.click(b.page, 'Export', { dialog: true }));
    const threads = stopProfile ? await stopProfile(run.ms) : [];
    const line =
      `execution (${fetched.steps} steps as HTML, ${(fetched.bytes / 1024 / 1024).toFixed(1)} MB of Markdown): extension ${fmtS(run.ms)}, ` +
      `JSON + Markdown fetch ${fmtS(fetched.ms)} (${cpuLine(fetchCpu)}, ${cpuFloorLine(fetchCpu)}), ratio ${(run.ms / fetched.ms).toFixed(2)}, ${(fetched.steps / (run.ms / 1000)).toFixed(0)} steps/s, ` +
      runFigures(run);
    console.log([line, ...threads].join('\n'));
    lines.push(line, ...threads);
    rmSync(run.item.filename, { force: true });
  } finally {
    await b.close();
    cleanup(b.profile.dir);
    await site.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchExecution();
