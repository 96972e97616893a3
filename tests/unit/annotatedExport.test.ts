import { createHash } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { exportAnnotatedCaseFiles } from '../../workers/annotatedCaseFiles';
import { exporterFor } from '../../workers/exporters';
import { annotatedOptionsFrom, labelFileOptionsFrom } from '../../lib/annotatedOptions';
import type { Annotation, Case, Submission, Workflow } from '../../lib/platform';
import type { AnnotatedCaseFilesRequest, CaseFilesRequest } from '../../lib/jobs';
import { allImageFixtures } from '../site/imageFixtures';
import { unzipToMap as unzip } from '../zipReader';

const workflow: Workflow = { id: 'w', name: 'Derm', orders: [{ id: 'o', name: 'Batch' }] };
const fixtures = allImageFixtures();
const F = (uuid: string, originalFilename: string, contentType: string, bytes: Uint8Array) => ({ uuid, originalFilename, contentType, size: bytes.length, createdAt: '2025-01-02T03:04:05Z', bytes });
const files = [
  F('g', 'anim.gif', 'image/gif', fixtures['gif-animated']),
  F('t', 'anim.txt', 'text/plain', new TextEncoder().encode('mine\n')),
  F('b', 'scan.bmp', 'image/bmp', fixtures.bmp),
  F('n', 'empty.png', 'image/png', fixtures.png),
  F('s', 'drawing.svg', 'image/svg+xml', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')),
  F('p', 'report.pdf', 'application/pdf', new TextEncoder().encode('%PDF-1.4\n')),
];
const cases: Case[] = [
  { id: 'c1', shortId: 'S1', externalId: 'E1', entityExternalId: null, orderId: 'o', metadata: {}, files: files.slice(0, 2).map(({ bytes: _, ...f }) => f) },
  { id: 'c2', shortId: 'S2', externalId: 'E2', entityExternalId: null, orderId: 'o', metadata: {}, files: files.slice(2).map(({ bytes: _, ...f }) => f) },
];
const submissions: Submission[] = [
  { id: 'sub1', caseId: 'c1', reader: { id: 'u1', name: 'Ada' }, status: 'submitted', submittedAt: null, answers: {} },
  { id: 'sub2', caseId: 'c2', reader: { id: 'u2', name: 'Grace' }, status: 'submitted', submittedAt: null, answers: {} },
];
const annotations: Annotation[] = [
  { fileUuid: 'g', submissionId: 'sub1', shapes: [{ kind: 'box', points: [[60, 40], [0, 0]], label: 'lesion', color: 'rgb(1, 2, 3)' }, { kind: 'point', points: [[5, 5]], label: 'dot', color: null }] },
  { fileUuid: 'b', submissionId: 'sub2', shapes: [{ kind: 'polygon', points: [[0, 0], [120, 0], [120, 80]], label: 'lesion', color: null }, { kind: 'box', points: [[500, 500], [600, 600]], label: 'far', color: null }] },
  { fileUuid: 's', submissionId: 'sub2', shapes: [{ kind: 'box', points: [[0, 0], [1, 1]], label: 'lesion', color: null }] },
  { fileUuid: 'p', submissionId: 'sub2', shapes: [{ kind: 'box', points: [[0, 0], [1, 1]], label: 'lesion', color: null }] },
];

const fetchImpl = (async (input: string) => {
  const url = new URL(input);
  const page = <T>(items: T[]) => Response.json({ items, nextCursor: null });
  if (url.pathname === '/api/v1/workflows/w') return Response.json(workflow);
  if (url.pathname === '/api/v1/workflows/w/cases') return page(cases);
  if (url.pathname === '/api/v1/workflows/w/annotations') return page(url.searchParams.get('order') === 'o' ? annotations : []);
  if (url.pathname === '/api/v1/workflows/w/submissions') return page(submissions);
  const m = /^\/api\/v1\/files\/([^/]+)\/content$/.exec(url.pathname);
  const f = m && files.find((x) => x.uuid === m[1]);
  if (f) return new Response(f.bytes as BlobPart, { headers: { 'X-Checksum-Sha256': createHash('sha256').update(f.bytes).digest('hex') } });
  return new Response('no', { status: 500 });
}) as unknown as typeof fetch;

const ctx = () => ({ fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => {} });
const TEMPLATE = '{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}';

describe('annotated export with label files (the pipeline in Node, sizes from a stubbed decoder)', () => {
  // Node has no image decoder: every raster image "decodes" as 120 × 80 (the fixtures' size); an SVG is never decoded.
  const decode = vi.fn(async () => ({ width: 120, height: 80, close: () => {} }));
  vi.stubGlobal('createImageBitmap', decode);
  afterEach(() => decode.mockClear());
  afterAll(() => vi.unstubAllGlobals());

  it('original images: files byte for byte, COCO and YOLO from the shapes, label paths beside the images', async () => {
    const request: AnnotatedCaseFilesRequest = { kind: 'annotated-case-files', origin: 'http://p', workflowId: 'w', orderId: 'o', template: TEMPLATE, images: 'original', labels: { coco: true, yolo: true } };
    const out = await exportAnnotatedCaseFiles(request, ctx());
    const zip = await unzip(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect([...zip.keys()].sort()).toEqual(
      ['E1/anim.gif', 'E1/anim.txt', 'E1/anim (2).txt', 'E2/scan.bmp', 'E2/scan.txt', 'E2/empty.png', 'E2/empty.txt', 'E2/drawing.svg', 'E2/report.pdf',
        'annotations.json', 'annotations.coco.json', 'classes.txt', 'data.yaml', 'export-report.csv'].sort(),
    );
    for (const f of files) {
      const path = `${f.uuid === 'g' || f.uuid === 't' ? 'E1' : 'E2'}/${f.uuid === 't' ? 'anim (2).txt' : f.originalFilename}`;
      expect(zip.get(path), path).toEqual(Buffer.from(f.bytes));
    }
    expect(decode).toHaveBeenCalledTimes(3); // the GIF, the BMP, the PNG without shapes
    const coco = JSON.parse(zip.get('annotations.coco.json')!.toString());
    expect(coco.images.map((i: { file_name: string }) => i.file_name)).toEqual(['E1/anim.gif', 'E2/scan.bmp', 'E2/empty.png']);
    expect(coco.categories.map((c: { name: string }) => c.name)).toEqual(['lesion', 'dot']);
    expect(coco.annotations).toHaveLength(3);
    expect(coco.annotations[0]).toMatchObject({ image_id: 1, category_id: 1, bbox: [0, 0, 60, 40], attributes: { color: 'rgb(1, 2, 3)', reader_name: 'Ada', submission_id: 'sub1' } });
    expect(coco.annotations[2]).toMatchObject({ image_id: 2, category_id: 1, bbox: [0, 0, 120, 80], attributes: { reader_id: 'u2' } });
    expect(zip.get('E1/anim.txt')!.toString()).toBe('0 0.250000 0.250000 0.500000 0.500000\n');
    expect(zip.get('E2/scan.txt')!.toString()).toBe('0 0.500000 0.500000 1.000000 1.000000\n');
    expect(zip.get('E2/empty.txt')!.toString()).toBe('');
    expect(zip.get('classes.txt')!.toString()).toBe('lesion\ndot\n');
    const report = zip.get('export-report.csv')!.toString();
    expect(report).toContain('"E1/anim.gif","c1","g","YOLO labels: 1 point not written');
    expect(report).toContain('"E2/scan.bmp","c2","b","1 shape wholly outside the image left out of the label files"');
    expect(report).toContain('"E2/drawing.svg","c2","s","not in the label files: an SVG image"');
    expect(report).toContain('"E2/report.pdf","c2","p","not in the label files: not an image the browser decodes"');
    expect(out.failed.every((f) => f.kept)).toBe(true);
  });

  it('the plain case-files export of an order adds label files (no annotations.json); without labels it is unchanged', async () => {
    const request: CaseFilesRequest = { kind: 'case-files', origin: 'http://p', workflowId: 'w', orderId: 'o', template: TEMPLATE, labels: { coco: false, yolo: true } };
    const out = await exporterFor(request)(request, ctx());
    expect(out.filename).toBe('Derm-Batch_case-files.zip');
    const zip = await unzip(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect(zip.has('annotations.json')).toBe(false);
    expect(zip.has('annotations.coco.json')).toBe(false);
    expect(zip.get('data.yaml')!.toString()).toBe('path: .\ntrain: .\nval: .\nnc: 2\nnames:\n  0: "lesion"\n  1: "dot"\n');
    expect(zip.has('E1/anim (2).txt')).toBe(true);
    const plain: CaseFilesRequest = { ...request, labels: { coco: false, yolo: false } };
    const zip2 = await unzip(Buffer.from(await new Response((await exporterFor(plain)(plain, ctx())).stream).arrayBuffer()));
    expect([...zip2.keys()].sort()).toEqual(['E1/anim.gif', 'E1/anim.txt', 'E2/drawing.svg', 'E2/empty.png', 'E2/report.pdf', 'E2/scan.bmp']);
  });

  it('a user file on a reserved root name is the one renamed', async () => {
    const request: AnnotatedCaseFilesRequest = { kind: 'annotated-case-files', origin: 'http://p', workflowId: 'w', orderId: 'o', template: '{{ ORIGINAL_FILENAME }}', images: 'original', labels: { coco: true, yolo: false } };
    const saved = files[1].originalFilename;
    cases[0].files[1].originalFilename = 'annotations.coco.json';
    try {
      const zip = await unzip(Buffer.from(await new Response((await exportAnnotatedCaseFiles(request, ctx())).stream).arrayBuffer()));
      const renamed = [...zip.keys()].filter((k) => k !== 'annotations.coco.json' && k.startsWith('annotations'));
      expect(renamed.map((k) => zip.get(k)!.toString())).toContain('mine\n');
      expect(renamed).toContain('annotations.coco (2).json');
      expect(JSON.parse(zip.get('annotations.coco.json')!.toString()).images).toHaveLength(3);
    } finally {
      cases[0].files[1].originalFilename = saved;
    }
  });
});

describe('the choices, as they arrive from a page or from storage', () => {
  it('only the allowed values count; anything else is the default', () => {
    expect(annotatedOptionsFrom(undefined)).toEqual({ images: 'drawn', labels: { coco: false, yolo: false } });
    expect(annotatedOptionsFrom({ images: 'original', labels: { coco: true, yolo: 'yes' } })).toEqual({ images: 'original', labels: { coco: true, yolo: false } });
    expect(annotatedOptionsFrom({ images: 'ORIGINAL', labels: [] })).toEqual({ images: 'drawn', labels: { coco: false, yolo: false } });
    expect(labelFileOptionsFrom(JSON.parse('{"__proto__": {"coco": true}}'))).toEqual({ coco: false, yolo: false });
  });
});
