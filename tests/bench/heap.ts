/**
 * What each file of a case-files export leaves behind in memory (issue 17, point 2): the JS heap of
 * the engine's worker, the offscreen document and the service worker, after a garbage collection,
 * every few seconds of one export of many 1 KB files; and two heap snapshots of the worker (at a
 * quarter and at three quarters of the files) compared by constructor, per file.
 *
 *   WE_NO_MINIFY=1 WE_OUT_DIR=.output-prof npx wxt build
 *   WE_OUT_DIR=.output-prof HEAP_CASES=20000 npx tsx tests/bench/heap.ts
 *
 * Prints figures; asserts nothing. DevTools is attached to the three targets (never in the bench).
 */
import { startSite } from '../site/server';
import { ORIGIN, SITE_PORT, cleanup } from '../e2e/harness';
import type { Cdp } from '../e2e/cdp';
import { chromiumTree, kindOf, openBrowser, pssEach, ui, type BenchBrowser } from './lib';

const CASES = Number(process.env.HEAP_CASES ?? 20_000);
const FILE_SIZE = Number(process.env.HEAP_FILE_SIZE ?? 1024);
const MB = 1024 * 1024;
/** HEAP_GC=0: read the heaps as they are, without collecting garbage first (nor taking snapshots). */
const GC = process.env.HEAP_GC !== '0';

const site = await startSite({ port: SITE_PORT, scaleCases: 2, scaleFilesPerCase: 2, scaleFileSize: FILE_SIZE, scaleDistinctContents: 4 });
const b = await openBrowser('heap');

/** The export's progress bar (0..1), -1 once it is gone (the job ended). */
const fractionExpr = `(() => { const p = [...document.querySelectorAll('workflow-exporter')].map((h) => h.shadowRoot.querySelector('progress')).find(Boolean); return p ? p.value : -1; })()`;

async function startExport(b: BenchBrowser) {
  await b.page.goto(`${ORIGIN}/develop/workflows/3`);
  await ui.click(b.page, 'Export case files');
  await ui.click(b.page, 'Download files', { dialog: true });
}
const saved = `[...document.querySelectorAll('workflow-exporter')].some((h) => h.shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved'))`;

/** A heap snapshot of a session, summed by node type and constructor name. */
async function snapshot(cdp: Cdp, sessionId: string): Promise<Map<string, { count: number; size: number }>> {
  const chunks: string[] = [];
  cdp.on((m) => {
    if (m.sessionId === sessionId && m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params.chunk);
  });
  await cdp.send('HeapProfiler.collectGarbage', {}, sessionId);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, sessionId);
  const snap = JSON.parse(chunks.join(''));
  chunks.length = 0;
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const n = fields.length;
  const out = new Map<string, { count: number; size: number }>();
  const nodes: number[] = snap.nodes;
  for (let i = 0; i < nodes.length; i += n) {
    const type = types[nodes[i + iType]];
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? '' : snap.strings[nodes[i + iName]];
    const key = `${type}: ${name.slice(0, 80)}`;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += nodes[i + iSize];
    out.set(key, e);
  }
  return out;
}

try {
  await startExport(b);
  await b.page.waitFor(saved, 120_000, 100);
  site.setConfig({ scaleCases: CASES, scaleFilesPerCase: 2, scaleFileSize: FILE_SIZE, scaleDistinctContents: 4 });
  const files = CASES * 2;

  const targets = await b.cdp.targets();
  const offscreen = targets.find((t) => t.url.includes('offscreen'));
  const sw = targets.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  if (!offscreen) throw new Error('no offscreen document');
  const attach = async (targetId: string) => (await b.cdp.send('Target.attachToTarget', { targetId, flatten: true })).sessionId as string;
  const off = await attach(offscreen.targetId);
  const swSession = sw ? await attach(sw.targetId) : null;
  const worker = new Promise<string>((resolve) =>
    b.cdp.on((m) => {
      if (m.method === 'Target.attachedToTarget' && m.params.targetInfo.type === 'worker') resolve(m.params.sessionId);
    }),
  );
  await b.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, off);
  const ws = await worker;
  const sessions: [string, string][] = [['worker', ws], ['offscreen', off], ...(swSession ? [['service worker', swSession] as [string, string]] : [])];
  const extensionPids = chromiumTree(b.profile.profile).filter((pid) => kindOf(pid) === 'extension');
  const heap = async () => {
    const parts: string[] = [];
    for (const [name, s] of sessions) {
      const u0 = await b.cdp.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage', {}, s).catch(() => null);
      if (GC) await b.cdp.send('HeapProfiler.collectGarbage', {}, s).catch(() => {});
      const u = GC ? await b.cdp.send<{ usedSize: number }>('Runtime.getHeapUsage', {}, s).catch(() => null) : u0;
      const f = (n: number | undefined) => (n === undefined ? '?' : (n / MB).toFixed(1));
      parts.push(`${name} ${f(u0?.usedSize)}/${f(u0?.totalSize)} MB${GC ? ` (after GC ${f(u?.usedSize)})` : ''}`);
    }
    const pss = (await pssEach(extensionPids)).reduce((x, y) => x + y, 0);
    return `${parts.join(', ')}; extension renderer PSS ${(pss / MB).toFixed(0)} MB`;
  };
  console.log(`before: ${await heap()}`);
  const t0 = Date.now();
  await startExport(b);
  let first: { at: number; snap: Awaited<ReturnType<typeof snapshot>> } | null = null;
  for (;;) {
    await new Promise((r) => setTimeout(r, 3000));
    const f = await b.page.evaluate<number>(fractionExpr);
    if (f < 0) break;
    console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s, ${(f * 100).toFixed(0)} %: ${await heap()}`);
    if (!GC) continue;
    if (!first && f >= 0.25) first = { at: f, snap: await snapshot(b.cdp, ws) };
    else if (first && f >= 0.75) {
      const at = f;
      const second = await snapshot(b.cdp, ws);
      const perFiles = (at - first.at) * files;
      const rows = [...second]
        .map(([k, v]) => ({ k, count: v.count - (first!.snap.get(k)?.count ?? 0), size: v.size - (first!.snap.get(k)?.size ?? 0) }))
        .sort((x, y) => y.size - x.size)
        .slice(0, 30);
      const total = [...second.values()].reduce((n, v) => n + v.size, 0) - [...first.snap.values()].reduce((n, v) => n + v.size, 0);
      console.log(`worker heap, ${perFiles.toFixed(0)} files later: ${(total / MB).toFixed(1)} MB more, ${(total / perFiles).toFixed(0)} bytes per file; by constructor:`);
      for (const r of rows) console.log(`${(r.size / perFiles).toFixed(1).padStart(8)} B/file ${(r.count / perFiles).toFixed(2).padStart(6)} objects/file  ${r.k}`);
      break;
    }
  }
  await b.page.waitFor(saved, 1_800_000, 500);
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${await heap()}`);
} finally {
  await b.close();
  cleanup(b.profile.dir);
  await site.close();
}
