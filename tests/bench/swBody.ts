/**
 * What a service worker's streamed response costs in memory, apart from our engine: a minimal
 * extension (written to tests/.tmp at run time) puts a 2 GB file in its private file system, then a
 * service worker of scope /stream/ answers an iframe's navigation with that file as a download, in
 * three ways: `new Response(file)` (the browser reads the body itself), `file.stream()` (chunks
 * through the worker's JavaScript), and 4 MiB slices read one after another (as the chunks of an
 * archive being built would come). Prints the time and the peak PSS growth of the extension's
 * process for each. Over a bare DevTools pipe, nothing attached to the worker.
 *
 *   npx tsx tests/bench/swBody.ts [MB]        (default 2048)
 *   SWBODY_GC=1 …                              also: slices with a gc() after each (--expose-gc)
 *   SWBODY_YOUNG=1000,10000 …                  also: slices with N small young arrays allocated after each
 *   SWBODY_ONLY=slices,young10000 …            only these modes
 *
 * Measured (2026-12-02, 2 cores, Chromium 156): a native body +5 MB at any size; a body whose chunks go
 * through the worker's JavaScript +91–127 MB for 512 MB and +236–243 MB for 2 GB, whatever the
 * chunks' source or size. For 1 GB in slices: +142–234 MB as they are, +0 MB with gc() after each,
 * +34 MB with 1,000 young arrays after each, +1–3 MB with 10,000: the slices wait for a collection
 * that an idle thread seldom runs, and young garbage paced to the bytes brings it
 * (lib/collectionPacing.ts).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_FLAGS, TMP, makeProfile, cleanup } from '../e2e/harness';
import { extensionOriginOf, launchExtensionChromium } from '../e2e/cdp';
import { fmtMB, sampleMemory } from './lib';

const MB_TOTAL = Number(process.argv[2] ?? 2048);
const ext = join(TMP, 'swbody-ext');
mkdirSync(ext, { recursive: true });
const files: Record<string, string> = {
  'manifest.json': JSON.stringify({ manifest_version: 3, name: 'swbody', version: '1', background: { service_worker: 'bg.js' } }),
  'bg.js': '',
  'page.html': '<!doctype html><body><script src="page.js"></script></body>',
  'page.js': `
    window.prepare = (mb) => new Promise((r) => { const w = new Worker('w.js'); w.onmessage = (e) => r(e.data); w.postMessage(mb); });
    window.register = async () => {
      const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/stream/' });
      const w = reg.installing || reg.waiting || reg.active;
      if (w.state !== 'activated') await new Promise((r) => w.addEventListener('statechange', () => w.state === 'activated' && r()));
      return true;
    };
    window.go = (mode) => { const f = document.createElement('iframe'); f.src = '/stream/' + mode; document.body.append(f); return true; };`,
  'w.js': `
    onmessage = async (e) => {
      const root = await navigator.storage.getDirectory();
      const a = await (await root.getFileHandle('big.bin', { create: true })).createSyncAccessHandle();
      const chunk = new Uint8Array(4 << 20);
      for (let i = 0; i < chunk.length; i++) chunk[i] = i * 31;
      a.truncate(0);
      for (let i = 0; i < e.data / 4; i++) a.write(chunk, { at: i * chunk.length });
      a.close();
      postMessage(true);
    };`,
  'sw.js': `
    self.addEventListener('install', () => self.skipWaiting());
    self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
    self.addEventListener('fetch', (e) => {
      const mode = new URL(e.request.url).pathname.slice('/stream/'.length);
      e.respondWith((async () => {
        const root = await navigator.storage.getDirectory();
        const f = await (await root.getFileHandle('big.bin')).getFile();
        let at = 0;
        const body = mode === 'native' ? f : mode === 'stream' ? f.stream() : new ReadableStream({
          async pull(c) {
            if (at >= f.size) return c.close();
            const b = new Uint8Array(await f.slice(at, at + (4 << 20)).arrayBuffer());
            at += b.length;
            c.enqueue(b);
            if (mode === 'gc') self.gc();
            if (mode.startsWith('young')) { let keep = 0; for (let i = 0; i < Number(mode.slice(5)); i++) keep += [i, i + 1, i + 2].length; self.keep = keep; }
          },
        }, { highWaterMark: 0 });
        return new Response(body, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="' + mode + '.bin"' } });
      })());
    });`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(ext, name), text);

const profile = makeProfile('swbody');
const GC = process.env.SWBODY_GC === '1';
const cdp = await launchExtensionChromium(CHROMIUM, GC ? [...CHROMIUM_FLAGS, '--js-flags=--expose-gc'] : CHROMIUM_FLAGS, profile.profile, ext);
try {
  const origin = await extensionOriginOf(cdp);
  const page = await cdp.newPage();
  await page.goto(`${origin}/page.html`);
  await page.evaluate(`window.prepare(${MB_TOTAL})`);
  await page.evaluate('window.register()');
  const MODES: Record<string, string> = { native: 'new Response(file)', stream: 'file.stream()', slices: '4 MiB slices, one after another' };
  if (GC) MODES.gc = '4 MiB slices, gc() after each';
  for (const n of (process.env.SWBODY_YOUNG ?? '').split(',').filter(Boolean)) MODES['young' + n] = `4 MiB slices, ${n} young arrays after each`;
  if (process.env.SWBODY_ONLY) for (const k of Object.keys(MODES)) if (!process.env.SWBODY_ONLY.split(',').includes(k)) delete MODES[k];
  for (const [mode, label] of Object.entries(MODES)) {
    const mem = await sampleMemory(profile.profile, 100);
    const t0 = Date.now();
    await page.evaluate(`window.go(${JSON.stringify(mode)})`);
    while (!readdirSync(profile.downloads).includes(`${mode}.bin`) && Date.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 100));
    const m = await mem.stop();
    console.log(
      `service worker body, ${label} (${MB_TOTAL} MB): ${((Date.now() - t0) / 1000).toFixed(1)} s, peak memory growth ${fmtMB(m.growth)} (extension ${fmtMB(m.growthByKind.extension ?? 0)})`,
    );
  }
} finally {
  await cdp.close();
}
cleanup(profile.dir);
