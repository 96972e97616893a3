/**
 * Every request of every exporter goes through the engine's retrying, session-pausing client: a
 * 401 in the middle of an export pauses it (the gate reports paused, then resumed) and the export
 * then ends exactly as a clean run; a 500 is retried. One fake platform serves every endpoint.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exporterFor } from '../../workers/exporters';
import { SessionGate } from '../../workers/session';
import type { ExportRequest } from '../../lib/jobs';
import type { Annotation, Case, Execution, Submission, Workflow } from '../../lib/platform';
import { unzipToMap } from '../zipReader';

const ORIGIN = 'http://p.test';
const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

const workflow: Workflow = { id: 'w', name: 'Flow', orders: [{ id: 'o', name: 'Batch' }] };
const questions = [{ key: 'q', label: 'Q', type: 'text' }];
const cases: Case[] = Array.from({ length: 5 }, (_, i) => ({
  id: `c${i}`,
  shortId: `S${i}`,
  externalId: `E${i}`,
  entityExternalId: null,
  orderId: 'o',
  metadata: { site: `m${i}` },
  files: [{ uuid: `f${i}`, originalFilename: `notes${i}.txt`, contentType: 'text/plain', size: 20 + i, createdAt: '2025-01-01T00:00:00Z' }],
}));
const submissions: Submission[] = cases.flatMap((c, i) =>
  [0, 1].map((k) => ({
    id: `s${i}-${k}`,
    caseId: c.id,
    reader: { id: `r${k}`, name: `Reader ${k}` },
    status: 'submitted' as const,
    submittedAt: `2025-02-0${k + 1}T00:00:00Z`,
    answers: { q: `answer ${i}/${k}` },
  })),
);
const annotations: Annotation[] = cases.map((c, i) => ({
  fileUuid: c.files[0].uuid,
  submissionId: `s${i}-0`,
  shapes: [{ kind: 'point', points: [[1, 2]], label: 'x', color: null }],
}));
const execution: Execution = {
  id: 'e',
  workflow: { id: 'w', name: 'Flow' },
  status: 'success',
  startedAt: '2025-03-01T00:00:00Z',
  finishedAt: '2025-03-01T01:00:00Z',
  steps: [1, 2, 3].map((n) => ({
    id: `st${n}`,
    name: `Step ${n}`,
    status: 'success' as const,
    iteration: 1,
    startedAt: '2025-03-01T00:00:00Z',
    finishedAt: '2025-03-01T00:10:00Z',
    outputSize: Buffer.byteLength(`# Output ${n}\n\nok`),
  })),
};
const fileBytes = (uuid: string, size: number) => Buffer.alloc(size, uuid);

/** A paged answer: `size` items a page, the cursor is the next index. */
function page<T>(all: T[], url: URL, size: number) {
  const at = Number(url.searchParams.get('cursor') ?? 0);
  return Response.json({ items: all.slice(at, at + size), nextCursor: at + size < all.length ? String(at + size) : null });
}

interface Fault {
  /** Which requests (pathname + search) the fault hits. */
  match: RegExp;
  /** The matching request (1-based) that meets it. */
  nth: number;
  /** 401: the session ends there (every request answers 401 until signed in again); 500: once. */
  status: 401 | 500;
}

function fakePlatform(fault?: Fault) {
  let signedIn = true;
  let seen = 0;
  const requests: string[] = [];
  const fetchImpl = (async (input: string | URL) => {
    const url = new URL(String(input));
    const key = url.pathname + url.search;
    requests.push(key);
    const p = url.pathname.replace('/api/v1', '');
    if (p === '/me') return signedIn ? Response.json({ id: 'u', name: 'U', email: 'u@x' }) : Response.json({ error: 'unauthenticated' }, { status: 401 });
    if (fault && fault.match.test(key) && ++seen === fault.nth) {
      if (fault.status === 401) signedIn = false;
      else return Response.json({ error: 'oops', message: 'Server error' }, { status: 500 });
    }
    if (!signedIn) return Response.json({ error: 'unauthenticated', message: 'Session expired' }, { status: 401 });
    if (p === '/workflows/w') return Response.json(workflow);
    if (p === '/workflows/w/questions') return Response.json(questions);
    if (p === '/workflows/w/cases') return page(cases, url, 2);
    if (p === '/workflows/w/submissions') return page(submissions, url, 3);
    if (p === '/workflows/w/annotations') return page(annotations, url, 2);
    if (p === '/executions/e') return Response.json(execution);
    let m = /^\/executions\/e\/steps\/st(\d)\/output$/.exec(p);
    if (m) return new Response(`# Output ${m[1]}\n\nok`, { headers: { 'Content-Type': 'text/markdown' } });
    m = /^\/files\/(f\d)\/content$/.exec(p);
    if (m) {
      const c = cases.find((x) => x.files[0].uuid === m![1])!;
      const bytes = fileBytes(c.files[0].uuid, c.files[0].size);
      return new Response(bytes, {
        headers: { 'Content-Length': String(bytes.length), ETag: `"${c.id}"`, 'X-Checksum-Sha256': createHash('sha256').update(bytes).digest('hex') },
      });
    }
    return Response.json({ error: 'not_found', message: `no ${p}` }, { status: 404 });
  }) as unknown as typeof fetch;
  return {
    fetchImpl,
    requests,
    signIn: () => void (signedIn = true),
  };
}

const requests: Record<string, ExportRequest> = {
  'case-files': { kind: 'case-files', origin: ORIGIN, workflowId: 'w', orderId: 'o', template: '{{ CASE_ID }}/', parallel: 2 },
  csv: { kind: 'csv', origin: ORIGIN, workflowId: 'w', orderId: null, submissions: 'latest', layout: 'wide', bom: false },
  'annotated-case-files': { kind: 'annotated-case-files', origin: ORIGIN, workflowId: 'w', orderId: 'o', template: '', parallel: 2 },
  execution: { kind: 'execution', origin: ORIGIN, executionId: 'e', format: 'markdown', combine: false },
};

/** Runs one export against the fake; returns what it wrote (entries of a ZIP, or the CSV's text) and the pauses. */
async function run(request: ExportRequest, fault?: Fault) {
  const platform = fakePlatform(fault);
  const controller = new AbortController();
  const paused: boolean[] = [];
  let probes = 0;
  const gate = new SessionGate(
    async () => {
      // The user signs in again while the export waits (on the second look).
      if (++probes === 2) platform.signIn();
      return (await platform.fetchImpl(`${ORIGIN}/api/v1/me`)).ok;
    },
    (p) => paused.push(p),
    controller.signal,
    1,
  );
  const out = await exporterFor(request)(request, { fetch: platform.fetchImpl, signal: controller.signal, onProgress: () => {}, policy: fast, gate });
  const bytes = Buffer.from(await new Response(out.stream).arrayBuffer());
  const content =
    request.kind === 'csv'
      ? bytes.toString('utf8')
      : Object.fromEntries(
          [...(await unzipToMap(bytes))].map(([name, b]) => [
            name,
            // The report's rows come in the order the files finished (parallel): compared as a set.
            name === 'export-report.csv' ? b.toString('utf8').split('\r\n').sort() : createHash('sha256').update(b).digest('hex'),
          ]),
        );
  const failed = [...out.failed].sort((a, b) => (a.path + a.reason < b.path + b.reason ? -1 : 1));
  return { content, paused, failed, requests: platform.requests };
}

/** Each kind of request, the export that makes it, and which of its requests meets the fault. */
const kinds: { name: string; kind: keyof typeof requests; match: RegExp; nth: number }[] = [
  { name: 'workflow', kind: 'case-files', match: /^\/api\/v1\/workflows\/w$/, nth: 1 },
  { name: 'case listing (second page)', kind: 'case-files', match: /\/cases\?/, nth: 2 },
  { name: 'file content', kind: 'case-files', match: /\/files\/f3\/content/, nth: 1 },
  { name: 'questions', kind: 'csv', match: /\/questions$/, nth: 1 },
  { name: 'case listing of the CSV', kind: 'csv', match: /\/cases\?/, nth: 3 },
  { name: 'submissions, first pass', kind: 'csv', match: /\/submissions\?/, nth: 2 },
  { name: 'submissions, writing pass', kind: 'csv', match: /\/submissions\?/, nth: 5 },
  { name: 'annotations (second page)', kind: 'annotated-case-files', match: /\/annotations\?/, nth: 2 },
  { name: 'workflow of the annotated export', kind: 'annotated-case-files', match: /^\/api\/v1\/workflows\/w$/, nth: 1 },
  { name: 'execution (its steps)', kind: 'execution', match: /^\/api\/v1\/executions\/e$/, nth: 1 },
  { name: 'step output', kind: 'execution', match: /\/steps\/st2\/output$/, nth: 1 },
];

describe('every request pauses on a 401 and retries a 500', async () => {
  const clean = Object.fromEntries(await Promise.all(Object.entries(requests).map(async ([k, r]) => [k, await run(r)] as const)));

  it('clean runs neither pause nor fail', () => {
    for (const r of Object.values(clean)) {
      expect(r.paused).toEqual([]);
      expect(r.failed.filter((f) => !f.kept)).toEqual([]);
    }
  });

  for (const { name, kind, match, nth } of kinds) {
    it(`${name}: a 401 pauses the export, which resumes once signed in and ends as a clean run`, async () => {
      const r = await run(requests[kind], { match, nth, status: 401 });
      if (r.requests.filter((q) => match.test(q)).length < nth) throw new Error(`the fault never hit ${match}`);
      expect(r.paused).toEqual([true, false]);
      expect(r.content).toEqual(clean[kind].content);
      expect(r.failed).toEqual(clean[kind].failed);
    });

    it(`${name}: a 500 is retried and the export ends as a clean run`, async () => {
      const r = await run(requests[kind], { match, nth, status: 500 });
      expect(r.requests.filter((q) => match.test(q)).length).toBe(clean[kind].requests.filter((q) => match.test(q)).length + 1);
      expect(r.paused).toEqual([]);
      expect(r.content).toEqual(clean[kind].content);
      expect(r.failed).toEqual(clean[kind].failed);
    });
  }
});
