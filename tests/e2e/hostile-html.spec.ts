/**
 * Exported HTML against hostile Markdown (issue 14, point 1), in real Chromium, from disk.
 *
 * 1. The corpus (tests/data/hostile-markdown.json): every input rendered by the lib functions as one
 *    step's output of a combined HTML file (one file per context of the corpus, so a few dozen page
 *    loads, not two thousand), written to a temp dir and opened with `file://`, as exported and once
 *    more with its CSP removed (the renderer and the sanitiser alone must already stop everything). Each must
 *    show 0 scripts (CDP `Debugger.scriptParsed`), 0 requests but the document, 0 navigations, 0
 *    dialogs, 0 CSP reports (with the CSP: our one style block is admitted by its hash, nothing else
 *    even tries), and every element and attribute of the live DOM on lib/htmlAllowList.ts.
 * 2. The real extension: an HTML export of execution 1005, whose step outputs hold hostile Markdown
 *    (tests/site/data.ts), each file of the ZIP opened the same way.
 * A control file first proves that the probes do see a script, a handler, a request, a navigation
 * and elements off the list.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { test, expect, CHROMIUM, CHROMIUM_FLAGS, ORIGIN, TMP, exporterUi, listDownloads, readZip, waitForDownload } from './harness';
import { collect, combinedHtmlDocument, planExecutionExport } from '../../lib/executionDocs';
import { HOSTILE_CORPUS, hostileExecution, type HostileInput } from '../data/hostile-markdown';
import { violations } from '../unit/htmlSanitizeTree';
import { CONTROL_HTML, CONTROL_VIOLATIONS, CSP_META, INERT, emptySeen, inertRecord, snapshotDom, type Opened, type Seen } from '../htmlChecks';

/** Counts what a page does, from Chromium itself (CDP) and from Playwright's events. */
class Probe {
  private seen: Seen = emptySeen();
  private url = '';
  private constructor(private readonly page: Page) {}

  static async attach(page: Page): Promise<Probe> {
    const probe = new Probe(page);
    const cdp: CDPSession = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Log.enable');
    // Every script of a page (inline, handler, file, srcdoc frame) carries a URL; Playwright's own
    // evaluations carry none (the control test below shows the page's are seen).
    cdp.on('Debugger.scriptParsed', (e) => {
      if (e.url !== '') probe.seen.scripts.push(`${e.url} (${e.length} chars)`);
    });
    cdp.on('Log.entryAdded', (e) => {
      if (e.entry.source === 'security' || e.entry.source === 'network') probe.seen.reports.push(e.entry.text);
    });
    page.on('request', (r) => {
      if (r.url() !== probe.url) probe.seen.requests.push(r.url());
    });
    page.on('framenavigated', (f) => {
      if (f !== page.mainFrame() || f.url() !== probe.url) probe.seen.navigations.push(f.url());
    });
    page.on('dialog', (d) => {
      probe.seen.dialogs.push(d.message());
      void d.dismiss();
    });
    return probe;
  }

  /** Opens a file, counting from scratch. */
  async load(file: string) {
    this.seen = emptySeen();
    this.url = pathToFileURL(file).href;
    await this.page.goto(this.url, { waitUntil: 'load' });
  }

  /** Opens a file and reports what happened, and every element of its DOM. */
  async open(file: string): Promise<Opened> {
    await this.load(file);
    const dom = await this.page.evaluate(snapshotDom);
    return { ...this.seen, ...dom, scripts: [...this.seen.scripts], requests: [...this.seen.requests], navigations: [...this.seen.navigations] };
  }

  /** What arrived after the last file was read (a late refresh, say): must be nothing. */
  late(): Seen {
    return this.seen;
  }
}

/** What must hold for every exported file: the whole record, so a failure shows everything. */
function expectInert(name: string, got: Opened, withCsp: boolean) {
  expect(inertRecord(got, withCsp), name).toEqual(INERT);
}

test.describe('hostile Markdown, exported as HTML and opened from disk', () => {
  let browser: Browser;
  let page: Page;
  let probe: Probe;
  let dir: string;

  test.beforeAll(async () => {
    dir = mkdtempSync(join(TMP, 'hostile-html-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
    page = await browser.newPage();
    probe = await Probe.attach(page);
  });
  test.afterAll(async () => {
    await browser?.close();
  });

  test('control: the probes see a script, a handler, a request, a navigation and elements off the list', async () => {
    const file = join(dir, 'control.html');
    writeFileSync(file, CONTROL_HTML);
    const got = await probe.open(file);
    expect(got.scripts.length).toBeGreaterThanOrEqual(1);
    expect(got.requests.some((r) => r.endsWith('/missing.png'))).toBe(true);
    expect(got.dialogs).toEqual(['control']);
    expect(violations(got.elements)).toEqual(expect.arrayContaining(CONTROL_VIOLATIONS));
    expect(got.styled).toBe(false);
    // The handler runs once the image has failed.
    await expect.poll(() => probe.late().scripts.length).toBeGreaterThanOrEqual(2);

    const target = join(dir, 'control-target.html');
    writeFileSync(target, '<!doctype html><p>target</p>');
    const refresh = join(dir, 'control-refresh.html');
    writeFileSync(refresh, `<!doctype html><meta http-equiv="refresh" content="0;url=${pathToFileURL(target).href}"><p>refresh</p>`);
    await probe.load(refresh);
    await expect.poll(() => probe.late().navigations).toEqual([pathToFileURL(target).href]);
  });

  // One combined file per context (every payload in it, one step each) and one for the whole
  // documents: each input is one step's output, each step's elements are checked by where they sit.
  const batches = new Map<string, HostileInput[]>();
  for (const c of HOSTILE_CORPUS) {
    const key = c.id.startsWith('d') ? 'documents' : c.id.split('-')[0];
    batches.set(key, [...(batches.get(key) ?? []), c]);
  }
  for (const [batch, inputs] of batches) {
    test(`the corpus, ${batch}: ${inputs.length} inputs as one combined file, with and without its CSP`, async () => {
      const execution = hostileExecution(inputs.length);
      const plan = planExecutionExport(execution, { format: 'html', combine: true }).steps;
      async function* steps() {
        for (const p of plan) yield { planned: p, output: { chunks: [inputs[p.index - 1].markdown].values() as unknown as AsyncIterable<string>, failure: () => null } };
      }
      const html = await collect(combinedHtmlDocument(execution, steps(), plan));
      expect(html).toMatch(CSP_META);
      const name = (where: string) => {
        const m = /^step-(\d+)$/.exec(where);
        return m ? `${inputs[Number(m[1]) - 1].id} ${JSON.stringify(inputs[Number(m[1]) - 1].markdown)}` : where;
      };
      for (const [suffix, text, withCsp] of [['', html, true], ['-no-csp', html.replace(CSP_META, ''), false]] as const) {
        const file = join(dir, `${batch}${suffix}.html`);
        writeFileSync(file, text);
        const got = await probe.open(file);
        expectInert(`${batch}${suffix}`, { ...got, elements: got.elements.map((e) => ({ ...e, where: e.where && name(e.where) })) }, withCsp);
        expect(got.elements.filter((e) => e.tag === 'div' && e.attrs.some(([n, v]) => n === 'class' && v === 'output'))).toHaveLength(inputs.length);
      }
    });
  }

  test('nothing arrived late, after the last file was read', async () => {
    const late = probe.late();
    expect({ scripts: late.scripts, requests: late.requests, navigations: late.navigations, dialogs: late.dialogs }).toEqual({ scripts: [], requests: [], navigations: [], dialogs: [] });
  });
});

test('the real extension: an HTML export whose step outputs hold hostile Markdown opens inert, every element on the list', async ({ page, sw, context }) => {
  await page.goto(`${ORIGIN}/workflows/1/executions/1005`);
  const button = exporterUi(page).getByRole('button', { name: 'Export as', exact: true });
  await expect(button).toBeEnabled();
  await button.click();
  const dialog = page.getByRole('dialog', { name: 'Export execution' });
  await dialog.getByRole('radio', { name: 'HTML', exact: true }).check();
  await dialog.getByRole('checkbox', { name: 'Combine results into a single file' }).uncheck();
  const before = (await listDownloads(sw)).reduce((n, d) => Math.max(n, d.id), -1);
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  const item = await waitForDownload(sw, { after: before, timeout: 120_000 });
  expect(item.state).toBe('complete');
  const files = (await readZip(item.filename)).filter((e) => e.path.endsWith('.html'));
  expect(files.length).toBeGreaterThan(0);
  // The hostile outputs did reach the files, as text.
  const all = files.map((f) => f.bytes.toString('utf8')).join('\n');
  expect(all).toContain('a &lt;code&gt; &lt;img/src=x onerror=alert(1)&gt; b');
  expect(all).toContain('&lt;meta http-equiv=&quot;refresh&quot;');

  const dir = mkdtempSync(join(TMP, 'hostile-export-'));
  const viewer: BrowserContext = context;
  const probe = await Probe.attach(await viewer.newPage());
  for (const [i, f] of files.entries()) {
    const html = f.bytes.toString('utf8');
    for (const [suffix, text, withCsp] of [['', html, true], ['-no-csp', html.replace(CSP_META, ''), false]] as const) {
      const file = join(dir, `${i}${suffix}.html`);
      writeFileSync(file, text);
      expectInert(`${f.path}${suffix}`, await probe.open(file), withCsp);
    }
  }
});
