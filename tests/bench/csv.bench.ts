/**
 * Results-as-CSV bench: 100,000 submissions (workflow "3": 50,000 cases × 2 submissions), the
 * extension's export (click → finished file) next to fetching the same JSON pages alone from the
 * page, in one run, with the peak PSS growth of Chromium's whole process tree (sampled every 200 ms).
 *
 *   npx tsx tests/bench/csv.bench.ts
 *   BENCH_CSV_CASES=100000 BENCH_CSV_RUNS="long/all,wide/latest,long/allx4" npx tsx tests/bench/csv.bench.ts
 *   BENCH_PROFILE=1 npx tsx tests/bench/csv.bench.ts   (also: the engine thread's busy time and top functions)
 *
 * The last default run has 4 × the submissions over the same cases: its memory should match the
 * first one's (the export keeps a small record per case, never the submissions).
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { startSite } from '../site/server';
import { ORIGIN, SITE_PORT, cleanup } from '../e2e/harness';
import { MB, cpuFloorLine, cpuLine, fmtMB, openBrowser, runFigures, sampleMemory, timeExport, ui, type BenchBrowser } from './lib';
import { profileEngineThreads } from './execution.bench';

const CASES = Number(process.env.BENCH_CSV_CASES ?? 50_000);
const PER_CASE = Number(process.env.BENCH_CSV_SUBMISSIONS_PER_CASE ?? 2);
/** `layout/submissions[xN]`: xN multiplies the submissions per case (same cases), to show memory does not follow the submissions. */
const RUNS = (process.env.BENCH_CSV_RUNS ?? 'long/all,wide/latest,long/allx4').split(',').map((r) => {
  const m = /^(long|wide)\/(all|submitted|latest)(?:x(\d+))?$/.exec(r.trim());
  if (!m) throw new Error(`BENCH_CSV_RUNS: not layout/submissions[xN]: ${r}`);
  return { layout: m[1] as 'long' | 'wide', submissions: m[2] as 'all' | 'submitted' | 'latest', times: Number(m[3] ?? 1) };
});

const LAYOUT_LABEL = { long: 'One row per submission', wide: 'One row per case' } as const;
const SUBMISSIONS_LABEL = { all: 'All', submitted: 'Submitted only', latest: 'Latest per reader' } as const;

/** Fetches every page the export reads (cases once, submissions once or twice), from the page, parsing each. */
async function fetchJsonPages(b: BenchBrowser, submissionPasses: number): Promise<{ ms: number; pages: number; items: number }> {
  // A string, not a function: tsx's keepNames would add `__name` calls the page does not have.
  const script = `(async () => {
    const t0 = performance.now();
    let pages = 0;
    let items = 0;
    async function all(path) {
      let cursor = null;
      do {
        const res = await fetch(path + '?limit=500' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''), { credentials: 'include', cache: 'no-store' });
        const page = await res.json();
        pages++;
        items += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
    }
    await all('/api/v1/workflows/3/cases');
    for (let i = 0; i < ${submissionPasses}; i++) await all('/api/v1/workflows/3/submissions');
    return { ms: performance.now() - t0, pages, items };
  })()`;
  return b.page.evaluate<{ ms: number; pages: number; items: number }>(script);
}

export async function benchCsv(): Promise<string[]> {
  const site = await startSite({ port: SITE_PORT, scaleCases: CASES, scaleSubmissionsPerCase: PER_CASE });
  const lines: string[] = [];
  const b = await openBrowser('csv');
  try {
    // Warm-up: a small export first starts the offscreen document and the engine worker, so the
    // figures below are the CSV export's own; that one-time start-up is printed on its own line.
    await b.page.goto(`${ORIGIN}/develop/workflows/2`);
    await ui.click(b.page, 'Export CSV');
    const warm = await timeExport(b, () => ui.click(b.page, 'Download', { dialog: true }));
    await ui.click(b.page, 'Close', { dialog: true });
    rmSync(warm.item.filename, { force: true });
    const startup = `csv warm-up (engine start-up, 3-row export): ${(warm.ms / 1000).toFixed(1)} s, peak PSS growth ${fmtMB(warm.memory.growth)}`;
    console.log(startup);
    lines.push(startup);
    await b.page.goto(`${ORIGIN}/develop/workflows/3`);
    await fetchJsonPages(b, 1); // warm-up: the server's and the browser's JIT, for both contenders alike
    for (const { layout, submissions, times } of RUNS) {
      site.setConfig({ scaleCases: CASES, scaleSubmissionsPerCase: PER_CASE * times });
      const passes = layout === 'wide' || submissions === 'latest' ? 2 : 1;
      const jsonMem = await sampleMemory(b.profile.profile);
      const json = await fetchJsonPages(b, passes);
      const jsonCpu = (await jsonMem.stop()).cpu;
      // The reference's garbage (its parsed pages) is collected now, not while the export runs.
      await b.cdp.send('HeapProfiler.collectGarbage', {}, b.page.sessionId);
      await ui.click(b.page, 'Export CSV');
      await ui.check(b.page, SUBMISSIONS_LABEL[submissions]);
      await ui.check(b.page, LAYOUT_LABEL[layout]);
      const stopProfile = process.env.BENCH_PROFILE ? await profileEngineThreads(b) : null;
      const run = await timeExport(b, () => ui.click(b.page, 'Download', { dialog: true }));
      const threads = stopProfile ? await stopProfile(run.ms) : [];
      const size = statSync(run.item.filename).size;
      const rows = (parse(readFileSync(run.item.filename), { bom: true }) as string[][]).length - 1;
      const line =
        `csv ${layout}/${submissions} (${(CASES * PER_CASE * times).toLocaleString('en')} submissions, ${rows.toLocaleString('en')} rows, ${(size / MB).toFixed(1)} MB): ` +
        `export ${(run.ms / 1000).toFixed(1)} s, json fetch ${(json.ms / 1000).toFixed(1)} s (${json.pages} pages; ${cpuLine(jsonCpu)}, ${cpuFloorLine(jsonCpu)}), ratio ${(run.ms / json.ms).toFixed(2)}, ` +
        runFigures(run);
      console.log([line, ...threads].join('\n'));
      lines.push(line, ...threads);
      rmSync(run.item.filename, { force: true });
      await ui.click(b.page, 'Close', { dialog: true });
    }
  } finally {
    await b.close();
    cleanup(b.profile.dir);
    await site.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCsv();
