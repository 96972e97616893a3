/**
 * Rule "served data in the contract's types" (lib/servedData.ts): whatever type each field of the
 * platform's answers has, the exporters get the contract's types, and the exports complete with
 * the wrong-typed value shown as text, or stop with a clear ServedDataError. Then the exporters
 * themselves, end to end through PlatformClient, on answers whose every field is hostile.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { ServedDataError, servedAnnotation, servedCase, servedExecution, servedSubmission, servedText, servedWorkflow } from '../../lib/servedData';
import { exportCsv } from '../../workers/csv';
import { exportExecution } from '../../workers/execution';
import { listPlannedFiles } from '../../workers/caseFiles';
import { PlatformClient } from '../../lib/platform';
import type { CaseFilesRequest, CsvRequest } from '../../lib/jobs';
import { unzipToMap } from '../zipReader';
import { jsonText } from '../../lib/jsonText';

/** `{"toString":0}`: valid JSON on which String() and template literals throw. */
const NO_TO_STRING = JSON.parse('{"toString":0}') as unknown;
const DEEP = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(NO_TO_STRING, DEEP, 1e308, -1e308, -1, 0.5, '', '../..', 'a/b\\c\u0000', '\ud800', null, undefined, [], {}, [NO_TO_STRING], { a: DEEP }),
);

const isText = (v: unknown) => typeof v === 'string';
const isTextOrNull = (v: unknown) => v === null || typeof v === 'string';
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `base` with each field in `over` replaced (fast-check picks which and with what). */
const withFields = (base: Record<string, unknown>) => fc.dictionary(fc.constantFrom(...Object.keys(base)), hostile).map((over) => ({ ...base, ...over }));
/** Normalises, or throws ServedDataError (nothing else). */
const normalised = <T>(fn: () => T): T | null => {
  try {
    return fn();
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(ServedDataError);
    return null;
  }
};

const FILE = { uuid: 'f1', originalFilename: 'a.png', contentType: 'image/png', size: 3, createdAt: '2024-01-01T00:00:00Z' };
const CASE = { id: 'c1', shortId: 'S-1', externalId: 'E', entityExternalId: null, orderId: 'o1', metadata: { k: 1 }, files: [FILE] };
const SUBMISSION = { id: 's1', caseId: 'c1', reader: { id: 'r1', name: 'R' }, status: 'submitted', submittedAt: '2024-01-01T00:00:00Z', answers: { q: 'x' } };
const STEP = { id: 'st1', name: 'Step', status: 'success', iteration: 1, startedAt: '2024-01-01T00:00:00Z', finishedAt: '2024-01-01T00:01:00Z', outputSize: 3 };
const EXECUTION = { id: 'e1', workflow: { id: 'w', name: 'W' }, status: 'success', startedAt: '2024-01-01T00:00:00Z', finishedAt: '2024-01-01T01:00:00Z', steps: [STEP] };

describe('served data in the contract’s types', () => {
  it('servedText: strings as they are, numbers and booleans as their text, null as empty, anything else as its JSON, at any depth', () => {
    expect(servedText('a')).toBe('a');
    expect(servedText(1006)).toBe('1006');
    expect(servedText(false)).toBe('false');
    expect(servedText(null)).toBe('');
    expect(servedText(NO_TO_STRING)).toBe('{"toString":0}');
    expect(servedText(DEEP)).toHaveLength(200_000);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(typeof servedText(v)).toBe('string');
      }),
    );
  });

  it('property: a case, any of its fields (and its file’s) of any type: text fields are text, sizes whole numbers, or a clear error', () => {
    fc.assert(
      fc.property(withFields(CASE), withFields(FILE), (c, f) => {
        const got = normalised(() => servedCase({ ...c, files: Array.isArray(c.files) && c.files.length ? [f] : c.files }));
        if (!got) return;
        expect([got.id, got.shortId].every(isText)).toBe(true);
        expect([got.externalId, got.entityExternalId, got.orderId].every(isTextOrNull)).toBe(true);
        for (const v of Object.values(got.metadata)) expect(v === null || ['string', 'number', 'boolean'].includes(typeof v)).toBe(true);
        for (const file of got.files) {
          expect([file.uuid, file.originalFilename, file.contentType, file.createdAt].every(isText)).toBe(true);
          expect(isCount(file.size)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('property: a submission, an annotation, an execution and its step, a workflow, with any field of any type', () => {
    fc.assert(
      fc.property(withFields(SUBMISSION), withFields({ fileUuid: 'f1', submissionId: 's1', shapes: [] }), withFields(EXECUTION), withFields(STEP), withFields({ id: 'w', name: 'W', orders: [] }), (s, a, e, st, w) => {
        const sub = normalised(() => servedSubmission(s));
        if (sub) expect([sub.id, sub.caseId, sub.reader.id, sub.reader.name, sub.status].every(isText) && isTextOrNull(sub.submittedAt) && typeof sub.answers === 'object').toBe(true);
        const ann = normalised(() => servedAnnotation(a));
        if (ann) expect(isText(ann.fileUuid) && isText(ann.submissionId) && Array.isArray(ann.shapes)).toBe(true);
        const ex = normalised(() => servedExecution({ ...e, steps: Array.isArray(e.steps) && e.steps.length ? [st] : e.steps }));
        if (ex) {
          expect([ex.id, ex.workflow.id, ex.workflow.name, ex.status, ex.startedAt].every(isText) && isTextOrNull(ex.finishedAt)).toBe(true);
          for (const step of ex.steps) {
            expect([step.id, step.name, step.status, step.startedAt].every(isText) && isTextOrNull(step.finishedAt)).toBe(true);
            expect(isCount(step.outputSize) && step.iteration >= 1 && isCount(step.iteration)).toBe(true);
          }
        }
        const wf = normalised(() => servedWorkflow(w));
        if (wf) expect(isText(wf.id) && isText(wf.name) && wf.orders.every((o) => isText(o.id) && isText(o.name))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('a list item that is not an object, or files that are not a list, stop with a message saying what', () => {
    expect(() => servedCase(42)).toThrow(new ServedDataError('The platform answered a case that is not an object (a number).'));
    expect(() => servedCase({ ...CASE, files: 'x' })).toThrow('The platform answered the files of case c1 that is not a list (a string).');
    expect(() => servedCase({ ...CASE, files: [FILE, null] })).toThrow('The platform answered file 2 of case c1 that is not an object (null).');
    expect(servedCase({ ...CASE, files: undefined }).files).toEqual([]);
  });
});

/** A fake platform answering JSON per path (`/api/v1/…` → body); anything else 404. */
function platform(answers: Record<string, unknown>) {
  return (async (input: string) => {
    const url = new URL(input);
    const body = answers[url.pathname];
    if (body === undefined) return new Response('{}', { status: 404 });
    // jsonText: JSON.stringify cannot write the deep values.
    return new Response(typeof body === 'string' ? body : jsonText(body), { headers: { 'Content-Type': 'application/json' } });
  }) as unknown as typeof fetch;
}
const ctx = (fetchImpl: typeof fetch) => ({ fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => undefined, policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

describe('the exporters on answers whose every field has a wrong type', () => {
  const workflow = { id: '7', name: NO_TO_STRING, orders: [{ id: 'o1', name: 42 }] };
  const cases = [{ id: 1, shortId: { a: DEEP }, externalId: 12, entityExternalId: ['x'], orderId: 'o1', metadata: 'abc', files: [{ uuid: 'f1', originalFilename: 5, contentType: 7, size: 'big', createdAt: NO_TO_STRING }] }];
  const submissions = [{ id: 9, caseId: 1, reader: 'r', status: 'submitted', submittedAt: 1e308, answers: { q1: [NO_TO_STRING, DEEP], q2: { deep: DEEP } } }];
  const fetchImpl = platform({
    '/api/v1/workflows/7': workflow,
    '/api/v1/workflows/7/questions': [{ key: 'q1', label: NO_TO_STRING, type: 'multichoice' }, { key: 'q2', label: 2, type: 'text' }],
    '/api/v1/workflows/7/cases': { items: cases, nextCursor: null },
    '/api/v1/workflows/7/submissions': { items: submissions, nextCursor: null },
  });

  it('the CSV completes, every value shown as text (JSON for objects), and parses', async () => {
    for (const layout of ['long', 'wide'] as const)
      for (const submissionsOption of ['all', 'latest'] as const) {
        const request: CsvRequest = { kind: 'csv', origin: 'http://platform.test', workflowId: '7', orderId: null, submissions: submissionsOption, layout, bom: false };
        const out = await exportCsv(request, ctx(fetchImpl));
        const rows = parse(await new Response(out.stream).text()) as string[][];
        expect(rows, `${layout}/${submissionsOption}`).toHaveLength(2);
        const cells = rows[1].join('\n');
        expect(cells).toContain('{"toString":0}');
        expect(cells).toContain('{"deep":[[[[');
        expect(cells).not.toContain('[object Object]');
      }
  });

  it('case files: the planned path is made of the values’ text, never "[object Object]"', async () => {
    const request = { kind: 'case-files', origin: 'http://platform.test', workflowId: '7', orderId: 'o1', template: '{{ CASE_ID }}/{{ CASE_EXTERNAL_ID }}/{{ FILENAME }}' } as CaseFilesRequest;
    const planned = [];
    for await (const p of listPlannedFiles(new PlatformClient({ origin: 'http://platform.test', fetch: fetchImpl }), request, (await new PlatformClient({ origin: 'http://platform.test', fetch: fetchImpl }).workflow('7')), () => undefined)) planned.push(p);
    // CASE_EXTERNAL_ID is the entity's external id first (`["x"]`); FILENAME is built from the names (the workflow's `{"toString":0}`, the order's 42).
    expect(planned.map((p) => p.path)).toEqual(['1/[_x_]/0000000[_x_]_{_toString__0}-42_1']);
    expect(planned[0].file.size).toBe(0);
  });

  it('an execution whose steps have every field wrong exports, its files named from the values’ text', async () => {
    const execution = { id: 'e1', workflow: NO_TO_STRING, status: 'success', startedAt: 'y'.repeat(250), finishedAt: undefined, steps: [{ id: 's1', name: { n: 1 }, status: 3, iteration: 'two', startedAt: 5, outputSize: '12' }] };
    const out = await exportExecution(
      { kind: 'execution', origin: 'http://platform.test', executionId: 'e1', format: 'html', combine: false },
      ctx(platform({ '/api/v1/executions/e1': execution, '/api/v1/executions/e1/steps/s1/output': '# out\n' })),
    );
    expect(Buffer.byteLength(out.filename)).toBeLessThanOrEqual(200);
    expect(out.filename.endsWith('_e1.zip')).toBe(true);
    const files = await unzipToMap(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect([...files.keys()].filter((n) => n.endsWith('.html'))).toEqual(['{_n__1}_3.html']);
    expect(out.failed).toEqual([]);
  });
});
