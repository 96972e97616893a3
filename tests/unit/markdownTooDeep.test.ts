/**
 * Rule "Markdown too deep to parse" (lib/markdownRender.ts): a segment marked's lexer cannot read
 * (it recurses once per level of quotes, lists and emphasis, so a few thousand levels overflow the
 * stack) is shown as escaped text, whole, with a note; the export and the rest of the output go on.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderOutputHtml, type RenderNote } from '../../lib/markdownRender';
import { collect } from '../../lib/executionDocs';
import { sanitiserNote } from '../../lib/htmlDocument';
import { DEEP_MARKDOWN } from '../data/hostile-markdown';
import { outputElements, violations } from './htmlSanitizeTree';
import { unzipToMap } from '../zipReader';
import { exportExecution } from '../../workers/execution';

const render = async (md: string, soft?: number) => {
  const notes: RenderNote[] = [];
  const html = await collect(renderOutputHtml([md], { headingOffset: 1, onRemoved: (r) => notes.push(r) }, soft));
  return { html, notes };
};
/** The text of every `pre.unparsed`, unescaped. */
const unparsedText = (html: string) =>
  [...html.matchAll(/<pre class="unparsed">([\s\S]*?)<\/pre>/g)]
    .map((m) => m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'))
    .join('');

describe('Markdown too deep to parse', () => {
  it.each(DEEP_MARKDOWN.map((md, i) => [i, md] as const))('deep input %i: no error, shown whole as text, said in a note, nothing off the allow-list', async (_, md) => {
    const { html, notes } = await render(md);
    expect(violations(outputElements(html))).toEqual([]);
    expect(html).not.toMatch(/<(img|script|svg|iframe)\b/i);
    const unparsed = notes.filter((n) => n.kind === 'unparsed');
    expect(unparsed.length).toBeGreaterThan(0);
    expect(unparsedText(html)).toBe(md);
    expect(unparsed.reduce((n, r) => n + (r.kind === 'unparsed' ? r.chars : 0), 0)).toBe(md.length);
  });

  it('only the segment that cannot be read is left as text: what comes before and after it renders', async () => {
    const deep = `${'>'.repeat(8000)} deep\n`;
    const md = `# Before\n\n${'para\n\n'.repeat(200)}${deep}\n${'tail\n\n'.repeat(200)}## After *it*\n`;
    const { html, notes } = await render(md, 1024);
    expect(html).toContain('<h2>Before</h2>');
    expect(html).toContain('<h3>After <em>it</em></h3>');
    expect(unparsedText(html)).toContain(deep);
    expect(unparsedText(html).length).toBeLessThan(md.length);
    expect(notes.every((n) => n.kind === 'unparsed')).toBe(true);
  });

  it('a table the previous segment left open is closed before the text', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `| ${i} | x |`).join('\n');
    const md = `| a | b |\n|---|---|\n${rows}\n${'>'.repeat(8000)} deep\n`;
    const { html } = await render(md, 1024);
    expect(violations(outputElements(html))).toEqual([]);
    expect(html.indexOf('</table>')).toBeLessThan(html.indexOf('<pre class="unparsed">'));
    expect(html.split('<table>').length).toBe(html.split('</table>').length);
  });

  it('property: any deep nesting of quotes, lists and emphasis around any text renders without error, inert', async () => {
    const opener = fc.constantFrom('>', '> ', '- ', '* ', '1. ', '*', '_', '[', '> - ');
    await fc.assert(
      fc.asyncProperty(opener, fc.integer({ min: 2500, max: 6000 }), fc.constantFrom('<img src=x onerror=alert(1)>', 'a & b', '`x`', '<script>1</script>'), async (o, n, core) => {
        const md = `${o.repeat(n)}${core}\n`;
        const { html } = await render(md);
        expect(violations(outputElements(html))).toEqual([]);
        expect(html).not.toMatch(/<(img|script)\b/i);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('the note says how much was left as text, after what the sanitiser kept out', () => {
    expect(sanitiserNote([{ kind: 'unparsed', chars: 12345 }])).toBe(
      '12,345 characters of this output could not be read as Markdown (nested thousands of levels deep, or the parser failed on them): they are shown as plain text.',
    );
    expect(sanitiserNote([{ kind: 'element', tag: 'img' }, { kind: 'unparsed', chars: 3 }])).toMatch(/^The sanitiser kept 1 piece of markup out of this output \(<img>\);.* 3 characters of this output could not be read/);
  });

  it('an HTML export of such an output: the file holds it as text, export-report.csv lists it, nothing counted as failed', async () => {
    const deep = DEEP_MARKDOWN[0];
    const step = { id: 's1', name: 'Deep', status: 'success' as const, iteration: 1, startedAt: '2024-05-06T01:02:03Z', finishedAt: '2024-05-06T01:03:00Z', outputSize: deep.length };
    const execution = { id: 'e8', workflow: { id: 'w', name: 'W' }, status: 'success' as const, startedAt: step.startedAt, finishedAt: step.finishedAt, steps: [step] };
    const fetchImpl = (async (input: string) =>
      new URL(input).pathname.endsWith('/output') ? new Response(deep) : Response.json(execution)) as unknown as typeof fetch;
    const out = await exportExecution(
      { kind: 'execution', origin: 'http://platform.test', executionId: 'e8', format: 'html', combine: false },
      { fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => undefined, policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const files = await unzipToMap(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect(unparsedText(files.get('Deep_success.html')!.toString('utf8'))).toBe(deep);
    expect(files.get('export-report.csv')!.toString('utf8')).toContain(
      `"Deep_success.html","e8","s1","Deep","${deep.length.toLocaleString('en')} characters of this output could not be read as Markdown`,
    );
    expect(out.failed).toEqual([]);
  });
});
