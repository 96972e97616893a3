/**
 * CPU profile of the export engine's worker thread, the offscreen document's main thread and the
 * service worker during one export, by function (self time).
 * Build with readable names first, into its own folder:
 *
 *   WE_NO_MINIFY=1 WE_OUT_DIR=.output-prof npx wxt build
 *   WE_OUT_DIR=.output-prof npx tsx tests/bench/profile.ts small      (or: large, execution)
 *
 * Writes the whole profiles to tests/.tmp/<thread>.cpuprofile (open them in Chromium's DevTools).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../site/server';
import { ORIGIN, SITE_PORT, TMP, cleanup } from '../e2e/harness';
import { openBrowser, ui, type BenchBrowser } from './lib';

const which = process.argv[2] ?? 'small';
const site = await startSite({ port: SITE_PORT, scaleCases: 2, scaleFilesPerCase: 2, scaleFileSize: 8192, executionSteps: 2000, stepOutputSize: 20_480 });
const b = await openBrowser('profile');

async function exportOnce(b: BenchBrowser) {
  if (which === 'execution') {
    await b.page.goto(`${ORIGIN}/workflows/3/executions/3002`);
    await ui.click(b.page, 'Export as');
    await ui.check(b.page, 'HTML');
    await ui.check(b.page, 'Combine results into a single file', false);
    await ui.click(b.page, 'Export', { dialog: true });
  } else {
    await b.page.goto(`${ORIGIN}/develop/workflows/3`);
    await ui.click(b.page, 'Export case files');
    await ui.click(b.page, 'Download files', { dialog: true });
  }
  await b.page.waitFor(`[...document.querySelectorAll('workflow-exporter')].some((h) => h.shadowRoot.querySelector('[role=status]')?.textContent.includes('Saved'))`, 600_000, 100);
}

try {
  // A first, tiny export starts the offscreen document and the engine's worker.
  await exportOnce(b);
  if (which === 'small') site.setConfig({ scaleCases: 5000, scaleFilesPerCase: 2, scaleFileSize: 8192 });
  if (which === 'large') site.setConfig({ scaleCases: 125, scaleFilesPerCase: 2, scaleFileSize: 4 * 1024 * 1024 });
  const targets = await b.cdp.targets();
  const offscreen = targets.find((t) => t.url.includes('offscreen'));
  const sw = targets.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  if (!offscreen || !sw) throw new Error('no offscreen document or service worker');
  const attach = async (targetId: string) => (await b.cdp.send('Target.attachToTarget', { targetId, flatten: true })).sessionId as string;
  const { sessionId } = { sessionId: await attach(offscreen.targetId) };
  const worker = new Promise<string>((resolve) =>
    b.cdp.on((m) => {
      if (m.method === 'Target.attachedToTarget' && m.params.targetInfo.type === 'worker') resolve(m.params.sessionId);
    }),
  );
  await b.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
  // The engine's worker, the offscreen document's main thread and the service worker (DevTools keeps
  // it alive meanwhile, which changes nothing while an export runs: it is kept busy anyway).
  const threads = { engine: await worker, offscreen: sessionId, 'service worker': await attach(sw.targetId) };
  for (const ws of Object.values(threads)) {
    await b.cdp.send('Profiler.enable', {}, ws);
    await b.cdp.send('Profiler.setSamplingInterval', { interval: 200 }, ws);
    await b.cdp.send('Profiler.start', {}, ws);
  }
  const t0 = Date.now();
  await exportOnce(b);
  const ms = Date.now() - t0;
  mkdirSync(TMP, { recursive: true });
  console.log(`${which}: export ${(ms / 1000).toFixed(1)} s`);
  for (const [thread, ws] of Object.entries(threads)) {
    const { profile } = await b.cdp.send('Profiler.stop', {}, ws);
    writeFileSync(join(TMP, `${thread.replace(' ', '-')}.cpuprofile`), JSON.stringify(profile));
    const selfByNode = new Map<number, number>();
    profile.samples.forEach((id: number, i: number) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const self = new Map<string, number>();
    for (const n of profile.nodes) {
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + (selfByNode.get(n.id) ?? 0));
    }
    console.log(`${thread} thread, self time by function:`);
    for (const [k, us] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`${(us / 1000).toFixed(0).padStart(8)} ms  ${k}`);
  }
} finally {
  await b.close();
  cleanup(b.profile.dir);
  await site.close();
}
