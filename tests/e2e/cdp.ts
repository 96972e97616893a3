/**
 * A bare Chrome DevTools Protocol client over `--remote-debugging-pipe`, for the tests that must run
 * Chromium WITHOUT Playwright: Playwright attaches to the extension's service worker and keeps it
 * alive, hiding the MV3 lifetime trap. This client attaches only to the page targets it is told to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { STORED_JOBS_EXPRESSION } from '../flows/jobs';

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void; method: string };

export class Cdp {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private buffer = '';
  private listeners: ((msg: any) => void)[] = [];

  private constructor(
    readonly proc: ChildProcess,
    private readonly out: Writable,
    input: Readable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 1);
        if (msg.id && this.pending.has(msg.id)) {
          const p = this.pending.get(msg.id)!;
          this.pending.delete(msg.id);
          if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
          else p.resolve(msg.result);
        } else for (const l of this.listeners) l(msg);
      }
    });
  }

  static launch(executable: string, args: string[]): Cdp {
    const proc = spawn(executable, ['--remote-debugging-pipe', ...args], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    proc.stderr!.resume();
    return new Cdp(proc, proc.stdio[3] as Writable, proc.stdio[4] as Readable);
  }

  send<T = any>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  on(listener: (msg: any) => void) {
    this.listeners.push(listener);
  }

  async targets(): Promise<{ targetId: string; type: string; url: string }[]> {
    return (await this.send('Target.getTargets')).targetInfos;
  }

  /** Opens a page and returns a session on it. */
  async newPage(url = 'about:blank'): Promise<PageSession> {
    const { targetId } = await this.send('Target.createTarget', { url });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    await this.send('Page.enable', {}, sessionId);
    await this.send('Runtime.enable', {}, sessionId);
    return new PageSession(this, sessionId, targetId);
  }

  async close() {
    await this.send('Browser.close').catch(() => {});
    await new Promise((r) => (this.proc.exitCode !== null ? r(null) : this.proc.once('exit', r)));
  }
}

export class PageSession {
  constructor(
    readonly cdp: Cdp,
    readonly sessionId: string,
    readonly targetId: string,
  ) {}

  send<T = any>(method: string, params: object = {}) {
    return this.cdp.send<T>(method, params, this.sessionId);
  }

  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  async goto(url: string) {
    await this.send('Page.navigate', { url });
    await this.waitFor(`document.readyState === 'complete' && location.href.startsWith(${JSON.stringify(url.split('?')[0])})`);
  }

  /** Polls `expression` in the page until it is truthy. */
  async waitFor(expression: string, timeoutMs = 30_000, intervalMs = 200): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await this.evaluate<boolean>(`(() => { try { return !!(${expression}); } catch { return false; } })()`).catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${expression}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** Headless Chromium with the built extension loaded, driven over the pipe only, downloads allowed. */
export async function launchExtensionChromium(executable: string, flags: string[], profileDir: string, extensionDir: string): Promise<Cdp> {
  const cdp = Cdp.launch(executable, [
    '--headless=new',
    ...flags,
    `--user-data-dir=${profileDir}`,
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    'about:blank',
  ]);
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  return cdp;
}

/** Signs in through the reference platform's form (user "demo"). */
export async function signInOverCdp(page: PageSession, origin: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.evaluate(`(() => {
    document.querySelector('input[name=username]').value = 'demo';
    document.querySelector('input[name=password]').value = 'demo';
    document.querySelector('form').submit();
  })()`);
  await page.waitFor(`location.pathname === '/'`);
}

/** An expression that clicks the enabled button named `name` in our UI's shadow root (false until there is one). */
export const clickOurButton = (name: string) => `(() => {
  const host = document.querySelector('workflow-exporter');
  const el = host && [...host.shadowRoot.querySelectorAll('button')].find((b) => b.textContent.trim() === ${JSON.stringify(name)});
  if (!el || el.disabled) return false;
  el.click();
  return true;
})()`;

/**
 * The start of the streaming tests: the extension's origin, and a page signed in to `origin` on
 * workflow 3 with our case-files dialog open (the next click starts the export).
 */
export async function openCaseFilesDialogOverCdp(cdp: Cdp, origin: string): Promise<{ extension: string; page: PageSession }> {
  const extension = await extensionOriginOf(cdp);
  const page = await cdp.newPage();
  await signInOverCdp(page, origin);
  await page.goto(`${origin}/develop/workflows/3`);
  await page.waitFor(clickOurButton('Export case files'));
  await page.waitFor(`document.querySelector('workflow-exporter').shadowRoot.querySelector('dialog[open]')`);
  return { extension, page };
}

/** The extension's service workers, as the browser lists its targets. */
export async function extensionWorkers(cdp: Cdp) {
  return (await cdp.targets()).filter((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
}

/** The extension's origin (`chrome-extension://<id>`), once its service worker is up. */
export async function extensionOriginOf(cdp: Cdp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const [sw] = await extensionWorkers(cdp);
    if (sw) return `chrome-extension://${new URL(sw.url).host}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the extension did not start');
}

/**
 * Stops service workers the way a user (or Chrome's idle rules) would see it, from
 * chrome://serviceworker-internals: every one, or those whose scope's path is `scopePath` (`/` for
 * the background, `/stream/` for the stream's worker). Returns that page (close it when done).
 */
export async function stopServiceWorkers(cdp: Cdp, scopePath?: string): Promise<PageSession> {
  const internals = await cdp.newPage('chrome://serviceworker-internals/');
  await internals.waitFor(`document.querySelector('cr-button[data-command="stop"]')`);
  const { clicked, scopes } = await internals.evaluate<{ clicked: number; scopes: string[] }>(`(() => {
    const want = ${JSON.stringify(scopePath ?? null)};
    let clicked = 0;
    const scopes = [];
    for (const reg of document.querySelectorAll('.serviceworker-registration')) {
      const scope = /Scope:\\s*(chrome-extension:\\/\\/[a-p]{32}\\/\\S*)/.exec(reg.textContent)?.[1] ?? '';
      scopes.push(scope);
      if (want !== null && !(scope && new URL(scope).pathname === want)) continue;
      reg.querySelectorAll('cr-button[data-command="stop"]').forEach((b) => (b.click(), clicked++));
    }
    return { clicked, scopes };
  })()`);
  if (!clicked) throw new Error(`no service worker${scopePath ? ` of scope ${scopePath}` : ''} to stop (scopes: ${scopes.join(', ')})`);
  return internals;
}

/** The browser's downloads list (`chrome.downloads.search({})`), read from an extension page. */
export async function extensionDownloads(cdp: Cdp, origin: string): Promise<{ state: string; url: string }[]> {
  const page = await cdp.newPage();
  try {
    await page.goto(`${origin}/popup.html`);
    return await page.evaluate<{ state: string; url: string }[]>(`chrome.downloads.search({})`);
  } finally {
    await page.send('Page.close').catch(() => {});
  }
}

/** The job store as the background keeps it (IndexedDB `workflow-exporter-jobs`), read from an extension page. */
export async function extensionJobs<J = Record<string, any>>(cdp: Cdp, origin: string): Promise<J[]> {
  const page = await cdp.newPage();
  try {
    await page.goto(`${origin}/popup.html`);
    return await page.evaluate<J[]>(STORED_JOBS_EXPRESSION);
  } finally {
    await page.send('Page.close').catch(() => {});
  }
}
