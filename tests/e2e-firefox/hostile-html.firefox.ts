/**
 * Issue 14, point 1, in real Firefox ESR: the HTML export of execution 1005, whose step outputs hold
 * hostile Markdown (tests/site/data.ts, DANGEROUS_HTML), one file per step and combined, made by the
 * extension in Firefox. Every file of each ZIP is opened in Firefox from `file://`, as exported and
 * with its CSP removed (the sanitiser alone must stop everything), and must show what
 * tests/htmlChecks.ts asks for:
 * - no script: no dialog, no console output, no script error. Firefox has no CDP
 *   `Debugger.scriptParsed` and Gecko's `beforescriptexecute` is gone, so a script is seen by what
 *   it does, and under the CSP by the report of its refusal;
 * - no request: WebDriver BiDi's network events (HTTP), every element's load or error event
 *   (`file://` too) and the page's resource timing;
 * - no navigation, no CSP report (`securitypolicyviolation`);
 * - every element and attribute of the live DOM on lib/htmlAllowList.ts;
 * - the style block in effect, which shows Firefox accepts the CSP meta: a copy whose style block
 *   differs by one character (its hash no longer matches) loses its style, and is reported.
 * Control pages first prove that every probe sees what it looks for.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { ORIGIN, clickInExporter, dialogStatus } from './session';
import { filesIn, setInput, waitForNewFile, withFirefox } from './session';
import { CONTROL_HTML, CONTROL_VIOLATIONS, CSP_META, INERT, emptySeen, inertRecord, snapshotDom, type Opened, type Seen } from '../htmlChecks';
import { violations } from '../unit/htmlSanitizeTree';
import { HTML_DOCUMENT_END, htmlDocumentStart } from '../../lib/htmlDocument';

const { readZip } = await import('../e2e/harness');

/** Runs in every document before its own content: records what the page's DOM reports. */
function preload() {
  const probe = { reports: [] as string[], loads: [] as string[] };
  Object.defineProperty(window, '__weProbe', { value: probe });
  document.addEventListener('securitypolicyviolation', (e) => probe.reports.push(`${e.violatedDirective} ${e.blockedURI}`), true);
  // Every element that loaded, or failed to load, something (file:// ones too, which BiDi's
  // network events do not show): load and error do not bubble, but they pass the capture phase.
  for (const type of ['load', 'error'])
    window.addEventListener(
      type,
      (e) => {
        const el = e.target as Element | null;
        if (!el || el === (document as unknown) || !('localName' in el)) return;
        probe.loads.push(`${type}: <${el.localName}> ${el.getAttribute('src') ?? el.getAttribute('href') ?? el.getAttribute('data') ?? ''}`);
      },
      true,
    );
}

/** What the page reported of itself since it loaded (run in the page). */
function pageReports() {
  const probe = (window as unknown as { __weProbe?: { reports: string[]; loads: string[] } }).__weProbe;
  return {
    installed: !!probe,
    reports: [...(probe?.reports ?? [])],
    loads: [...(probe?.loads ?? [])],
    resources: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith('data:')),
  };
}

/** Counts what a page does, from Firefox over WebDriver BiDi and from the page's own events. */
class Probe {
  private seen: Seen = emptySeen();
  private url = '';
  private constructor(readonly page: Page) {}

  static async attach(browser: Browser): Promise<Probe> {
    const page = await browser.newPage();
    const probe = new Probe(page);
    await page.evaluateOnNewDocument(preload);
    // A data: URL (the document's own `<link rel="icon" href="data:,">`, which keeps Firefox from
    // asking for /favicon.ico) is read from the document, not fetched from anywhere.
    page.on('request', (r) => {
      if (r.url() !== probe.url && !r.url().startsWith('data:')) probe.seen.requests.push(r.url());
    });
    page.on('framenavigated', (f) => {
      if (f !== page.mainFrame() || f.url() !== probe.url) probe.seen.navigations.push(f.url());
    });
    page.on('dialog', (d) => {
      probe.seen.dialogs.push(d.message());
      void d.dismiss().catch(() => {});
    });
    // Our probes print nothing: any console output or script error comes from the page's scripts.
    page.on('console', (m) => probe.seen.scripts.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => probe.seen.scripts.push(`error: ${String(e)}`));
    return probe;
  }

  async load(file: string) {
    this.seen = emptySeen();
    this.url = pathToFileURL(file).href;
    await this.page.goto(this.url, { waitUntil: 'load' });
  }

  async open(file: string): Promise<Opened> {
    await this.load(file);
    const dom = await this.page.evaluate(snapshotDom);
    const own = await this.page.evaluate(pageReports);
    assert.ok(own.installed, `the probe ran in ${file}`);
    return {
      ...dom,
      scripts: [...this.seen.scripts],
      requests: [...new Set([...this.seen.requests, ...own.resources, ...own.loads])],
      navigations: [...this.seen.navigations],
      dialogs: [...this.seen.dialogs],
      reports: own.reports,
    };
  }

  late(): Seen {
    return this.seen;
  }
}

async function poll<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeout = 10_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The probes see a script, a handler, a request, a navigation, elements off the list and a CSP that refuses a style. */
async function control(probe: Probe, dir: string) {
  const file = join(dir, 'control.html');
  // Plus one request over HTTP (the platform's), which Firefox's BiDi network events show.
  const remote = `${ORIGIN}/control-probe.png`;
  writeFileSync(file, CONTROL_HTML.replace('</body>', `<img src="${remote}"></body>`));
  const got = await probe.open(file);
  assert.deepEqual(got.dialogs, ['control'], 'the inline script ran');
  assert.ok(got.requests.includes('error: <img> missing.png'), `file request seen: ${JSON.stringify(got.requests)}`);
  assert.ok(got.requests.includes(remote), `HTTP request seen: ${JSON.stringify(got.requests)}`);
  for (const v of CONTROL_VIOLATIONS) assert.ok(violations(got.elements).includes(v), `control: ${v}`);
  assert.equal(got.styled, false);
  // The handler runs once the image has failed.
  await poll('the onerror handler seen', () => probe.late().scripts, (s) => s.some((x) => x.includes('console.log: 1')));

  const target = join(dir, 'control-target.html');
  writeFileSync(target, '<!doctype html><p>target</p>');
  const refresh = join(dir, 'control-refresh.html');
  writeFileSync(refresh, `<!doctype html><meta http-equiv="refresh" content="0;url=${pathToFileURL(target).href}"><p>refresh</p>`);
  await probe.load(refresh);
  await poll('the refresh seen', () => probe.late().navigations, (n) => n.includes(pathToFileURL(target).href));

  // Firefox enforces the files' CSP meta: with one character of the style block changed, its hash
  // no longer matches, the style is refused (and reported), and the body is not styled; a script
  // and a handler put in are refused and reported too.
  const tampered = join(dir, 'control-tampered.html');
  const sample = (await htmlDocumentStart('control')) + '<p>control</p>\n' + HTML_DOCUMENT_END;
  writeFileSync(tampered, sample.replace('<style>', '<style> ').replace('</body>', '<img src="data:," onload="console.log(2)"><script>alert("tampered")</script></body>'));
  const t = await probe.open(tampered);
  assert.equal(t.styled, false, 'a style block off its hash does not apply');
  assert.deepEqual(t.dialogs, [], 'the CSP stops the script');
  for (const directive of ['style-src', 'script-src'])
    assert.ok(t.reports.some((r) => r.startsWith(directive)), `CSP report of ${directive}: ${JSON.stringify(t.reports)}`);
}

/** Exports execution 1005 as HTML from its page; returns the HTML files of the downloaded ZIP. */
async function exportHtml(page: Page, downloads: string, combine: boolean) {
  await page.goto(`${ORIGIN}/workflows/1/executions/1005`);
  await clickInExporter(page, 'Export as');
  await setInput(page, 'HTML');
  await setInput(page, 'Combine results into a single file', combine);
  const before = filesIn(downloads);
  await clickInExporter(page, 'Export');
  const status = await dialogStatus(page, /Saved|failed|refused|error/i, 120_000);
  assert.match(status, /Saved/, `export status: ${status}`);
  const zip = await waitForNewFile(downloads, before);
  const files = (await readZip(zip)).filter((e) => e.path.endsWith('.html'));
  return files;
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: the HTML export of hostile step outputs (per step and combined) opens from file:// inert, every element on the list, its CSP accepted',
    fn: () =>
      withFirefox('hostile-html', async ({ browser, page, dir, downloads }) => {
        const perStep = await exportHtml(page, downloads, false);
        const combined = await exportHtml(page, downloads, true);
        assert.equal(combined.length, 1, 'one combined file');
        assert.ok(perStep.length > 1, 'one file per step');
        for (const [kind, files] of [['per step', perStep], ['combined', combined]] as const) {
          // The hostile outputs did reach the files, as text.
          const all = files.map((f) => f.bytes.toString('utf8')).join('\n');
          assert.ok(all.includes('a &lt;code&gt; &lt;img/src=x onerror=alert(1)&gt; b'), `${kind}: escaped raw tag text`);
          assert.ok(all.includes('&lt;meta http-equiv=&quot;refresh&quot;'), `${kind}: escaped refresh`);
          for (const f of files) assert.match(f.bytes.toString('utf8'), CSP_META, `${kind}: ${f.path} has its CSP`);
        }

        const probe = await Probe.attach(browser);
        await control(probe, dir);
        let opened = 0;
        for (const [i, f] of [...perStep, ...combined].entries()) {
          const html = f.bytes.toString('utf8');
          for (const [suffix, text, withCsp] of [['', html, true], ['-no-csp', html.replace(CSP_META, ''), false]] as const) {
            const file = join(dir, `${i}${suffix}.html`);
            writeFileSync(file, text);
            const got = await probe.open(file);
            assert.deepEqual(inertRecord(got, withCsp), INERT, `${f.path}${suffix}`);
            opened++;
          }
        }
        // Nothing arrived after the last file was read.
        const late = probe.late();
        assert.deepEqual({ scripts: late.scripts, requests: late.requests, navigations: late.navigations, dialogs: late.dialogs }, { scripts: [], requests: [], navigations: [], dialogs: [] });
        console.log(`  ${perStep.length} step files and 1 combined file, each opened with and without its CSP (${opened} loads): inert, on the list, styled`);
      }),
  },
];
