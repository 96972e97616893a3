/**
 * The small-files case over HTTPS with HTTP/2 (issue 17, point 5), as real platforms serve it: the
 * reference platform on HTTPS (tests/site/tls.ts, a certificate made at start, which Chromium
 * trusts by its key), 20,000 × 8 KB files, the extension's export next to
 * `curl --http2 --parallel --parallel-max 6 -k` of the same URLs and a bare `fetch` of them from an
 * extension page (6 at a time, then as many at once as the export used). Prints the protocol the
 * platform saw, how many files the export had open at once, and the figures every files case prints.
 *
 *   npx tsx tests/bench/http2.bench.ts                   (BENCH_HTTP2_PORT, default E2E_PORT + 1)
 *   BENCH_HTTP2="small,large:0.5G" npx tsx tests/bench/http2.bench.ts
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { startSite, type SiteHandle } from '../site/server';
import { parseSize } from '../site/config';
import { chromiumTrustFlag, makeTlsMaterial } from '../site/tls';
import { CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR, SITE_PORT, TMP, cleanup, makeProfile } from '../e2e/harness';
import { launchExtensionChromium, signInOverCdp } from '../e2e/cdp';
import { requireTool } from '../../scripts/tools';
import { MB, bareFetchMs, fmtS, runFigures, timeExport, ui, type BenchBrowser } from './lib';

const PORT = Number(process.env.BENCH_HTTP2_PORT ?? SITE_PORT + 1);

interface Http2Case {
  name: string;
  cases: number;
  filesPerCase: number;
  fileSize: number;
}

function parseCases(spec: string): Http2Case[] {
  return spec.split(',').map((s) => {
    const [kind, size] = s.trim().split(':');
    if (kind === 'small') return { name: 'small files over HTTP/2 (20,000 × 8 KB)', cases: 10_000, filesPerCase: 2, fileSize: 8 * 1024 };
    const total = parseSize(size ?? '0.5G');
    return { name: `large files over HTTP/2 (${size ?? '0.5G'} in 500 files)`, cases: 250, filesPerCase: 2, fileSize: Math.floor(total / 500) };
  });
}

/** The session cookie, signed in over HTTPS (the platform's own certificate trusted). */
function signInCookie(origin: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/login`, { method: 'POST', ca, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      const cookie = (res.headers['set-cookie'] ?? [])[0]?.split(';')[0];
      if (cookie) resolve(cookie);
      else reject(new Error(`sign-in failed: ${res.statusCode}`));
    });
    req.on('error', reject);
    req.end('username=demo&password=demo');
  });
}

function fileUrls(site: SiteHandle): string[] {
  const w = site.data().workflow('3')!;
  const urls: string[] = [];
  for (let i = 0; i < w.caseCount; i++) for (const f of w.caseAt(i).files) urls.push(`${site.url}/api/v1/files/${f.uuid}/content`);
  return urls;
}

/**
 * curl over HTTP/2 (multiplexed), six at a time, to disk; in a child process. Debian 12's curl 7.88
 * fails about one transfer in a thousand over HTTP/2 with `--parallel` ("Error in the HTTP2 framing
 * layer", against any node:http2 server, even one answering a constant body): those are retried at
 * once, and the line says how many requests the platform answered beyond one per file.
 */
async function curlHttp2(urls: string[], cookie: string, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'curl.cfg');
  writeFileSync(cfg, urls.map((u, i) => `url = "${u}"\noutput = "${join(dir, `f${i}`)}"\n`).join(''));
  const t0 = Date.now();
  const status = await new Promise<number | null>((resolve) =>
    spawn(requireTool('curl'), ['--http2', '--parallel', '--parallel-max', '6', '-k', '--retry', '5', '--retry-all-errors', '--retry-delay', '0', '--no-progress-meter', '-f', '-b', cookie, '-K', cfg], { stdio: ['ignore', 'ignore', 'ignore'] }).on('exit', resolve),
  );
  const ms = Date.now() - t0;
  if (status !== 0) throw new Error(`curl failed: ${status}`);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

/** Chromium with a copy of the build that serves `origin` (its host permission, its content script, the origin in the settings). */
async function openHttpsBrowser(origin: string, trust: string): Promise<BenchBrowser & { wake(): Promise<void> }> {
  const profile = makeProfile('bench-http2');
  const ext = join(profile.dir, 'extension-https');
  cpSync(EXTENSION_DIR, ext, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8'));
  manifest.host_permissions.push(`${origin}/*`);
  for (const cs of manifest.content_scripts ?? []) cs.matches.push(`${origin}/*`);
  writeFileSync(join(ext, 'manifest.json'), JSON.stringify(manifest));
  const cdp = await launchExtensionChromium(CHROMIUM, [...CHROMIUM_FLAGS, trust], profile.profile, ext);
  const serviceWorker = async () => {
    for (let i = 0; i < 100; i++) {
      const sw = (await cdp.targets()).find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
      if (sw) return sw;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the extension has no service worker');
  };
  const host = new URL((await serviceWorker()).url).host;
  // The origin as the options page adds it (the permission is the manifest's here).
  const popup = await cdp.newPage(`chrome-extension://${host}/popup.html`);
  await popup.waitFor(`document.readyState === 'complete'`);
  await popup.evaluate(`chrome.storage.local.set({ origins: [${JSON.stringify(origin)}] })`);
  await popup.send('Page.close').catch(() => {});
  const page = await cdp.newPage();
  await signInOverCdp(page, origin);
  /** The service worker stops when idle (nothing here keeps it alive): the popup's messages wake it. */
  const wake = async () => {
    const p = await cdp.newPage(`chrome-extension://${host}/popup.html`);
    await p.waitFor(`document.readyState === 'complete'`);
    await serviceWorker();
    await p.send('Page.close').catch(() => {});
  };
  return Object.assign({ cdp, page, profile, close: () => cdp.close() }, { wake });
}

export async function benchHttp2(spec = process.env.BENCH_HTTP2 ?? 'small') {
  const tls = makeTlsMaterial();
  const site = await startSite({ port: PORT, scaleDistinctContents: 4 }, { tls });
  const lines: string[] = [];
  try {
    for (const c of parseCases(spec)) {
      site.setConfig({ scaleCases: c.cases, scaleFilesPerCase: c.filesPerCase, scaleFileSize: c.fileSize, scaleDistinctContents: 4 });
      const urls = fileUrls(site);
      const totalBytes = urls.length * c.fileSize;
      const cookie = await signInCookie(site.url, tls.cert);
      site.resetStats();
      const curlMs = await curlHttp2(urls, cookie, join(TMP, 'bench-curl-h2'));
      const curlStats = site.stats();
      const curlProtocol = Object.keys(curlStats.requestsByHttpVersion).join('+');
      const curlRetried = curlStats.fileRequests - urls.length;
      const b = await openHttpsBrowser(site.url, chromiumTrustFlag(tls));
      try {
        await b.page.goto(`${site.url}/develop/workflows/3`);
        await ui.click(b.page, 'Export case files');
        site.resetStats();
        const run = await timeExport(b, () => ui.click(b.page, 'Download files', { dialog: true }));
        const stats = site.stats();
        if (run.item.size < totalBytes) throw new Error(`the archive is smaller than its files: ${JSON.stringify(run.item)}`);
        rmSync(run.item.filename, { force: true });
        const width = stats.maxOpenFileRequests;
        console.log(`${c.name}: extension ${fmtS(run.ms)}, files at once: up to ${width}, ${runFigures(run)}`);
        // The browser's own limit, 6 at a time as the other file cases, and as wide as the export went.
        await b.wake();
        const bare6 = await bareFetchMs(b, urls, 6);
        await b.wake();
        const bareWide = width > 6 ? await bareFetchMs(b, urls, width) : bare6;
        const line =
          `${c.name}: extension ${fmtS(run.ms)}, curl --http2 ${fmtS(curlMs)} (HTTP ${curlProtocol}, ${curlRetried} retried), ratio ${(run.ms / curlMs).toFixed(2)}, ` +
          `protocol HTTP ${Object.keys(stats.requestsByHttpVersion).join('+')}, files at once: up to ${width}, ` +
          `bare fetch ${fmtS(bare6)} (6 at a time), ${(bare6 / run.ms).toFixed(2)} of the browser's bare fetch; ` +
          `${width} at a time ${fmtS(bareWide)}, ${(bareWide / run.ms).toFixed(2)} of it; ` +
          `${(totalBytes / MB / (run.ms / 1000)).toFixed(0)} MB/s, ${(urls.length / (run.ms / 1000)).toFixed(0)} files/s, ` +
          runFigures(run);
        console.log(line);
        lines.push(line);
      } finally {
        await b.close();
        cleanup(b.profile.dir);
      }
    }
  } finally {
    await site.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHttp2();
