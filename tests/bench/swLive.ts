/**
 * Can the stream service worker read the archive from the engine's journaled copy while the engine
 * is still writing it (instead of receiving every chunk in a message)? A minimal extension: a
 * dedicated worker writes a file in the private file system through a sync access handle (mode
 * 'readwrite-unsafe', the shared one) in 1 MiB steps and says how far it got on a BroadcastChannel;
 * a service worker of scope /stream/ answers a download by reading the written part in slices
 * (`getFile()` afresh, `slice().arrayBuffer()`), with young garbage allocated per slice (the pacing
 * that keeps a Blob-read body flat: tests/bench/swBody.ts). Prints the time and memory, or the error.
 *
 *   npx tsx tests/bench/swLive.ts [MB]        (default 1024)
 *
 * A read that fails is tried again 20 ms later (200 failures at most); prints how many failed, and
 * checks every byte of the download against what was written.
 *
 * Measured (2026-12-02, Chromium 156): a read that meets a write fails (NotReadableError, with either
 * lock mode); tried again, 1 GB came whole and right with 47–50 failed reads, +70–77 MB for the
 * extension's process. Bytes once written never change (the archive is appended to), so a read that
 * succeeds is right: lib/copyStream.ts reads optimistically and holds the engine's writes only for a
 * read that failed.
 */
import { readdirSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_FLAGS, TMP, makeProfile, cleanup } from '../e2e/harness';
import { extensionOriginOf, launchExtensionChromium } from '../e2e/cdp';
import { fmtMB, sampleMemory } from './lib';

const MB_TOTAL = Number(process.argv[2] ?? 1024);
const ext = join(TMP, 'swlive-ext');
mkdirSync(ext, { recursive: true });
const files: Record<string, string> = {
  'manifest.json': JSON.stringify({ manifest_version: 3, name: 'swlive', version: '1', background: { service_worker: 'bg.js' } }),
  'bg.js': '',
  'page.html': '<!doctype html><body><script src="page.js"></script></body>',
  'page.js': `
    window.register = async () => {
      const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/stream/' });
      const w = reg.installing || reg.waiting || reg.active;
      if (w.state !== 'activated') await new Promise((r) => w.addEventListener('statechange', () => w.state === 'activated' && r()));
      return true;
    };
    window.logs = []; window.stats = []; new BroadcastChannel('stat').onmessage = (m) => window.stats.push(m.data); new BroadcastChannel('log').onmessage = (m) => window.logs.push(m.data);
    window.go = (mb) => { const w = new Worker('w.js'); w.postMessage(mb); window.w = w; const f = document.createElement('iframe'); f.src = '/stream/live'; document.body.append(f); return true; };`,
  'w.js': `
    onmessage = async (e) => {
      const bc = new BroadcastChannel('p');
      const root = await navigator.storage.getDirectory();
      const a = await (await root.getFileHandle('live.bin', { create: true })).createSyncAccessHandle({ mode: 'readwrite-unsafe' });
      a.truncate(0);
      const chunk = new Uint8Array(1 << 20);
      let sum = 0;
      for (let i = 0; i < e.data; i++) {
        for (let k = 0; k < chunk.length; k += 4096) chunk[k] = (i + k) & 255;
        a.write(chunk, { at: i * chunk.length });
        if (i % 4 === 3) { bc.postMessage({ written: (i + 1) * chunk.length }); await new Promise((r) => setTimeout(r, 0)); }
      }
      a.flush();
      bc.postMessage({ written: e.data * chunk.length, done: true });
      a.close();
    };`,
  'sw.js': `
    self.addEventListener('install', () => self.skipWaiting());
    self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
    self.fails = 0; const ring = new Array(1024).fill(null); let n = 0;
    self.addEventListener('fetch', (e) => {
      e.respondWith((async () => {
        const bc = new BroadcastChannel('p');
        let written = 0, done = false, wake = null;
        bc.onmessage = (m) => { written = m.data.written; done = !!m.data.done; wake?.(); };
        const root = await navigator.storage.getDirectory();
        let at = 0;
        const body = new ReadableStream({
          async pull(c) {
            while (written <= at && !done) await new Promise((r) => (wake = r));
            if (at >= written && done) { new BroadcastChannel('stat').postMessage('fails ' + self.fails); return c.close(); }
            const end = Math.min(written, at + (4 << 20));
            let b;
            try { b = new Uint8Array(await (await (await root.getFileHandle('live.bin')).getFile()).slice(at, end).arrayBuffer()); }
            catch (err) { // a read that met a write: again, 20 ms later (200 at most)
              if (++self.fails > 200 || done) { new BroadcastChannel('log').postMessage(String(err) + ' (at byte ' + at + ', ' + written + ' written, done ' + done + ', fails ' + self.fails + ')'); throw err; } await new Promise((r) => setTimeout(r, 20)); return this.pull(c); }
            at += b.length;
            c.enqueue(b);
            for (let k = 0; k < (b.length >> 16) * 160; k++) ring[n++ & 1023] = [n, k];
          },
        }, { highWaterMark: 0 });
        return new Response(body, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="live.bin"' } });
      })());
    });`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(ext, name), text);
const profile = makeProfile('swlive');
const cdp = await launchExtensionChromium(CHROMIUM, CHROMIUM_FLAGS, profile.profile, ext);
try {
  const origin = await extensionOriginOf(cdp);
  const page = await cdp.newPage();
  await page.goto(`${origin}/page.html`);
  await page.evaluate('window.register()');
  const mem = await sampleMemory(profile.profile, 100);
  const t0 = Date.now();
  await page.evaluate(`window.go(${MB_TOTAL})`);
  let errors: string[] = [];
  while (!readdirSync(profile.downloads).includes('live.bin') && !errors.length && Date.now() - t0 < 300_000) {
    await new Promise((r) => setTimeout(r, 100));
    errors = JSON.parse(String(await page.evaluate('JSON.stringify(window.logs)')));
  }
  const m = await mem.stop(); console.log(await page.evaluate('JSON.stringify(window.stats)'));
  if (errors.length) console.log(`service worker reading a file being written (${MB_TOTAL} MB): failed: ${errors[0]}`);
  else
    console.log(
      `service worker reading a file being written (${MB_TOTAL} MB): ${((Date.now() - t0) / 1000).toFixed(1)} s, ${statSync(join(profile.downloads, 'live.bin')).size} bytes, peak memory growth ${fmtMB(m.growth)} (extension ${fmtMB(m.growthByKind.extension ?? 0)})`,
    );
  if (!errors.length) {
    const { readFileSync } = await import('node:fs');
    const got = readFileSync(join(profile.downloads, 'live.bin'));
    let bad = 0;
    for (let i = 0; i < MB_TOTAL; i++) for (let k = 0; k < 1 << 20; k++) if (got[i * (1 << 20) + k] !== (k % 4096 === 0 ? (i + k) & 255 : 0)) bad++;
    console.log(`bytes that differ from what was written: ${bad}`);
  }
} finally {
  await cdp.close();
}
cleanup(profile.dir);
