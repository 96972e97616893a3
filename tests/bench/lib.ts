/**
 * Bench helpers: PSS of Chromium's whole process tree, sampled while a case runs; the reference
 * platform; the built extension in headless Chromium. Figures are printed, never asserted.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { allowDownloads, launchWithExtension, makeProfile, serviceWorkerOf, signIn, waitForDownload, type DownloadItem } from '../e2e/harness';

function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The Chromium processes whose command line names `profileDir`, and all their descendants. */
export function chromiumTree(profileDir: string): number[] {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const roots = new Set<number>();
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profileDir)) roots.add(pid);
    } catch {
      /* gone */
    }
  }
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const pid of pids) {
      if (tree.has(pid)) continue;
      const ppid = ppidOf(pid);
      if (ppid !== null && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Sum of PSS (bytes) over the processes. */
export function pss(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Samples PSS every `ms` until stopped; reports the baseline and the peak. */
export function sampleMemory(profileDir: string, ms = 200) {
  const baseline = pss(chromiumTree(profileDir));
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, pss(chromiumTree(profileDir)));
  }, ms);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, pss(chromiumTree(profileDir)));
      return { baseline, peak, growth: peak - baseline };
    },
  };
}

export const MB = 1024 * 1024;
export const fmtMB = (n: number) => `${(n / MB).toFixed(0)} MB`;
export const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export interface BenchBrowser {
  context: BrowserContext;
  page: Page;
  sw: Worker;
  profile: ReturnType<typeof makeProfile>;
}

export async function openBrowser(name: string): Promise<BenchBrowser> {
  const profile = makeProfile(`bench-${name}`);
  const context = await launchWithExtension(profile.profile);
  const page = context.pages()[0] ?? (await context.newPage());
  await allowDownloads(page);
  await signIn(page);
  const sw = await serviceWorkerOf(context);
  return { context, page, sw, profile };
}

/** Clicks through one export, measuring click → finished file, the first progress and memory. */
export async function timeExport(
  b: BenchBrowser,
  start: () => Promise<void>,
  opts: { timeout?: number } = {},
): Promise<{
  ms: number;
  firstProgressMs: number | null;
  item: DownloadItem;
  memory: { baseline: number; peak: number; growth: number };
  archiveMs: number | null;
  copyMs: number | null;
}> {
  const [before] = (await b.sw.evaluate(() => chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 }) as unknown)) as DownloadItem[];
  const mem = sampleMemory(b.profile.profile);
  const t0 = Date.now();
  let firstProgressMs: number | null = null;
  const watch = (async () => {
    const status = b.page.locator('workflow-exporter').getByRole('status').first();
    await status.waitFor({ timeout: 30_000 }).catch(() => {});
    firstProgressMs = Date.now() - t0;
  })();
  await start();
  const item = await waitForDownload(b.sw, { after: before?.id ?? -1, timeout: opts.timeout ?? 1_800_000 });
  const ms = Date.now() - t0;
  await watch;
  // Where the time went: building the archive (fetch, verify, zip, write) vs copying it to Downloads.
  const jobs = (await b.sw.evaluate(async () => (await chrome.storage.session.get('jobs')).jobs)) as {
    startedAt: number;
    finishedAt?: number;
    result?: { archiveMs?: number };
  }[];
  const job = jobs.sort((x, y) => y.startedAt - x.startedAt)[0];
  const archiveMs = job?.result?.archiveMs ?? null;
  const copyMs = archiveMs !== null && job.finishedAt ? job.finishedAt - job.startedAt - archiveMs : null;
  return { ms, firstProgressMs, item, memory: mem.stop(), archiveMs, copyMs };
}
