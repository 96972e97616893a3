/**
 * Case-files bench: the extension's export next to `curl --parallel --parallel-max 6` of the same
 * URLs to disk and to a bare `fetch` of them from an extension page (the browser's own limit), in
 * one run, with peak memory growth of Chromium's processes.
 *
 *   npx tsx tests/bench/files.bench.ts                 large:2G and small
 *   BENCH_FILES="large:0.5G,large:2G,small" npx tsx tests/bench/files.bench.ts
 *   BENCH_FILES=scale npx tsx tests/bench/files.bench.ts   20,000 and 200,000 files of 1 KB, side by side
 *   BENCH_FILES=scale:200k BENCH_REFERENCES=0 …           one of them, without curl and the bare fetch
 *
 * `scale` (issue 17, point 2): what each file leaves behind in memory. Its two runs print, after their
 * own lines, one line with the time per file and the peak memory growth of both.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../site/server';
import { parseSize } from '../site/config';
import { apiClient, ORIGIN, SITE_PORT, TMP, cleanup } from '../e2e/harness';
import type { Case, Page } from '../../lib/platform';
import { requireTool } from '../../scripts/tools';
import { MB, bareFetchMs, cpuFloorLine, cpuLine, fmtMB, fmtS, memoryLine, openBrowser, runFigures, sampleMemory, timeExport, ui } from './lib';

const perFile = (ms: number, files: number) => `${((ms / files) * 1000).toFixed(0)} µs`;

interface FilesCase {
  name: string;
  /** Runs of the scale case, compared in one line at the end. */
  scale?: boolean;
  cases: number;
  filesPerCase: number;
  fileSize: number;
}

/** `20k`, `200k`, `200000`. */
const parseCount = (s: string) => (/k$/i.test(s) ? Number(s.slice(0, -1)) * 1000 : Number(s));
/** BENCH_REFERENCES=0: no curl and no bare fetch (a long scale run on a busy machine; no ratio then). */
const REFERENCES = process.env.BENCH_REFERENCES !== '0';

function parseCases(spec: string): FilesCase[] {
  return spec.split(',').flatMap((s): FilesCase[] => {
    const [kind, size] = s.trim().split(':');
    if (kind === 'scale')
      return [
        { name: 'scale, 20,000 files of 1 KB', cases: 10_000, filesPerCase: 2, fileSize: 1024, scale: true },
        // The reference platform allows up to 100,000 cases.
        { name: 'scale, 200,000 files of 1 KB', cases: 100_000, filesPerCase: 2, fileSize: 1024, scale: true },
      ].filter((c) => !size || c.cases * 2 === parseCount(size));
    if (kind === 'small') return [{ name: 'small files (20,000 × 8 KB)', cases: 10_000, filesPerCase: 2, fileSize: 8 * 1024 }];
    const total = parseSize(size ?? '2G');
    return [{ name: `large files (${size ?? '2G'} in 500 files)`, cases: 250, filesPerCase: 2, fileSize: Math.floor(total / 500) }];
  });
}

async function fileUrls(cookieFetch: typeof fetch): Promise<string[]> {
  const urls: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await cookieFetch(`/api/v1/workflows/3/cases?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json()) as Page<Case>;
    for (const c of page.items) for (const f of c.files) urls.push(`${ORIGIN}/api/v1/files/${f.uuid}/content`);
    cursor = page.nextCursor;
  } while (cursor);
  return urls;
}

/** curl runs in a child process, asynchronously: the reference platform lives in this process. */
async function curlParallel(urls: string[], cookie: string, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'curl.cfg');
  writeFileSync(cfg, urls.map((u, i) => `url = "${u}"\noutput = "${join(dir, `f${i}`)}"\n`).join(''));
  const t0 = Date.now();
  const status = await new Promise<number | null>((resolve) =>
    spawn(requireTool('curl'), ['--parallel', '--parallel-max', '6', '--no-progress-meter', '-f', '-b', cookie, '-K', cfg], { stdio: 'inherit' }).on(
      'exit',
      resolve,
    ),
  );
  const ms = Date.now() - t0;
  if (status !== 0) throw new Error(`curl failed: ${status}`);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

export async function benchFiles(spec = process.env.BENCH_FILES ?? 'large:2G,small') {
  const site = await startSite({ port: SITE_PORT, scaleDistinctContents: 4 });
  const lines: string[] = [];
  const scale: string[] = [];
  try {
    for (const c of parseCases(spec)) {
      site.setConfig({ scaleCases: c.cases, scaleFilesPerCase: c.filesPerCase, scaleFileSize: c.fileSize, scaleDistinctContents: 4 });
      const api = await apiClient();
      const urls = await fileUrls(api.fetch);
      const totalBytes = urls.length * c.fileSize;
      const curlMs = REFERENCES ? await curlParallel(urls, api.cookie, join(TMP, 'bench-curl')) : NaN;
      const b = await openBrowser('files');
      try {
        await b.page.goto(`${ORIGIN}/develop/workflows/3`);
        await ui.click(b.page, 'Export case files');
        // 200,000 files take half an hour at 110 files/s (a busy machine): the scale runs may take 90 minutes.
        const run = await timeExport(b, () => ui.click(b.page, 'Download files', { dialog: true }), c.scale ? { timeout: 90 * 60_000 } : {});
        if (run.item.size < totalBytes) throw new Error(`the archive is smaller than its files: ${JSON.stringify(run.item)}`);
        rmSync(run.item.filename, { force: true });
        // The same URLs, 6 at a time, bytes dropped: what the browser itself allows (issue 17, point 4).
        const bareMem = REFERENCES ? await sampleMemory(b.profile.profile) : null;
        const bareMs = REFERENCES ? await bareFetchMs(b, urls) : NaN;
        const bare = await bareMem?.stop();
        const bareCpu = bare ? ` (${cpuLine(bare.cpu)}; extension by thread: ${cpuLine(bare.threads).slice(7)}; ${cpuFloorLine(bare.cpu)})` : '';
        const references = REFERENCES
          ? `curl ${fmtS(curlMs)}, ratio ${(run.ms / curlMs).toFixed(2)}, bare fetch ${fmtS(bareMs)}${bareCpu}, ${(bareMs / run.ms).toFixed(2)} of the browser's bare fetch, `
          : 'no references (BENCH_REFERENCES=0), ';
        const line =
          `${c.name}: extension ${fmtS(run.ms)}, ${references}` +
          `${(totalBytes / MB / (run.ms / 1000)).toFixed(0)} MB/s, ${(urls.length / (run.ms / 1000)).toFixed(0)} files/s, ` +
          `${perFile(run.ms, urls.length)} per file, ` +
          runFigures(run);
        console.log(line);
        lines.push(line);
        if (c.scale)
          scale.push(`${urls.length.toLocaleString('en')} files ${perFile(run.ms, urls.length)} per file, memory growth ${fmtMB(run.memory.growth)} (${memoryLine(run.memory.growthByKind)})`);
      } finally {
        await b.close();
        cleanup(b.profile.dir);
      }
    }
    if (scale.length > 1) {
      const line = `files at scale, side by side: ${scale.join(' | ')}`;
      console.log(line);
      lines.push(line);
    }
  } finally {
    await site.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchFiles();
