/**
 * What the sanitiser keeps out is never silent: a note at the end of the step's output and a row in
 * export-report.csv. The renderer emits nothing the sanitiser refuses, so the sanitiser is replaced
 * here by one that refuses every `<em>`, as a renderer bug would make it.
 */
import { describe, expect, it, vi } from 'vitest';
import { unzipToMap } from '../zipReader';

vi.mock('../../lib/htmlSanitize', () => ({
  sanitizeOutputHtml: (html: string, onRemoved?: (r: unknown) => void) => {
    for (const _ of html.matchAll(/<em>/g)) onRemoved?.({ kind: 'element', tag: 'em' });
    return html.replace(/<\/?em>/g, '');
  },
}));

const { collect, planExecutionExport, stepHtmlDocument } = await import('../../lib/executionDocs');
const { exportExecution } = await import('../../workers/execution');

const execution = {
  id: 'e7',
  workflow: { id: 'w', name: 'W' },
  status: 'success' as const,
  startedAt: '2024-05-06T01:02:03Z',
  finishedAt: '2024-05-06T02:00:00Z',
  steps: [
    { id: 's1', name: 'Clean', status: 'success' as const, iteration: 1, startedAt: '2024-05-06T01:02:03Z', finishedAt: '2024-05-06T01:03:00Z', outputSize: 6 },
    { id: 's2', name: 'Emphasis', status: 'success' as const, iteration: 1, startedAt: '2024-05-06T01:02:03Z', finishedAt: '2024-05-06T01:03:00Z', outputSize: 14 },
  ],
};
const outputs: Record<string, string> = { s1: 'plain\n', s2: '*a* and *b*\n' };

describe('what the sanitiser keeps out', () => {
  it('is said at the end of the output and handed to the source', async () => {
    const planned = planExecutionExport(execution, { format: 'html', combine: false }).steps[1];
    const notes: string[] = [];
    const html = await collect(
      stepHtmlDocument({ execution, planned, output: { chunks: [outputs.s2].values() as never, failure: () => null, sanitised: (n) => notes.push(n) } }),
    );
    const note = 'The sanitiser kept 2 pieces of markup out of this output (<em>); elements are shown as text, attributes were dropped.';
    expect(notes).toEqual([note]);
    expect(html).toContain('<p class="note" role="note">The sanitiser kept 2 pieces of markup out of this output (&lt;em&gt;);');
    const clean = await collect(stepHtmlDocument({ execution, planned, output: { chunks: [outputs.s1].values() as never, failure: () => null } }));
    expect(clean).not.toContain('The sanitiser kept');
  });

  it('is listed in export-report.csv, the file itself kept and not counted as failed', async () => {
    const fetchImpl = (async (input: string) => {
      const url = new URL(input);
      if (url.pathname === '/api/v1/executions/e7') return Response.json(execution);
      const m = /\/steps\/([^/]+)\/output$/.exec(url.pathname);
      if (m) return new Response(outputs[m[1]], { headers: { 'Content-Type': 'text/markdown; charset=utf-8' } });
      return new Response('no', { status: 500 });
    }) as unknown as typeof fetch;
    const out = await exportExecution(
      { kind: 'execution', origin: 'http://platform.test', executionId: 'e7', format: 'html', combine: false },
      { fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => undefined, policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const files = await unzipToMap(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect([...files.keys()]).toEqual(['Clean_success.html', 'Emphasis_success.html', 'export-report.csv']);
    const report = files.get('export-report.csv')!.toString('utf8');
    expect(report).toBe(
      '"path","execution","step id","step name","reason","attempts"\r\n' +
        '"Emphasis_success.html","e7","s2","Emphasis","The sanitiser kept 2 pieces of markup out of this output (<em>); elements are shown as text, attributes were dropped.","0"\r\n',
    );
    expect(out.failed).toEqual([]);
  });
});
