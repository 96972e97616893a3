/**
 * Workflow 4 of the reference platform, "Formats workflow" (issue 15): one case per image format
 * annotated exports draw on (PNG, APNG, JPEG, WebP, animated WebP, GIF, animated GIF, BMP, AVIF, ICO) plus an SVG
 * with a script in it (never drawn), each a solid grey image (tests/site/imageFixtures.ts) with
 * fixed shapes (`formatShapes`) whose colours take every CSS form the platform may give, and a
 * case whose text file would land on an image's YOLO label path. Order "41" holds every case.
 */
import type { Annotation, Shape, Submission } from '../../lib/platform';
import type { SiteCase, SiteFile, SiteWorkflow } from './data.ts';
import { IMAGE_FIXTURES, type ImageFixture } from './imageFixtures.ts';

export const FORMATS_WORKFLOW_ID = '4';
export const FORMATS_ORDER_ID = '41';

/** Colours in every CSS form (point 2 of the issue), with the colour each must be drawn in. */
export const COLOR_FORMS: { color: string | null; rgba: [number, number, number, number] | null }[] = [
  { color: '#f00', rgba: [255, 0, 0, 1] },
  { color: '#00f8', rgba: [0, 0, 255, 0x88 / 255] },
  { color: '#00ff00', rgba: [0, 255, 0, 1] },
  { color: '#ff00ff80', rgba: [255, 0, 255, 0x80 / 255] },
  { color: 'rgb(0, 0, 255)', rgba: [0, 0, 255, 1] },
  { color: 'rgba(255, 0, 0, 0.5)', rgba: [255, 0, 0, 0.5] },
  { color: 'hsl(60, 100%, 50%)', rgba: [255, 255, 0, 1] },
  { color: 'hsla(180, 100%, 50%, 0.5)', rgba: [0, 255, 255, 0.5] },
  { color: 'orange', rgba: [255, 165, 0, 1] },
  { color: 'RebeccaPurple', rgba: [0x66, 0x33, 0x99, 1] },
  /** Invalid or missing: the label's palette colour. */
  { color: 'not-a-colour', rgba: null },
  { color: null, rgba: null },
];

type Format = ImageFixture | 'bmp' | 'svg';
export const FORMAT_CASES: { format: Format; filename: string; contentType: string }[] = [
  { format: 'png', filename: 'plain.png', contentType: 'image/png' },
  { format: 'apng', filename: 'moving.png', contentType: 'image/apng' },
  { format: 'jpeg', filename: 'photo.jpg', contentType: 'image/jpeg' },
  { format: 'webp', filename: 'still.webp', contentType: 'image/webp' },
  { format: 'webp-animated', filename: 'moving.webp', contentType: 'image/webp' },
  { format: 'gif', filename: 'still.gif', contentType: 'image/gif' },
  { format: 'gif-animated', filename: 'moving.gif', contentType: 'image/gif' },
  { format: 'bmp', filename: 'scan.bmp', contentType: 'image/bmp' },
  { format: 'avif', filename: 'photo.avif', contentType: 'image/avif' },
  { format: 'ico', filename: 'icon.ico', contentType: 'image/x-icon' },
  { format: 'svg', filename: 'drawing.svg', contentType: 'image/svg+xml' },
];

export const SVG_TEXT =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><script>document.title = "ran"</script><rect width="120" height="80" fill="#808080"/></svg>\n';

export const formatSize = (_f: Format): [number, number] => [120, 80];

/**
 * The shapes of case `i` on an image of `w` × `h`: submission 0 draws a box, a polygon, a polyline
 * and a point (colours from {@link COLOR_FORMS}, two per case so every form is drawn); submission
 * 1 a box over the bottom-right edge (clipped) and one wholly outside (left out of label files).
 */
export function formatShapes(i: number, w: number, h: number): Shape[][] {
  const X = (v: number) => Math.round((v / 120) * w);
  const Y = (v: number) => Math.round((v / 80) * h);
  const c = (k: number) => COLOR_FORMS[(2 * i + k) % COLOR_FORMS.length].color;
  return [
    [
      { kind: 'box', points: [[X(50), Y(40)], [X(10), Y(10)]], label: 'nodule', color: c(0) },
      { kind: 'polygon', points: [[X(70), Y(10)], [X(110), Y(10)], [X(110), Y(45)], [X(85), Y(45)]], label: 'mass', color: c(1) },
      { kind: 'polyline', points: [[X(10), Y(62)], [X(60), Y(70)]], label: 'line', color: '#3cb44b' },
      { kind: 'point', points: [[X(80), Y(62)]], label: 'dot', color: 'hsl(240, 100%, 50%)' },
    ],
    [
      // No label: drawn without one, "unlabelled" in the label files.
      { kind: 'box', points: [[X(100), Y(52)], [w + 40, h + 20]], label: '', color: null },
      { kind: 'box', points: [[w + 10, h + 10], [w + 30, h + 30]], label: 'far', color: '#000' },
    ],
  ];
}

export function buildFormatsWorkflow(opts: { uuid: (...parts: (number | string)[]) => string; iso: (ms: number) => string; start: number }): { workflow: SiteWorkflow; files: SiteFile[] } {
  const wid = FORMATS_WORKFLOW_ID;
  const readers = [
    { id: 'u-401', name: 'Rosalind Franklin' },
    { id: 'u-402', name: 'Marie Curie' },
  ];
  const files: SiteFile[] = [];
  const cases: SiteCase[] = FORMAT_CASES.map((fc, i) => {
    const caseId = opts.uuid('formats-case', i);
    const file: SiteFile = {
      uuid: opts.uuid('formats-file', i),
      originalFilename: fc.filename,
      contentType: fc.contentType,
      createdAt: opts.iso(opts.start + i * 60_000),
      workflowId: wid,
      caseId,
      content:
        fc.format === 'svg'
          ? { kind: 'text', text: SVG_TEXT }
          : fc.format === 'bmp'
            ? { kind: 'fixture', name: 'bmp' }
            : { kind: 'fixture', name: fc.format },
    };
    const extra: SiteFile[] =
      i === 0
        ? [{ uuid: opts.uuid('formats-file', i, 'txt'), originalFilename: 'plain.txt', contentType: 'text/plain', createdAt: file.createdAt, workflowId: wid, caseId, content: { kind: 'text', text: 'A note whose name is the label path of plain.png.\n' } }]
        : [];
    files.push(file, ...extra);
    return { id: caseId, shortId: `F${i + 1}`, externalId: `FMT-${String(i + 1).padStart(2, '0')}-${fc.format}`, entityExternalId: null, orderId: FORMATS_ORDER_ID, metadata: { format: fc.format }, files: [file, ...extra] };
  });
  const submissions: Submission[][] = cases.map((c, i) =>
    readers.map((reader, j) => ({ id: opts.uuid('formats-sub', i, j), caseId: c.id, reader, status: 'submitted', submittedAt: opts.iso(opts.start + i * 60_000 + j * 1000), answers: {} })),
  );
  const annotations: Annotation[][] = cases.map((c, i) => {
    const [w, h] = formatSize(FORMAT_CASES[i].format);
    return formatShapes(i, w, h).map((shapes, j) => ({ fileUuid: c.files[0].uuid, submissionId: submissions[i][j].id, shapes }));
  });
  const all = { length: cases.length, at: (i: number) => i };
  return {
    files,
    workflow: {
      id: wid,
      name: 'Formats workflow',
      orders: [{ id: FORMATS_ORDER_ID, name: 'Every format' }],
      questions: [],
      deniedUserIds: [],
      caseCount: cases.length,
      caseAt: (i) => cases[i],
      casesOfOrder: (o) => (o === null || o === FORMATS_ORDER_ID ? all : undefined),
      submissionsOf: (i) => submissions[i],
      annotationsOf: (i) => annotations[i],
      executions: [],
    },
  };
}

export const fixtureBytes = (name: string): Uint8Array | undefined =>
  Object.prototype.hasOwnProperty.call(IMAGE_FIXTURES, name) ? IMAGE_FIXTURES[name as ImageFixture] : undefined;
