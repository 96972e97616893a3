/**
 * Bench helpers: PSS of Chromium's whole process tree, sampled while a case runs; the built
 * extension in headless Chromium driven over a bare DevTools pipe. Figures are printed, never asserted.
 *
 * Not Playwright: Playwright enables DevTools network tracking in every page and worker, which
 * costs Chromium CPU on each request and each chunk (a 6-wide fetch loop of 8 KB files did 340
 * files/s under Playwright, 650–720 without it, on the same machine). A user's browser pays none
 * of that, so neither does the bench.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, ORIGIN, makeProfile } from '../e2e/harness';
import { launchExtensionChromium, signInOverCdp, type Cdp, type PageSession } from '../e2e/cdp';
import { STORED_JOBS_EXPRESSION } from '../flows/jobs';
import type { JobState } from '../../lib/jobs';

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

/**
 * PSS (bytes) of each process. Asynchronous on purpose: the kernel takes ~25 ms to sum Chromium's
 * mappings, and the reference platform shares this process's event loop.
 */
export async function pssEach(pids: number[]): Promise<number[]> {
  return Promise.all(
    pids.map(async (pid) => {
      try {
        const m = /^Pss:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
        return m ? Number(m[1]) * 1024 : 0;
      } catch {
        return 0; // gone
      }
    }),
  );
}

/** What a Chromium process is, from its command line (renderers of extension pages apart). */
export function kindOf(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const type = /--type=([\w-]+)/.exec(cmd)?.[1];
    if (!type) return 'browser';
    if (type === 'renderer') return cmd.includes('--extension-process') ? 'extension' : 'page';
    if (type === 'utility') return /--utility-sub-type=network/.test(cmd) ? 'network' : /storage/.test(cmd) ? 'storage' : 'utility';
    return type;
  } catch {
    return 'gone';
  }
}

/** CPU seconds (user + system) of a `/proc/…/stat` line. */
function statCpu(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds so far of each thread of `pid`, summed by thread name (Chromium names them: the
 * service worker's, the dedicated workers', the thread pool's, the IO thread…).
 */
export function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
        byName.set(name, (byName.get(name) ?? 0) + statCpu(stat));
      } catch {
        /* gone */
      }
    }
  } catch {
    /* gone */
  }
  return byName;
}

/**
 * Samples PSS every `ms` until stopped (the process tree looked up again each second); reports the
 * baseline, the peak (in all and by kind of Chromium process), and the CPU seconds each kind of
 * process and this Node process (the reference platform and the bench) used meanwhile.
 */
export async function sampleMemory(profileDir: string, ms = 250) {
  let tree = chromiumTree(profileDir);
  let treeAt = Date.now();
  const kinds = new Map<number, string>();
  const kindOfPid = (pid: number) => kinds.get(pid) ?? kinds.set(pid, kindOf(pid)).get(pid)!;
  const cpuAt = (pids: number[]) => new Map(pids.map((pid) => (kindOfPid(pid), [pid, cpuSeconds(pid)] as const)));
  const first = cpuAt(tree);
  /** The extension process's threads: CPU seconds by thread name, at the start and as last seen. */
  const extThreads = (pids: number[]) => {
    const all = new Map<string, number>();
    for (const pid of pids) if (kindOfPid(pid) === 'extension') for (const [name, s] of threadCpu(pid)) all.set(`${pid}/${name}`, s);
    return all;
  };
  const threads0 = extThreads(tree);
  const threadsLast = new Map(threads0);
  const last = new Map(first);
  const node0 = process.cpuUsage();
  /** PSS by process kind, at the baseline and at the peak. */
  const byKind = async (pids: number[]) => {
    const each = await pssEach(pids);
    const kinds: Record<string, number> = {};
    pids.forEach((pid, i) => (kinds[kindOfPid(pid)] = (kinds[kindOfPid(pid)] ?? 0) + each[i]));
    return { total: each.reduce((x, y) => x + y, 0), kinds };
  };
  const base = await byKind(tree);
  const baseline = base.total;
  let peak = baseline;
  let peakKinds = base.kinds;
  const sample = async () => {
    if (Date.now() - treeAt >= 1000) {
      tree = chromiumTree(profileDir);
      treeAt = Date.now();
      for (const [pid, cpu] of cpuAt(tree)) if (Number.isFinite(cpu)) last.set(pid, cpu);
      for (const [k, s] of extThreads(tree)) threadsLast.set(k, Math.max(s, threadsLast.get(k) ?? 0));
    }
    const now = await byKind(tree);
    if (now.total > peak) [peak, peakKinds] = [now.total, now.kinds];
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, ms));
      await sample();
    }
  })();
  return {
    baseline,
    async stop() {
      running = false;
      await loop;
      treeAt = 0;
      await sample();
      const cpu: Record<string, number> = {};
      for (const [pid, end] of last) cpu[kindOfPid(pid)] = (cpu[kindOfPid(pid)] ?? 0) + end - (first.get(pid) ?? 0);
      const node = process.cpuUsage(node0);
      cpu['Node (platform + bench)'] = (node.user + node.system) / 1e6;
      const threads: Record<string, number> = {};
      for (const [k, end] of threadsLast) {
        const name = k.slice(k.indexOf('/') + 1);
        threads[name] = (threads[name] ?? 0) + end - (threads0.get(k) ?? 0);
      }
      const growthByKind: Record<string, number> = {};
      for (const k of new Set([...Object.keys(base.kinds), ...Object.keys(peakKinds)])) growthByKind[k] = (peakKinds[k] ?? 0) - (base.kinds[k] ?? 0);
      return { baseline, peak, growth: peak - baseline, growthByKind, cpu, threads };
    },
  };
}

/** `growth by process: extension +120 MB, browser +30 MB, …`, biggest first. */
export const memoryLine = (growth: Record<string, number>) =>
  'growth by process: ' +
  Object.entries(growth)
    .filter(([, b]) => Math.abs(b) >= MB)
    .sort((a, b) => b[1] - a[1])
    .map(([k, b]) => `${k} ${b >= 0 ? '+' : ''}${fmtMB(b)}`)
    .join(', ');

/**
 * The shortest the run could have taken with the CPU it used, on this machine's cores: every CPU
 * second of Chromium's processes and of the platform, over the cores. A run close to it was bound by
 * CPU, not by waiting.
 */
export const cpuFloorLine = (cpu: Record<string, number>) => {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  return `CPU floor on ${cpus().length} cores ${(total / cpus().length).toFixed(1)} s (${total.toFixed(1)} CPU-seconds in all)`;
};

/** `CPU s: network 3.1, extension 9.0, …`, biggest first. */
export const cpuLine = (cpu: Record<string, number>) =>
  'CPU s: ' +
  Object.entries(cpu)
    .filter(([, s]) => s >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, s]) => `${k} ${s.toFixed(1)}`)
    .join(', ');

export const MB = 1024 * 1024;
export const fmtMB = (n: number) => `${(n / MB).toFixed(0)} MB`;
export const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export interface BenchBrowser {
  cdp: Cdp;
  /** The platform's tab. */
  page: PageSession;
  profile: ReturnType<typeof makeProfile>;
  close(): Promise<void>;
}

export async function openBrowser(name: string): Promise<BenchBrowser> {
  const profile = makeProfile(`bench-${name}`);
  // BENCH_CHROMIUM_FLAGS: more flags, for a diagnosis (e.g. "--js-flags=--expose-gc" with a build that calls gc()).
  const extra = (process.env.BENCH_CHROMIUM_FLAGS ?? '').split(' ').filter(Boolean);
  const cdp = await launchExtensionChromium(CHROMIUM, [...CHROMIUM_FLAGS, ...extra], profile.profile, EXTENSION_DIR);
  const page = await cdp.newPage();
  await signInOverCdp(page, ORIGIN);
  return { cdp, page, profile, close: () => cdp.close() };
}

/**
 * Our UI in the page, as a user reaches it: controls by their visible name inside the open shadow
 * roots (`dialog` = inside the open dialog). Expressions for PageSession.evaluate/waitFor (strings:
 * tsx's keepNames would add `__name` calls the page does not have).
 */
const controls = (selector: string, dialog: boolean) => `[...document.querySelectorAll('workflow-exporter')]
  .flatMap((h) => [...h.shadowRoot.querySelectorAll(${JSON.stringify(dialog ? `dialog[open] ${selector}` : selector)})])`;
const nameOf = `(el) => (el.getAttribute('aria-label') || el.closest('label')?.textContent || el.textContent || '').trim()`;

export const ui = {
  /** Clicks the enabled button named `name` once it is there. */
  click: (page: PageSession, name: string, opts: { dialog?: boolean } = {}) =>
    page.waitFor(`(() => {
      const b = ${controls('button', !!opts.dialog)}.find((el) => (${nameOf})(el) === ${JSON.stringify(name)} && !el.matches(':disabled'));
      if (!b) return false;
      b.click();
      return true;
    })()`),
  /** Sets the dialog's radio or checkbox labelled `name`. */
  check: (page: PageSession, name: string, checked = true) =>
    page.waitFor(`(() => {
      const input = ${controls('input', true)}.find((el) => (${nameOf})(el) === ${JSON.stringify(name)} && !el.matches(':disabled'));
      if (!input) return false;
      if (input.checked !== ${checked}) input.click();
      return input.checked === ${checked};
    })()`),
  /** Our progress line is on screen. */
  progressShown: controls('[role=status]', false) + '.length > 0',
};

export interface FinishedDownload {
  /** Full path of the file in the profile's download folder. */
  filename: string;
  size: number;
  /** When (epoch ms, to the poll's 50 ms) the download had its last byte; it was complete later. */
  allBytesAt: number;
}

/** One of the extension's pages, to ask the browser what the extension sees (downloads, job state). */
async function extensionPage(b: BenchBrowser): Promise<PageSession> {
  const sw = (await b.cdp.targets()).find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  if (!sw) throw new Error('the extension has no service worker');
  const ext = await b.cdp.newPage(`chrome-extension://${new URL(sw.url).host}/popup.html`);
  await ext.waitFor(`document.readyState === 'complete'`);
  return ext;
}

/** The newest download once the browser says it is complete (newer than download `after`). */
async function nextDownload(ext: PageSession, after: number, timeoutMs: number, onFirstBytes?: () => void): Promise<FinishedDownload> {
  const deadline = Date.now() + timeoutMs;
  let received = { bytes: -1, at: 0 };
  for (;;) {
    const [item] = await ext.evaluate<{ id: number; state: string; filename: string; error?: string; bytesReceived?: number }[]>(
      `chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 })`,
    );
    // The first bytes in the download (Chrome streams the archive as it is built: issue 17.1).
    if (item && item.id > after && (item.bytesReceived ?? 0) > 0 && onFirstBytes) {
      onFirstBytes();
      onFirstBytes = undefined;
    }
    if (item && item.id > after && item.bytesReceived !== received.bytes) received = { bytes: item.bytesReceived ?? 0, at: Date.now() };
    if (item && item.id > after && item.state === 'complete') return { filename: item.filename, size: statSync(item.filename).size, allBytesAt: received.at };
    if (item && item.id > after && item.state === 'interrupted') throw new Error(`download interrupted: ${item.error}`);
    if (Date.now() > deadline) throw new Error(`no download within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The newest job's figures, as the extension keeps them. */
async function lastJob(ext: PageSession): Promise<Pick<JobState, 'startedAt' | 'finishedAt' | 'result'> | undefined> {
  const jobs = await ext.evaluate<{ startedAt: number }[]>(STORED_JOBS_EXPRESSION);
  return jobs.sort((x, y) => y.startedAt - x.startedAt)[0];
}

/**
 * The browser's own limit: a bare `fetch` of `urls` from one of the extension's pages, `parallel` at a
 * time, with the user's cookie, every body read to its end and dropped. Milliseconds.
 */
export async function bareFetchMs(b: BenchBrowser, urls: string[], parallel = 6): Promise<number> {
  const ext = await extensionPage(b);
  try {
    return await ext.evaluate<number>(`(async () => {
      const urls = ${JSON.stringify(urls)};
      let next = 0;
      const t0 = performance.now();
      const one = async () => {
        while (next < urls.length) {
          const res = await fetch(urls[next++], { credentials: 'include', cache: 'no-store' });
          if (!res.ok) throw new Error('HTTP ' + res.status);
          const reader = res.body.getReader();
          while (!(await reader.read()).done);
        }
      };
      await Promise.all(Array.from({ length: ${parallel} }, one));
      return performance.now() - t0;
    })()`);
  } finally {
    await ext.send('Page.close').catch(() => {});
  }
}

/** Clicks through one export, measuring click → finished file, the first progress and memory. */
export async function timeExport(
  b: BenchBrowser,
  start: () => Promise<void>,
  opts: { timeout?: number } = {},
): Promise<{
  ms: number;
  firstProgressMs: number | null;
  /** Click → the first bytes in the download (null: none seen before it was complete). */
  firstBytesMs: number | null;
  item: FinishedDownload;
  memory: Awaited<ReturnType<Awaited<ReturnType<typeof sampleMemory>>['stop']>>;
  archiveMs: number | null;
  copyMs: number | null;
  /** Of `copyMs`: until the download had every byte (the rest is Chrome's flush of the file to disk and its rename). */
  receivedMs: number | null;
  stages: Record<string, number> | null;
}> {
  const ext = await extensionPage(b);
  // That page lives in the extension's process, like the engine: let it settle before the baseline.
  await new Promise((r) => setTimeout(r, 2000));
  const [before] = await ext.evaluate<{ id: number }[]>(`chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 })`);
  const mem = await sampleMemory(b.profile.profile);
  const t0 = Date.now();
  let firstProgressMs: number | null = null;
  const watch = b.page
    .waitFor(ui.progressShown, 30_000, 50)
    .then(() => void (firstProgressMs = Date.now() - t0))
    .catch(() => {});
  await start();
  let firstBytesMs: number | null = null;
  const item = await nextDownload(ext, before?.id ?? -1, opts.timeout ?? 1_800_000, () => void (firstBytesMs = Date.now() - t0));
  const ms = Date.now() - t0;
  const memory = await mem.stop();
  await watch;
  // Where the time went: building the archive (fetch, verify, zip, write) vs copying it to Downloads.
  const job = await lastJob(ext);
  await ext.send('Page.close').catch(() => {});
  const archiveMs = job?.result?.archiveMs ?? null;
  // From the archive's completion (the engine's clock: its start-up after the click is not the copy's).
  const builtAt = job?.result?.builtAt ?? null;
  const copyMs = builtAt !== null && job?.finishedAt ? job.finishedAt - builtAt : null;
  // (To the poll's 50 ms: never past the download's completion.)
  const receivedMs = builtAt !== null && copyMs !== null ? Math.min(copyMs, Math.max(0, item.allBytesAt - builtAt)) : null;
  return { ms, firstProgressMs, firstBytesMs, item, memory, archiveMs, copyMs, receivedMs, stages: job?.result?.stages ?? null };
}

/**
 * The engine thread's time per stage (`workers/stages.ts`) and what is left of the archive's time:
 * the thread waiting for the network, the browser's native SHA-256 or the next file.
 */
function stagesLine(stages: Record<string, number> | null, archiveMs: number | null): string {
  if (!stages || archiveMs === null) return '';
  const busy = Object.values(stages).reduce((a, b) => a + b, 0);
  const parts = Object.entries(stages).map(([k, v]) => `${k} ${fmtS(v)}`);
  return `engine thread: ${parts.join(', ')}, other + waiting ${fmtS(archiveMs - busy)}; `;
}

/** Chrome flushes a finished download to disk (fdatasync) before it renames it: that wait is not the copy's. */
function flushLine(run: { copyMs: number | null; receivedMs: number | null }): string {
  if (run.copyMs === null || run.receivedMs === null) return '';
  return ` (every byte in the download ${fmtS(run.receivedMs)} after the archive; Chrome's flush to disk and rename ${fmtS(run.copyMs - run.receivedMs)})`;
}

/**
 * The figures every case prints after its own: where the time went (the file built, its copy to
 * Downloads, the engine thread's stages, CPU per process kind), the first progress and memory.
 */
export function runFigures(run: Awaited<ReturnType<typeof timeExport>>): string {
  return (
    `file built in ${fmtS(run.archiveMs ?? NaN)} + copied to Downloads in ${fmtS(run.copyMs ?? NaN)}${flushLine(run)}, ` +
    `${stagesLine(run.stages, run.archiveMs)}${cpuLine(run.memory.cpu)} (extension by thread: ${cpuLine(run.memory.threads).slice(7)}), ${cpuFloorLine(run.memory.cpu)}; first progress ${run.firstProgressMs} ms, first bytes in Downloads ${run.firstBytesMs ?? '–'} ms, ` +
    `peak memory growth ${fmtMB(run.memory.growth)} (baseline ${fmtMB(run.memory.baseline)}; ${memoryLine(run.memory.growthByKind)})`
  );
}
