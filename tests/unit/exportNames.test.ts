import { createHash } from 'node:crypto';
/**
 * Issue 14 (CSV, Names) through the real case-files pipeline in Node: reserved names keep theirs,
 * a file uuid that is not a platform id is never requested and is listed in the report, and an
 * answer about another workflow stops the export.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { exportCaseFiles } from '../../workers/caseFiles';
import { exportAnnotatedCaseFiles } from '../../workers/annotatedCaseFiles';
import { REPORT_NAME } from '../../lib/reservedNames';
import type { Case, Workflow } from '../../lib/platform';
import type { CaseFilesRequest } from '../../lib/jobs';
import { unzipToMap as unzip } from '../zipReader';

const workflow: Workflow = { id: 'w', name: 'W', orders: [{ id: 'o', name: 'O' }] };
const file = (uuid: string, name: string) => ({ uuid, originalFilename: name, contentType: 'text/plain', size: 3, createdAt: '2025-01-02T03:04:05Z' });
const cases: Case[] = [
  {
    id: 'c1',
    shortId: 'S1',
    externalId: null,
    entityExternalId: null,
    orderId: null,
    metadata: {},
    files: [file('u1', 'Export-Report.csv'), file('../../me', '=evil.txt'), file('u3', 'ANNOTATIONS.json')],
  },
];

function fakePlatform(answered: Workflow = workflow) {
  const requests: string[] = [];
  const fetchImpl = (async (input: string) => {
    const url = new URL(input);
    requests.push(url.pathname);
    if (url.pathname === '/api/v1/workflows/w') return Response.json(answered);
    if (url.pathname === '/api/v1/workflows/w/cases') return Response.json({ items: cases, nextCursor: null });
    if (url.pathname === '/api/v1/workflows/w/annotations') return Response.json({ items: [], nextCursor: null });
    const m = /^\/api\/v1\/files\/([^/]+)\/content$/.exec(url.pathname);
    if (m) {
      const body = `${m[1]}!`.slice(0, 3);
      return new Response(body, { headers: { 'X-Checksum-Sha256': createHash('sha256').update(body).digest('hex') } });
    }
    return Response.json({ error: 'not_found', message: url.pathname }, { status: 404 });
  }) as unknown as typeof fetch;
  return { fetchImpl, requests };
}

const request: CaseFilesRequest = { kind: 'case-files', origin: 'http://p', workflowId: 'w', orderId: null, template: '{{ ORIGINAL_FILENAME }}' };
const ctx = (fetchImpl: typeof fetch) => ({ fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => {}, policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });

describe('names and ids in a case-files export', () => {
  it('the user’s Export-Report.csv gets " (2)", ours keeps its name; a bad uuid is never requested and is reported', async () => {
    const { fetchImpl, requests } = fakePlatform();
    const out = await exportCaseFiles(request, ctx(fetchImpl));
    const zip = await unzip(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect([...zip.keys()]).toEqual(['Export-Report (2).csv', 'ANNOTATIONS (2).json', REPORT_NAME]);
    expect(requests.some((r) => r.includes('..') || r.includes('/me'))).toBe(false);
    const report = zip.get(REPORT_NAME)!.toString('utf8');
    const rows = parse(report) as string[][];
    expect(rows).toHaveLength(2);
    expect(rows[1].slice(0, 3)).toEqual(["'=evil.txt", 'c1', '../../me']);
    expect(rows[1][3]).toMatch(/^Refusing the file uuid "\.\.\/\.\.\/me"/);
    expect(report.startsWith('"path","case","file uuid","reason","attempts"\r\n')).toBe(true);
  });
  it('annotated: a case file named annotations.json gets " (2)", ours keeps the fixed name', async () => {
    const { fetchImpl } = fakePlatform();
    const out = await exportAnnotatedCaseFiles({ ...request, kind: 'annotated-case-files', orderId: 'o' }, ctx(fetchImpl));
    const zip = await unzip(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect([...zip.keys()]).toEqual(['Export-Report (2).csv', 'ANNOTATIONS (2).json', 'annotations.json', REPORT_NAME]);
    expect(Object.keys(JSON.parse(zip.get('annotations.json')!.toString('utf8')))).toEqual(['ANNOTATIONS (2).json', 'Export-Report (2).csv']);
  });
  it('an answer about another workflow stops the export before any file', async () => {
    const { fetchImpl, requests } = fakePlatform({ id: 'other', name: 'Other', orders: [] });
    await expect(exportCaseFiles(request, ctx(fetchImpl))).rejects.toThrow('The platform answered with workflow "other" when asked for workflow "w"');
    expect(requests).toEqual(['/api/v1/workflows/w']);
  });
  it('a workflow id that is not a platform id is never requested', async () => {
    const { fetchImpl, requests } = fakePlatform();
    await expect(exportCaseFiles({ ...request, workflowId: '../w' }, ctx(fetchImpl))).rejects.toThrow(/Refusing the workflow id/);
    expect(requests).toEqual([]);
  });
});
