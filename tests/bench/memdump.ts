/**
 * Which allocator holds the extension's memory during an export: Chromium's own memory dumps
 * (memory-infra, over DevTools tracing), three of them mid-export, each printed as the extension
 * process's largest allocators (V8's heaps, PartitionAlloc's ArrayBuffer partition, malloc, Blink's
 * GC heap…), in MB.
 *
 *   npx tsx tests/bench/memdump.ts            2 GB in 500 files (large)
 *   npx tsx tests/bench/memdump.ts 4G         4 GB in 500 files (8.6 MB each: over the in-memory limit, so on disk)
 *   npx tsx tests/bench/memdump.ts csv        100,000 submissions as CSV (csv-wide: one row per case, latest per reader)
 *   npx tsx tests/bench/memdump.ts scale      200,000 files of 1 KB: dumps at 30 s and at 120, 240, 360 s
 *                                             (every allocator at the top, V8 by isolate and space)
 *
 * Measured with it (2026-12-02): the growth of the 2 GB export is ArrayBuffers
 * (`partition_alloc/partitions/array_buffer` 104–128 MB) and the chunks serialised for the service
 * worker (`partition_alloc/partitions/buffer` 50–61 MB), while every V8 heap together is 12 MB.
 * And (2026-12-06, `scale`, Intel Xeon 2 vCPU) from 30 s to 360 s (about 12,000 to 140,000 files):
 * one worker isolate's young generation 22.5 -> 44.2 MB (V8 growing it while the export runs), its old
 * space 4.0 -> 10.0 MB, malloc 39 -> 57 MB; PartitionAlloc's array buffers flat (20-23 MB).
 */
import { startSite } from '../site/server';
import { ORIGIN, SITE_PORT, cleanup } from '../e2e/harness';
import { openBrowser, ui } from './lib';

const csvWide = process.argv[2] === 'csv-wide';
const csv = process.argv[2] === 'csv' || csvWide;
const onDisk = process.argv[2] === '4G';
const scale = process.argv[2] === 'scale';
const site = await startSite({
  port: SITE_PORT,
  scaleCases: csv ? 50_000 : scale ? 100_000 : 250,
  scaleFilesPerCase: 2,
  scaleFileSize: scale ? 1024 : onDisk ? Math.round(4 * 2 ** 30 / 500) : 4 * 1024 * 1024,
  scaleDistinctContents: 4,
  scaleSubmissionsPerCase: 2,
});
const b = await openBrowser('memdump');
try {
  await b.page.goto(`${ORIGIN}/develop/workflows/3`);
  const events: { ph: string; pid: number; name: string; args: any }[] = [];
  let done: () => void = () => {};
  const complete = new Promise<void>((r) => (done = r));
  b.cdp.on((m) => {
    if (m.method === 'Tracing.dataCollected') events.push(...m.params.value);
    if (m.method === 'Tracing.tracingComplete') done();
  });
  await b.cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } },
    transferMode: 'ReportEvents',
  });
  await ui.click(b.page, csv ? 'Export CSV' : 'Export case files');
  if (csvWide) {
    await ui.check(b.page, 'Latest per reader');
    await ui.check(b.page, 'One row per case');
  }
  await ui.click(b.page, csv ? 'Download' : 'Download files', { dialog: true });
  for (const wait of scale ? [30_000, 90_000, 120_000, 120_000] : [4000, 3000, 3000]) {
    await new Promise((r) => setTimeout(r, wait));
    await b.cdp.send('Tracing.requestMemoryDump', { deterministic: false, levelOfDetail: 'detailed' });
  }
  await b.cdp.send('Tracing.end');
  await complete;
  const extension = new Set(events.filter((e) => e.ph === 'M' && /--extension-process/.test(String(e.args?.labels ?? e.args?.name ?? ''))).map((e) => e.pid));
  const size = (d: any) => (d?.attrs?.size ? parseInt(d.attrs.size.value, 16) : 0);
  let n = 0;
  for (const e of events) {
    const allocators = e.ph === 'v' ? e.args?.dumps?.allocators : null;
    if (!allocators || (extension.size && !extension.has(e.pid))) continue;
    if (!extension.size && !allocators['partition_alloc/partitions/array_buffer']) continue;
    const top = Object.entries<any>(allocators)
      .filter(([name]) => name.split('/').length <= 3)
      .map(([name, d]) => [name, size(d)] as const)
      .filter(([, s]) => s >= 2 ** 20)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 12);
    console.log(`dump ${++n}, process ${e.pid}: ${top.map(([name, s]) => `${name} ${(s / 2 ** 20).toFixed(1)}`).join(', ')}`);
    if (scale || csv) {
      // Every allocator at the top, and V8's isolates one by one (which worker's heap grows).
      const all = Object.entries<any>(allocators).map(([name, d]) => [name, size(d)] as const).filter(([, s]) => s >= 2 ** 19);
      const pick = (f: (name: string) => boolean) => all.filter(([name]) => f(name)).map(([name, s]) => `${name} ${(s / 2 ** 20).toFixed(1)}`).join(', ');
      console.log(`  top: ${pick((name) => !name.includes('/'))}`);
      console.log(`  v8: ${pick((name) => name.startsWith('v8/') && name.split('/').length <= 5)}`);
      console.log(`  partition_alloc: ${pick((name) => name.startsWith('partition_alloc/partitions/') && name.split('/').length === 3)}`);
    }
  }
} finally {
  await b.close();
  cleanup(b.profile.dir);
  await site.close();
}
