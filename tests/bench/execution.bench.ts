/**
 * Execution bench: execution "3002" with 2,000 steps exported as HTML (one file per step), click →
 * finished file, next to fetching the same JSON and Markdown alone from the page (six at a time,
 * as a browser would), in one run, with the peak PSS growth of Chromium's processes.
 *
 *   npx tsx tests/bench/execution.bench.ts          (BENCH_STEPS=2000, BENCH_STEP_OUTPUT=20K)
 */
import { rmSync } from 'node:fs';
import { startSite } from '../site/server';
import { parseSize } from '../site/config';
import { ORIGIN, SITE_PORT, cleanup } from '../e2e/harness';
import { fmtS, openBrowser, runFigures, timeExport, ui } from './lib';

const STEPS = Number(process.env.BENCH_STEPS ?? 2000);
const OUTPUT = parseSize(process.env.BENCH_STEP_OUTPUT ?? '20K');

export async function benchExecution(): Promise<string[]> {
  const site = await startSite({ port: SITE_PORT, executionSteps: STEPS, stepOutputSize: OUTPUT });
  const b = await openBrowser('execution');
  const lines: string[] = [];
  try {
    await b.page.goto(`${ORIGIN}/workflows/3/executions/3002`);
    // A string, not a function: tsx's keepNames would add `__name` calls the page does not have.
    const fetched = (await b.page.evaluate(`(async () => {
      const t0 = performance.now();
      const ex = await (await fetch('/api/v1/executions/3002', { credentials: 'include', cache: 'no-store' })).json();
      let i = 0, bytes = 0;
      await Promise.all(Array.from({ length: 6 }, async () => {
        while (i < ex.steps.length) {
          const s = ex.steps[i++];
          bytes += (await (await fetch('/api/v1/executions/3002/steps/' + s.id + '/output', { credentials: 'include', cache: 'no-store' })).text()).length;
        }
      }));
      return { ms: performance.now() - t0, steps: ex.steps.length, bytes };
    })()`)) as { ms: number; steps: number; bytes: number };
    await ui.click(b.page, 'Export as');
    await ui.check(b.page, 'HTML');
    await ui.check(b.page, 'Combine results into a single file', false);
    const run = await timeExport(b, () => ui.click(b.page, 'Export', { dialog: true }));
    const line =
      `execution (${fetched.steps} steps as HTML, ${(fetched.bytes / 1024 / 1024).toFixed(1)} MB of Markdown): extension ${fmtS(run.ms)}, ` +
      `JSON + Markdown fetch ${fmtS(fetched.ms)}, ratio ${(run.ms / fetched.ms).toFixed(2)}, ${(fetched.steps / (run.ms / 1000)).toFixed(0)} steps/s, ` +
      runFigures(run);
    console.log(line);
    lines.push(line);
    rmSync(run.item.filename, { force: true });
  } finally {
    await b.close();
    cleanup(b.profile.dir);
    await site.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchExecution();
