import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  htmlCsp,
  collect,
  combinedHtmlDocument,
  combinedMarkdownDocument,
  escapeHtml,
  escapeMarkdownInline,
  executionExportRequest,
  formatStepDuration,
  formatUtcTimestamp,
  markdownSegments,
  planExecutionExport,
  renderOutputHtml,
  safeImageUrl,
  safeLinkUrl,
  stepDetails,
  stepHtmlDocument,
  stepMarkdownDocument,
  type PlannedStep,
  type StepOutputSource,
} from '../../lib/executionDocs';
import type { Execution, Step } from '../../lib/platform';
import { utf8ByteLength } from '../../lib/naming';
import { documentElements, violations } from './htmlSanitizeTree';

const step = (id: string, name: string, iteration: number, status: Step['status'] = 'success', startedAt = '2024-03-05T07:08:09Z', finishedAt: string | null = '2024-03-05T07:09:41.500Z'): Step => ({
  id,
  name,
  status,
  iteration,
  startedAt,
  finishedAt,
  outputSize: 10,
});

const execution: Execution = {
  id: '1005',
  workflow: { id: '1', name: 'Nightly / build' },
  status: 'success',
  startedAt: '2024-03-05T07:08:09.123Z',
  finishedAt: '2024-03-05T08:00:00Z',
  steps: [
    step('s1', 'Fetch inputs', 1),
    step('s2', 'Segment / classify', 1),
    step('s3', '..', 1),
    step('s4', 'Retry loop', 1),
    step('s5', 'Retry loop', 2, 'failed'),
    step('s6', 'Retry loop', 3),
    step('s7', 'CON', 1),
    step('s8', 'Report 📄 — Ünïcode <b>', 1),
    step('s9', 'a:b', 1),
    step('s10', 'a/b', 1),
    step('s11', 'Load', 1, 'skipped', '2024-03-05T07:20:00Z', '2024-03-05T07:20:00Z'),
    step('s12', 'load', 1),
  ],
};

const DANGEROUS = [
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(\'xss\')">',
  '[click me](javascript:alert(1))',
  '<iframe src="https://example.com"></iframe>',
  '![remote image](https://example.com/x.png)',
  '<style>body { display: none }</style>',
  '<a href="https://example.com" onclick="alert(2)">external link</a>',
  '<form action="https://example.com/steal"><input name="q" value="x"><button>Go</button></form>',
  '<svg onload="alert(3)"><circle r="5"/></svg>',
  '<link rel="stylesheet" href="https://example.com/evil.css">',
  '[entity](&#106;avascript:alert(1)) [tab](java\tscript:alert(1)) [data](data:text/html,<script>alert(1)</script>) <javascript:alert(1)>',
  'Inline <b onmouseover="alert(4)">bold</b> and <object data="https://example.com/x"></object> <embed src="https://example.com/y">',
  '![svg](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) <meta http-equiv="refresh" content="0;url=https://example.com"> <base href="https://example.com/">',
].join('\n\n');

const source = (text: string | null, failure: string | null = null): StepOutputSource => ({
  chunks: text === null ? null : [text].values() as unknown as AsyncIterable<string>,
  failure: () => failure,
});
async function* asyncOf<T>(items: T[]) {
  for (const i of items) yield i;
}

/** Every tag the HTML holds (a tiny scanner: good enough to find what a parser would make an element). */
function tags(html: string): { name: string; attrs: string }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((m) => ({ name: m[1].toLowerCase(), attrs: m[2] }));
}

/** What makes an exported HTML file unsafe: script, handlers, frames, remote loads, unsafe URLs. */
function expectSafe(html: string) {
  const allowed = new Set(['html', 'head', 'meta', 'link', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'a', 'strong', 'em', 'code', 'pre', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'ol', 'li', 'blockquote', 'hr', 'br', 'del', 'img', 'span', 'div', 'nav', 'section', 'input']);
  let styles = 0;
  let links = 0;
  for (const t of tags(html)) {
    expect(allowed, `<${t.name}${t.attrs}>`).toContain(t.name);
    expect(t.attrs, `<${t.name}${t.attrs}>`).not.toMatch(/\son[a-z]+\s*=/i);
    if (t.name === 'style') styles++;
    if (t.name === 'link') {
      links++;
      expect(t.attrs).toBe(' rel="icon" href="data:,"');
    }
    if (t.name === 'img') expect(t.attrs).toMatch(/^ src="data:image\/(png|jpeg|gif|webp);base64,/);
    if (t.name === 'input') expect(t.attrs).toMatch(/type="checkbox"/);
    if (t.name === 'meta') expect(t.attrs).not.toMatch(/refresh/i);
    const href = /\shref="([^"]*)"/.exec(t.attrs)?.[1];
    if (href !== undefined && t.name === 'a') expect(href).toMatch(/^(https?:\/\/|mailto:|#)/);
  }
  expect(styles).toBe(1);
  expect(links).toBe(1);
  // Element by element, as a browser parses it, against the allow-list (lib/htmlAllowList.ts).
  expect(violations(documentElements(html))).toEqual([]);
  expect(html).not.toMatch(/<script|<iframe|<object|<embed|<form|<svg|<base/i);
}

describe('the plan of names (spec 2)', () => {
  it('one file per step: <step_name>_<status>, the iteration only for names that occur more than once, sanitised and deduplicated', () => {
    const plan = planExecutionExport(execution, { format: 'markdown', combine: false });
    expect(plan.archiveFileName).toBe('Nightly _ build_2024-03-05_07-08-09_1005.zip');
    expect(plan.combinedPath).toBeNull();
    expect(plan.steps.map((s) => s.path)).toEqual([
      'Fetch inputs_success.md',
      'Segment _ classify_success.md',
      'step_success.md',
      'Retry loop_1_success.md',
      'Retry loop_2_failed.md',
      'Retry loop_3_success.md',
      'CON_success.md',
      'Report 📄 — Ünïcode _b__success.md',
      'a_b_success.md',
      'a_b_success (2).md',
      'Load_skipped.md',
      'load_success.md',
    ]);
    expect(plan.steps.map((s) => s.repeated)).toEqual([false, false, false, true, true, true, false, false, false, false, false, false]);
    expect(planExecutionExport(execution, { format: 'html', combine: false }).steps[3].path).toBe('Retry loop_1_success.html');
  });

  it('names equal but for case are one path on Windows and macOS: the later one gets (2)', () => {
    const e: Execution = { ...execution, steps: [step('a', 'Load', 1), step('b', 'LOAD', 1)] };
    expect(planExecutionExport(e, { format: 'html', combine: false }).steps.map((s) => s.path)).toEqual(['Load_success.html', 'LOAD_success (2).html']);
  });

  it('combined: one file named like the archive, .md or .html', () => {
    expect(planExecutionExport(execution, { format: 'markdown', combine: true }).combinedPath).toBe('Nightly _ build_2024-03-05_07-08-09_1005.md');
    expect(planExecutionExport(execution, { format: 'html', combine: true }).combinedPath).toBe('Nightly _ build_2024-03-05_07-08-09_1005.html');
  });

  it('the archive name uses the UTC start time and stays within 200 bytes', () => {
    const e: Execution = { ...execution, workflow: { id: '1', name: 'Wörkflow 😀 '.repeat(40) }, startedAt: '2024-12-31T23:30:00-02:00' };
    const name = planExecutionExport(e, { format: 'html', combine: true }).archiveFileName;
    expect(name.endsWith('_2025-01-01_01-30-00_1005.zip')).toBe(true);
    expect(utf8ByteLength(name)).toBeLessThanOrEqual(200);
  });

  it('every step gets a distinct, safe file name (property)', () => {
    const name = fc.oneof(fc.constantFrom('a', 'A', 'a/b', 'a:b', '..', 'CON', 'nul.txt', ' x ', '\u202e', ''), fc.string({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(fc.record({ name, status: fc.constantFrom('success', 'failed', 'skipped') as fc.Arbitrary<Step['status']> }), { maxLength: 30 }), (specs) => {
        const counts = new Map<string, number>();
        const steps = specs.map((s, i) => {
          const n = (counts.get(s.name) ?? 0) + 1;
          counts.set(s.name, n);
          return step(`s${i}`, s.name, n, s.status);
        });
        const plan = planExecutionExport({ ...execution, steps }, { format: 'markdown', combine: false });
        const keys = plan.steps.map((s) => s.path.toLowerCase());
        expect(new Set(keys).size).toBe(keys.length);
        for (const p of plan.steps) {
          expect(p.path).toMatch(/\.md$/);
          expect(p.path).not.toMatch(/[<>:"/\\|?*\u0000-\u001f]/);
          expect(utf8ByteLength(p.path)).toBeLessThanOrEqual(255);
          expect(p.path.endsWith(`_${p.step.status}.md`) || / \(\d+\)\.md$/.test(p.path)).toBe(true);
        }
      }),
    );
  });
});

describe('details', () => {
  it('times in UTC, duration from start to finish', () => {
    expect(formatUtcTimestamp('2024-03-05T07:08:09.123Z')).toBe('2024-03-05 07:08:09 UTC');
    expect(formatUtcTimestamp('2024-03-05T09:08:09+02:00')).toBe('2024-03-05 07:08:09 UTC');
    expect(formatUtcTimestamp('2024-03-05T07:08:09')).toBe('2024-03-05 07:08:09 UTC');
    expect(formatUtcTimestamp(null)).toBe('');
    expect(formatStepDuration('2024-03-05T07:08:09Z', '2024-03-05T07:09:41.500Z')).toBe('1 min 33 s');
    expect(formatStepDuration('2024-03-05T07:08:09Z', '2024-03-05T07:08:09.250Z')).toBe('250 ms');
    expect(formatStepDuration('2024-03-05T07:08:09Z', null)).toBe('');
  });
  it('name, status, iteration, start, finish, duration, in that order', () => {
    expect(stepDetails(execution.steps[4])).toEqual([
      { label: 'Step', value: 'Retry loop' },
      { label: 'Status', value: 'failed' },
      { label: 'Iteration', value: '2' },
      { label: 'Started', value: '2024-03-05 07:08:09 UTC' },
      { label: 'Finished', value: '2024-03-05 07:09:41 UTC' },
      { label: 'Duration', value: '1 min 33 s' },
    ]);
  });
  it('the request the popup and the pages send', () => {
    expect(executionExportRequest('http://x', '7', { format: 'html', combine: true })).toEqual({
      kind: 'execution',
      origin: 'http://x',
      executionId: '7',
      format: 'html',
      combine: true,
    });
  });
});

describe('sanitising', () => {
  it('URLs: only http(s), mailto and fragments; decoded first', () => {
    expect(safeLinkUrl('https://a.b/c')).toBe('https://a.b/c');
    expect(safeLinkUrl('mailto:x@y.z')).toBe('mailto:x@y.z');
    expect(safeLinkUrl('#step-2')).toBe('#step-2');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:x', ' javascript:x', 'java\tscript:x', '&#106;avascript:x', 'javascript&colon;x', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '//evil.com', 'relative.html'])
      expect(safeLinkUrl(bad), bad).toBeNull();
    expect(safeImageUrl('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(safeImageUrl('data:image/svg+xml;base64,PHN2Zz4=')).toBeNull();
    expect(safeImageUrl('https://example.com/x.png')).toBeNull();
  });

  it('raw HTML is shown as text; no script, handler, frame, form, remote load or unsafe link survives', async () => {
    const html = await collect(renderOutputHtml([DANGEROUS], { headingOffset: 2 }));
    expectSafe(`<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><style></style></head><body><div class="output">${html}</div></body></html>`);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('click me');
    expect(html).toContain('<a class="image-link" href="https://example.com/x.png" rel="noopener noreferrer nofollow">[image: remote image]</a>');
    expect(html).not.toMatch(/href="javascript/i);
  });

  it('Markdown values are escaped in Markdown', () => {
    expect(escapeMarkdownInline('Report <b> | *x* [y](z) #1\nnext')).toBe('Report \\<b\\> \\| \\*x\\* \\[y\\]\\(z\\) \\#1 next');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('rendering in segments', () => {
  const rows = Array.from({ length: 4000 }, (_, i) => `| ${i} | v${i} <i> | *x* |`).join('\n');
  const code = Array.from({ length: 2000 }, (_, i) => `line ${i} <b>`).join('\n');
  const big = `# Big\n\npara [ref]\n\n[ref]: https://example.com/r\n\n| # | V | C |\n|--:|---|:-:|\n${rows}\n\nafter\n\n~~~js\n${code}\n~~~\n\n- a\n- b\n\n${'words '.repeat(3000)}\n\nend [ref]\n`;

  it('cuts a long table and long fenced code, and joins them back: same HTML as in one piece', async () => {
    const whole = await collect(renderOutputHtml([big], { headingOffset: 0 }));
    const segments: string[] = [];
    for await (const s of markdownSegments([big], 4096)) segments.push(s.text);
    expect(segments.length).toBeGreaterThan(10);
    const pieces = big.match(/[\s\S]{1,777}/g)!;
    const cut = await collect(renderOutputHtml(pieces, { headingOffset: 0 }, 4096));
    expect(cut).toBe(whole);
    expect(whole.match(/<table>/g)!.length).toBe(1);
    expect(whole.match(/<pre>/g)!.length).toBe(1);
    expect(whole).toContain('<tr><td class="align-right">3999</td><td>v3999 &lt;i&gt;</td><td class="align-center"><em>x</em></td></tr>');
    expect(whole).toContain('line 1999 &lt;b&gt;\n</code></pre>');
    expect(whole).toContain('<h1>Big</h1>');
    expect(cut.match(/href="https:\/\/example.com\/r"/g)!.length).toBe(2);
  });
  it('segments: below the size, one segment of the whole text in its pieces, line ends as \\n; past it, cut at blank lines; a source left early is closed', async () => {
    const texts = async (pieces: Iterable<string> | AsyncIterable<string>, soft: number) => {
      const out: string[] = [];
      for await (const s of markdownSegments(pieces, soft)) out.push(s.text);
      return out;
    };
    expect(await texts(['a\r\nb', '\rc', '\n'], 100)).toEqual(['a\nb\nc\n']);
    expect(await texts([], 100)).toEqual([]);
    const paragraphs = Array.from({ length: 40 }, (_, i) => `paragraph ${i}\n\n`).join('');
    const cut = await texts(paragraphs.match(/[\s\S]{1,7}/g)!, 64);
    expect(cut.length).toBeGreaterThan(5);
    expect(cut.join('')).toBe(paragraphs);
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield `line ${i}\n\n`;
      } finally {
        closed = true;
      }
    }
    for await (const _ of markdownSegments(source(), 64)) break;
    expect(closed).toBe(true);
  });
  it('headings of the output nest under ours', async () => {
    expect(await collect(renderOutputHtml(['# A\n\n###### B\n'], { headingOffset: 2 }))).toBe('<h3>A</h3>\n<h6>B</h6>\n');
  });
});

describe('documents', () => {
  const plan = planExecutionExport(execution, { format: 'html', combine: false });
  const p4 = plan.steps[4];

  it('a step in Markdown: details, then the output verbatim', async () => {
    const md = await collect(stepMarkdownDocument({ execution, planned: p4, output: source('## Out\n\n<script>x</script>\n') }));
    expect(md).toBe(
      '# Retry loop \\(iteration 2\\)\n\n' +
        'Workflow **Nightly / build**, execution `1005`, step 5 of 12.\n\n' +
        '- **Step:** Retry loop\n- **Status:** failed\n- **Iteration:** 2\n- **Started:** 2024-03-05 07:08:09 UTC\n' +
        '- **Finished:** 2024-03-05 07:09:41 UTC\n- **Duration:** 1 min 33 s\n\n## Output\n\n## Out\n\n<script>x</script>\n',
    );
    expect(await collect(stepMarkdownDocument({ execution, planned: p4, output: source('') }))).toContain('## Output\n\n_No output._\n');
    expect(await collect(stepMarkdownDocument({ execution, planned: p4, output: source('partial', 'cut short: HTTP 500') }))).toMatch(
      /partial\n\n> The output of this step could not be downloaded completely \(cut short: HTTP 500\)\. It is listed in export-report\.csv\.\n$/,
    );
  });

  it('a step in HTML: a standalone, safe document with the CSP first', async () => {
    const html = await collect(stepHtmlDocument({ execution, planned: plan.steps[7], output: source(DANGEROUS) }));
    expect(html.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(html).toContain(`content="${escapeHtml(await htmlCsp())}"`);
    expect(html).toContain('<h1>Report 📄 — Ünïcode &lt;b&gt;</h1>');
    expect(html).toContain('<tr><th scope="row">Iteration</th><td>1</td></tr>');
    expect(html).toContain('<tr><th scope="row">Duration</th><td>1 min 33 s</td></tr>');
    expect(html.endsWith('</body>\n</html>\n')).toBe(true);
    expectSafe(html);
  });

  it('combined: a table of contents linking to every step, every step in order under its own heading', async () => {
    const cplan = planExecutionExport(execution, { format: 'html', combine: true }).steps;
    const steps = asyncOf(cplan.map((planned: PlannedStep) => ({ planned, output: source(planned.index === 2 ? DANGEROUS : planned.index === 3 ? null : `out ${planned.index}\n`, planned.index === 3 ? 'HTTP 404: gone' : null) })));
    const html = await collect(combinedHtmlDocument(execution, steps, cplan));
    expectSafe(html);
    const tocLinks = [...html.matchAll(/<li><a href="#(step-\d+)">([^<]*)<\/a>/g)];
    expect(tocLinks.map((m) => m[1])).toEqual(cplan.map((p) => `step-${p.index}`));
    expect(tocLinks[4][2]).toBe('Retry loop (iteration 2)');
    for (const p of cplan) expect(html).toContain(`<section class="step" id="step-${p.index}"`);
    const order = cplan.map((p) => html.indexOf(`id="step-${p.index}"`));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('could not be downloaded completely (HTTP 404: gone)');

    const mplan = planExecutionExport(execution, { format: 'markdown', combine: true }).steps;
    const md = await collect(
      combinedMarkdownDocument(execution, asyncOf(mplan.map((planned) => ({ planned, output: source(planned.index === 1 ? '```js\nunclosed fence\n' : `out ${planned.index}\n`) }))), mplan),
    );
    expect(md).toContain('## Contents\n\n1. [Fetch inputs](#step-1) (success)\n');
    expect(md).toContain('5. [Retry loop \\(iteration 2\\)](#step-5) (failed)\n');
    for (const p of mplan) expect(md).toContain(`<a id="step-${p.index}"></a>\n\n## ${p.index}. `);
    // An output's unclosed fence is closed, so it can't swallow the next step.
    expect(md).toContain('```js\nunclosed fence\n\n```\n');
  });
});
