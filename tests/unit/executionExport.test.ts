import { describe, expect, it } from 'vitest';
import { exportExecution, executionReportCsv, STEP_WINDOW } from '../../workers/execution';
import { exporters } from '../../workers/exporters';
import { planExecutionExport, stepMarkdownDocument, collect } from '../../lib/executionDocs';
import type { Execution, Step } from '../../lib/platform';
import type { ExecutionRequest, Progress } from '../../lib/jobs';
import { unzipToMap as unzip } from '../zipReader';

const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function makeExecution(id: string, steps: { name: string; status?: Step['status']; output: string }[], status: Execution['status'] = 'success') {
  const counts = new Map<string, number>();
  const outputs = new Map<string, string>();
  const execution: Execution = {
    id,
    workflow: { id: 'w', name: 'Pipeline <A>' },
    status,
    startedAt: '2024-05-06T01:02:03Z',
    finishedAt: '2024-05-06T02:00:00Z',
    steps: steps.map((s, i) => {
      const n = (counts.get(s.name) ?? 0) + 1;
      counts.set(s.name, n);
      outputs.set(`s${i + 1}`, s.output);
      return {
        id: `s${i + 1}`,
        name: s.name,
        status: s.status ?? 'success',
        iteration: n,
        startedAt: `2024-05-06T01:${String(2 + (i % 50)).padStart(2, '0')}:00Z`,
        finishedAt: `2024-05-06T01:${String(2 + (i % 50)).padStart(2, '0')}:30Z`,
        outputSize: Buffer.byteLength(s.output),
      };
    }),
  };
  return { execution, outputs };
}

/**
 * A fake platform: the execution JSON and each step's output as a stream in 16 KB chunks; records
 * how many outputs are open at once. `missing` answer 404; `flaky` answer 500 once; `cut` break
 * after half their bytes every time.
 */
function fakePlatform(execution: Execution, outputs: Map<string, string>, faults: { missing?: string[]; flaky?: string[]; cut?: string[] } = {}) {
  let open = 0;
  let maxOpen = 0;
  let outputRequests = 0;
  const flakyDone = new Set<string>();
  const fetchImpl = (async (input: string) => {
    const url = new URL(input);
    if (url.pathname === `/api/v1/executions/${execution.id}`) return Response.json(execution);
    const m = /^\/api\/v1\/executions\/[^/]+\/steps\/([^/]+)\/output$/.exec(url.pathname);
    if (m) {
      outputRequests++;
      const sid = m[1];
      if (faults.missing?.includes(sid)) return Response.json({ error: 'not_found', message: 'Output gone' }, { status: 404 });
      if (faults.flaky?.includes(sid) && !flakyDone.has(sid)) {
        flakyDone.add(sid);
        return Response.json({ error: 'oops', message: 'Server error' }, { status: 500 });
      }
      const bytes = Buffer.from(outputs.get(sid) ?? '');
      const cutAt = faults.cut?.includes(sid) ? bytes.length >> 1 : null;
      let offset = 0;
      open++;
      maxOpen = Math.max(maxOpen, open);
      let closed = false;
      const close = () => {
        if (!closed) open--;
        closed = true;
      };
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            if (cutAt !== null && offset >= cutAt) {
              close();
              return c.error(new TypeError('terminated'));
            }
            if (offset >= bytes.length) {
              close();
              return c.close();
            }
            const end = Math.min(bytes.length, offset + 16384, cutAt ?? Infinity);
            c.enqueue(new Uint8Array(bytes.subarray(offset, end)));
            offset = end;
          },
          cancel: close,
        }),
        { headers: { 'Content-Type': 'text/markdown; charset=utf-8' } },
      );
    }
    return new Response('no', { status: 500 });
  }) as unknown as typeof fetch;
  return { fetchImpl, stats: () => ({ maxOpen, outputRequests }) };
}

async function run(execution: Execution, outputs: Map<string, string>, req: Partial<ExecutionRequest>, faults = {}) {
  const platform = fakePlatform(execution, outputs, faults);
  const progress: Progress[] = [];
  const request: ExecutionRequest = { kind: 'execution', origin: 'http://platform.test', executionId: execution.id, format: 'markdown', combine: false, ...req };
  const out = await exportExecution(request, {
    fetch: platform.fetchImpl,
    signal: new AbortController().signal,
    onProgress: (p) => progress.push({ ...p }),
    policy: fast,
  });
  const buf = Buffer.from(await new Response(out.stream).arrayBuffer());
  return { out, files: await unzip(buf), progress, stats: platform.stats(), zipBytes: buf.length };
}

const DANGEROUS = '## Raw\n\n<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))\n\n<iframe src="https://example.com"></iframe>\n\n![r](https://example.com/x.png)\n';

describe('exportExecution', () => {
  const { execution, outputs } = makeExecution('e1', [
    { name: 'Fetch', output: '# Fetched\n\n| a | b |\n|---|---|\n| 1 | 2 |\n' },
    { name: 'Loop', output: 'first run\n' },
    { name: 'Loop', status: 'failed', output: DANGEROUS },
    { name: 'a/b', output: 'one' },
    { name: 'a:b', output: 'two' },
    { name: 'Skip', status: 'skipped', output: '' },
  ]);

  it('is registered for the engine', () => {
    expect(exporters.execution).toBe(exportExecution);
  });

  it('Markdown, one file per step: names of spec 2, details and the output verbatim', async () => {
    const { out, files, progress } = await run(execution, outputs, { format: 'markdown' });
    expect(out.filename).toBe('Pipeline _A__2024-05-06_01-02-03_e1.zip');
    expect([...files.keys()]).toEqual(['Fetch_success.md', 'Loop_1_success.md', 'Loop_2_failed.md', 'a_b_success.md', 'a_b_success (2).md', 'Skip_skipped.md']);
    const plan = planExecutionExport(execution, { format: 'markdown', combine: false });
    for (const p of plan.steps) {
      const want = await collect(stepMarkdownDocument({ execution, planned: p, output: { chunks: [outputs.get(p.step.id)!].values() as never, failure: () => null } }));
      expect(files.get(p.path)!.toString('utf8'), p.path).toBe(want);
    }
    expect(files.get('Loop_2_failed.md')!.toString()).toContain('- **Iteration:** 2\n');
    expect(files.get('Loop_2_failed.md')!.toString()).toContain(DANGEROUS);
    const last = progress.at(-1)!;
    expect(last.filesDone).toBe(6);
    expect(last.filesTotal).toBe(6);
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(out.failed).toEqual([]);
  });

  it('HTML, one file per step: standalone documents, raw HTML escaped', async () => {
    const { files } = await run(execution, outputs, { format: 'html' });
    expect([...files.keys()]).toEqual(['Fetch_success.html', 'Loop_1_success.html', 'Loop_2_failed.html', 'a_b_success.html', 'a_b_success (2).html', 'Skip_skipped.html']);
    const html = files.get('Loop_2_failed.html')!.toString('utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Content-Security-Policy');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<iframe|<[^>]*\sonerror=|href="javascript|<img src="http/i);
    expect(files.get('Fetch_success.html')!.toString()).toContain('<th>a</th>');
    expect(files.get('Skip_skipped.html')!.toString()).toContain('No output.');
  });

  it('combined: one file named like the archive, with a table of contents', async () => {
    for (const format of ['markdown', 'html'] as const) {
      const { files, out } = await run(execution, outputs, { format, combine: true });
      const name = `Pipeline _A__2024-05-06_01-02-03_e1.${format === 'html' ? 'html' : 'md'}`;
      expect([...files.keys()]).toEqual([name]);
      const text = files.get(name)!.toString('utf8');
      for (let i = 1; i <= 6; i++) expect(text).toContain(format === 'html' ? `href="#step-${i}"` : `](#step-${i})`);
      expect(text.indexOf('first run')).toBeLessThan(text.indexOf('Raw'));
      expect(out.progress.filesDone).toBe(1);
    }
  });

  it('an output that fails after retries is listed in export-report.csv, never silently missing', async () => {
    const { files, out, progress } = await run(execution, outputs, { format: 'markdown' }, { missing: ['s2'], flaky: ['s1'], cut: ['s3'] });
    expect(files.has('Loop_1_success.md')).toBe(false);
    expect(files.get('Fetch_success.md')!.toString()).toContain('# Fetched'); // 500 once, then fine
    expect(files.get('Loop_2_failed.md')!.toString()).toContain('could not be downloaded completely (cut short');
    const report = files.get('export-report.csv')!.toString('utf8');
    expect(report.split('\r\n')[0]).toBe('"path","execution","step id","step name","reason","attempts"');
    expect(report).toContain('"Loop_1_success.md","e1","s2","Loop","HTTP 404: Output gone","1"');
    expect(report).toContain('"Loop_2_failed.md","e1","s3","Loop","cut short');
    expect(out.failed.map((f) => f.path)).toEqual(['Loop_1_success.md', 'Loop_2_failed.md']);
    expect(progress.at(-1)!.failed).toBe(2);
    expect(progress.at(-1)!.filesDone).toBe(6);

    const combined = await run(execution, outputs, { format: 'html', combine: true }, { missing: ['s2'] });
    const name = 'Pipeline _A__2024-05-06_01-02-03_e1.html';
    expect(combined.files.get(name)!.toString()).toContain('could not be downloaded completely (HTTP 404: Output gone)');
    expect(combined.files.get('export-report.csv')!.toString()).toContain(`"${name}#step-2","e1","s2","Loop","HTTP 404`);
  });

  it('served output sizes that are not a number of bytes count as 0 in the progress, which stays numbers throughout', async () => {
    const odd = ['abc', -5, Infinity, null, '12', { n: 1 }];
    const hostile = { ...execution, steps: execution.steps.map((st, i) => ({ ...st, outputSize: odd[i] as never })) };
    const { files, progress } = await run(hostile, outputs, { format: 'markdown' }, { missing: ['s1', 's2'] });
    expect(files.has('Loop_2_failed.md')).toBe(true);
    for (const p of progress) for (const key of ['bytesDone', 'bytesTotal'] as const) expect(Number.isFinite(p[key]) && typeof p[key] === 'number', `${key} ${String(p[key])}`).toBe(true);
    expect(progress.at(-1)!.bytesTotal).toBe(0);
  });

  it('refuses an execution that has not finished', async () => {
    const running = makeExecution('e2', [{ name: 'x', output: 'y' }], 'running');
    await expect(run(running.execution, running.outputs, {})).rejects.toThrow(/has not finished/);
  });

  it('report cells that a spreadsheet would run are defused', () => {
    expect(executionReportCsv([{ path: '=1+1_success.md', executionId: 'e', stepId: 's', stepName: '@x', reason: 'r', attempts: 1 }])).toBe(
      '"path","execution","step id","step name","reason","attempts"\r\n"\'=1+1_success.md","e","s","\'@x","r","1"\r\n',
    );
  });
});

describe('large exports', () => {
  it('a 5 MB output, in both formats, streamed', async () => {
    let text = '## Huge\n\n| # | Value |\n|---:|---|\n';
    const rows: string[] = [];
    for (let i = 1; text.length + rows.length * 24 < 5 * 1024 * 1024; i++) rows.push(`| ${i} | ${String(i * 7919).padStart(12, '0')} |\n`);
    text += rows.join('');
    const { execution, outputs } = makeExecution('big', [{ name: 'Small', output: 'x' }, { name: 'Huge', output: text }, { name: 'After', output: 'y' }]);
    const md = await run(execution, outputs, { format: 'markdown' });
    expect(md.files.get('Huge_success.md')!.toString('utf8').endsWith(text)).toBe(true);
    const html = await run(execution, outputs, { format: 'html', combine: true });
    const doc = html.files.get('Pipeline _A__2024-05-06_01-02-03_big.html')!.toString('utf8');
    expect(doc.match(/<table/g)!.length).toBe(1 + 3 + 1); // execution details, 3 step details, the output's table
    expect(doc).toContain(`<tr><td class="align-right">${rows.length}</td>`);
    expect(doc).toMatch(/<\/tbody>\n<\/table>\n<\/div>\n<p><a href="#contents">Back to contents<\/a><\/p>\n<\/section>\n<section class="step" id="step-3"/);
  });

  it('2,000 steps: outputs fetched a bounded number at a time', async () => {
    const { execution, outputs } = makeExecution(
      'many',
      Array.from({ length: 2000 }, (_, i) => ({ name: i % 10 === 9 ? 'Checkpoint' : `Batch ${i + 1}`, output: `Output of ${i + 1}\n`.repeat(50) })),
    );
    for (const combine of [false, true]) {
      const { files, stats } = await run(execution, outputs, { format: 'html', combine });
      expect(stats.outputRequests).toBe(2000);
      expect(stats.maxOpen).toBeLessThanOrEqual(STEP_WINDOW + 1);
      if (!combine) {
        expect(files.size).toBe(2000);
        expect(files.has('Checkpoint_200_success.html')).toBe(true);
        expect(files.has('Batch 1_success.html')).toBe(true);
      } else expect(files.size).toBe(1);
    }
  });
});
