/**
 * Annotated case files (product spec 1b), in both browsers: the button follows the order selector;
 * the export of order "11" of workflow 1 is read back with yauzl, `annotations.json` is compared
 * with the platform's API, and every annotated image is decoded here (pngjs, jpeg-js) and compared
 * pixel by pixel with the original the platform serves: pixels fully covered by a shape's outline
 * have the shape's colour, pixels far from every shape and label are the original's. Non-images,
 * images no one annotated and the image that cannot be decoded are byte for byte the platform's.
 * In Firefox the images are drawn by the engine in the background page (OffscreenCanvas).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ROOT, readZip, apiClient } from '../e2e/harness';
import type { Annotation, Case, Page as ApiPage, Shape, Workflow } from '../../lib/platform';
import { parsePathTemplate } from '../../lib/pathTemplate';
import { planCaseFiles } from '../../lib/caseFilesPlan';
import { PathDeduper, annotatedCaseFilesArchiveName } from '../../lib/naming';
import { fontSizeFor, labelPalette, labelText, lineWidthFor, normalizeColor, rgbOf } from '../../lib/annotationPlan';
import { by, type Flow } from './driver';

const ORDER = '11';
const NEEDS_ORDER = 'Select a workflow order first: annotated case files cover one order.';

async function paged<T>(api: Awaited<ReturnType<typeof apiClient>>, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await api.fetch(`${path}${path.includes('?') ? '&' : '?'}limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json()) as ApiPage<T>;
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

interface Img {
  width: number;
  height: number;
  /** RGBA */
  data: Uint8Array;
}
const decode = (bytes: Buffer, type: 'png' | 'jpeg'): Img =>
  type === 'png' ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
const px = (img: Img, x: number, y: number) => {
  const o = (y * img.width + x) * 4;
  return [img.data[o], img.data[o + 1], img.data[o + 2]];
};
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

type Seg = { a: readonly [number, number]; b: readonly [number, number] };

/** The outline of a shape as segments (a point: none), and its disc when it is drawn as one. */
function geometry(s: Shape): { segs: Seg[]; disc: [number, number] | null } {
  const p = s.points;
  if (s.kind === 'point' || p.length === 1) return { segs: [], disc: [p[0][0], p[0][1]] };
  if (s.kind === 'box') {
    const xs = p.map((q) => q[0]);
    const ys = p.map((q) => q[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const c = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as const;
    return { segs: c.map((a, i) => ({ a, b: c[(i + 1) % 4] })), disc: null };
  }
  const segs: Seg[] = p.slice(1).map((b, i) => ({ a: p[i], b }));
  if (s.kind === 'polygon' && p.length > 2) segs.push({ a: p[p.length - 1], b: p[0] });
  return { segs, disc: null };
}

/** Distance from the centre of pixel (x, y) to a segment, the segment's unit normal, and where along it. */
function toSegment(x: number, y: number, { a, b }: Seg) {
  const cx = x + 0.5;
  const cy = y + 0.5;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  if (len === 0) return { d: Math.hypot(cx - a[0], cy - a[1]), along: 0, len, nx: 1, ny: 0 };
  const along = ((cx - a[0]) * dx + (cy - a[1]) * dy) / len;
  const t = Math.max(0, Math.min(len, along));
  const d = Math.hypot(cx - (a[0] + (dx * t) / len), cy - (a[1] + (dy * t) / len));
  return { d, along, len, nx: -dy / len, ny: dx / len };
}

/**
 * Where a shape's label can be, whatever the font's real width: a rectangle that holds the label
 * box for any text width from 0.3 em to 1.4 em per character (the plan places it above the top-left
 * corner or below the top edge, a point's right or left of the marker, clamped in the image).
 */
function labelRegion(s: Shape, W: number, H: number) {
  const text = labelText(s.label);
  if (!text) return null;
  const lw = lineWidthFor(W, H);
  const fs = fontSizeFor(W, H);
  const pad = Math.max(2, Math.round(fs * 0.25));
  const h = fs + 2 * pad;
  const wMax = Math.ceil([...text].length * fs * 1.4) + 2 * pad;
  const gap = Math.ceil(lw / 2) + 1;
  const xs = s.points.map((p) => p[0]);
  const ys = s.points.map((p) => p[1]);
  let x0: number, x1: number, y: number;
  if (s.kind === 'point' || s.points.length === 1) {
    const [px0, py0] = s.points[0];
    const r = lw * 3;
    x0 = Math.min(px0 - r - gap - wMax, W - wMax);
    x1 = Math.max(px0 + r + gap + wMax, wMax);
    y = py0 - h / 2;
  } else {
    const bx = Math.min(...xs);
    const by = Math.min(...ys);
    x0 = Math.min(bx, W - wMax);
    x1 = bx + wMax;
    y = by - h - gap < 0 ? by + gap : by - h - gap;
  }
  y = Math.max(0, Math.min(H - h, y));
  return { x0: Math.max(0, x0) - 2, x1: Math.min(W, x1) + 2, y0: y - 2, y1: y + h + 2 };
}

interface Check {
  outline: { ok: number; checked: number; worst: number; closer: number };
  far: { checked: number; worst: number; meanDiff: number };
}

/** Compares an annotated image with its original. */
function checkImage(out: Img, orig: Img, shapes: Shape[], colors: Map<string, string>, jpegMargin: number): Check {
  const W = orig.width;
  const H = orig.height;
  const lw = lineWidthFor(W, H);
  const radius = lw * 3;
  const geo = shapes.map(geometry);
  const regions = shapes.map((s) => labelRegion(s, W, H)).filter((r) => r !== null);
  const inLabel = (x: number, y: number, grow = 0) =>
    regions.some((r) => x + 1 > r.x0 - grow && x < r.x1 + grow && y + 1 > r.y0 - grow && y < r.y1 + grow);
  /** Whether shape j can touch pixel (x, y) (its stroke, disc or rim), with a margin. */
  const touches = (j: number, x: number, y: number, margin: number) =>
    geo[j].segs.some((sg) => toSegment(x, y, sg).d <= lw / 2 + margin) ||
    (geo[j].disc !== null && Math.hypot(x + 0.5 - geo[j].disc![0], y + 0.5 - geo[j].disc![1]) <= radius + 1 + margin);

  const outline = { ok: 0, checked: 0, worst: 0, closer: 0 };
  shapes.forEach((s, i) => {
    const color = rgbOf(normalizeColor(s.color) ?? colors.get(s.label)!);
    const candidates: [number, number][] = [];
    for (const sg of geo[i].segs) {
      const [minX, maxX] = [Math.floor(Math.min(sg.a[0], sg.b[0]) - lw), Math.ceil(Math.max(sg.a[0], sg.b[0]) + lw)];
      const [minY, maxY] = [Math.floor(Math.min(sg.a[1], sg.b[1]) - lw), Math.ceil(Math.max(sg.a[1], sg.b[1]) + lw)];
      for (let y = Math.max(0, minY); y <= Math.min(H - 1, maxY); y++)
        for (let x = Math.max(0, minX); x <= Math.min(W - 1, maxX); x++) {
          const t = toSegment(x, y, sg);
          // Fully covered by the stroke: the whole pixel square within half a line width, away from the ends.
          const fully = t.d + 0.5 * (Math.abs(t.nx) + Math.abs(t.ny)) <= lw / 2 - 0.02 && t.along >= 1.5 && t.along <= t.len - 1.5;
          if (fully) candidates.push([x, y]);
        }
    }
    if (geo[i].disc) {
      const [cx, cy] = geo[i].disc!;
      for (let y = Math.floor(cy - radius); y <= cy + radius; y++)
        for (let x = Math.floor(cx - radius); x <= cx + radius; x++)
          if (x >= 0 && y >= 0 && x < W && y < H && Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= radius - 2) candidates.push([x, y]);
    }
    for (const [x, y] of candidates) {
      if (inLabel(x, y)) continue;
      if (shapes.some((_, j) => j !== i && touches(j, x, y, 1.5))) continue;
      const got = px(out, x, y);
      const d = maxDiff(got, color);
      outline.checked++;
      outline.worst = Math.max(outline.worst, d);
      if (d <= 3) outline.ok++;
      if (dist(got, color) < dist(px(orig, x, y), color) / 2 || dist(got, color) < 40) outline.closer++;
    }
  });

  const far = { checked: 0, worst: 0, meanDiff: 0 };
  let sum = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (inLabel(x, y, 2 + jpegMargin)) continue;
      if (shapes.some((_, j) => touches(j, x, y, 3 + jpegMargin))) continue;
      const d = maxDiff(px(out, x, y), px(orig, x, y));
      far.checked++;
      far.worst = Math.max(far.worst, d);
      sum += d;
    }
  far.meanDiff = far.checked ? sum / far.checked : 0;
  return { outline, far };
}


const button = by('button', 'Export annotated case files');
const dialog = by('dialog', 'Export annotated case files');
const ORDER_SELECT = 'select#workflow-order-select';

export const flows: Flow[] = [
  {
    name: 'annotated case files need an order: the button says why until one is selected',
    async run(d) {
      await d.page.goto('/develop/workflows/1');
      await d.page.expectState(button, { enabled: false, description: NEEDS_ORDER });
      await d.page.cssSelect(ORDER_SELECT, ORDER);
      await d.page.expectState(button, { enabled: true });
      await d.page.click(button);
      await d.page.expectState(dialog, { count: 1 });
      // Clearing the order closes the dialog and turns the button off again.
      await d.page.cssSelect(ORDER_SELECT, '');
      await d.page.expectState(dialog, { count: 0 });
      await d.page.expectState(button, { enabled: false, description: NEEDS_ORDER });
      await d.page.cssSelect(ORDER_SELECT, ORDER);
      await d.page.expectState(button, { enabled: true });
      await d.page.expectState(by('dialog'), { count: 0 });
    },
  },
  {
    name: 'annotated case files: order 11 with the shapes drawn on its images and annotations.json',
    async run(d) {
      await d.page.goto('/develop/workflows/1');
      await d.page.cssSelect(ORDER_SELECT, ORDER);
      await d.page.click(button);
      await d.page.expectState(dialog, { count: 1 });
      const templateBox = by('textbox', 'Folder path template', dialog);
      await d.page.expectState(templateBox, { value: '' });
      const template = '{{ CASE_EXTERNAL_ID }}/{{ FILE_COUNT }}-{{ ORIGINAL_FILENAME }}';
      await d.page.fill(templateBox, template);
      await d.page.expectState(by('button', 'Download files', dialog), { enabled: true });
      assert.ok((await d.page.uiTexts('dialog .we-folder')).length > 0, 'the preview shows folders');
      if (d.browser === 'chromium') await d.page.screenshot(join(ROOT, 'docs/annotated-dialog.png'));

      const mark = await d.downloadMark();
      await d.page.click(by('button', 'Download files', dialog));
      const file = await d.nextDownload(mark, 120_000);
      await d.page.waitForText(by('status', undefined, dialog), 'Saved');

      // What the platform serves.
      const api = await apiClient();
      const workflow = (await (await api.fetch('/api/v1/workflows/1')).json()) as Workflow;
      const order = workflow.orders.find((o) => o.id === ORDER)!;
      const cases = await paged<Case>(api, `/api/v1/workflows/1/cases?order=${ORDER}`);
      const annotations = await paged<Annotation>(api, `/api/v1/workflows/1/annotations?order=${ORDER}`);
      const parsed = parsePathTemplate(template);
      if (!parsed.ok) throw new Error('bad template in test');
      const planned = [...planCaseFiles(parsed.template, workflow, order, cases, new PathDeduper())];
      const archiveName = annotatedCaseFilesArchiveName(workflow, order);
      assert.equal(file, join(d.downloads, archiveName));
      assert.match(archiveName, /_annotated-case-files\.zip$/);
      assert.deepEqual(readdirSync(d.downloads), [archiveName]);

      const entries = new Map((await readZip(file)).map((e) => [e.path, e.bytes]));
      assert.deepEqual([...entries.keys()].sort(), [...planned.map((p) => p.path), 'annotations.json', 'export-report.csv'].sort());

      // annotations.json: every file of the ZIP, keyed by its path there, the shapes as served.
      const json = JSON.parse(entries.get('annotations.json')!.toString('utf8')) as Record<string, { submissionId: string; shapes: Shape[] }[]>;
      const expectedJson = Object.fromEntries(
        planned.map((p) => [
          p.path,
          annotations.filter((a) => a.fileUuid === p.file.uuid).map((a) => ({ submissionId: a.submissionId, shapes: a.shapes })),
        ]),
      );
      assert.deepEqual(json, expectedJson);
      assert.ok(Object.values(json).some((list) => list.length === 0));
      assert.deepEqual(new Set(Object.values(json).flat().flatMap((a) => a.shapes.map((s) => s.kind))), new Set(['box', 'polygon', 'polyline', 'point']));

      const colors = labelPalette(annotations.flatMap((a) => a.shapes.map((s) => s.label)));
      const report = entries.get('export-report.csv')!.toString('utf8');
      let pngs = 0;
      let jpegs = 0;
      for (const p of planned) {
        const original = Buffer.from(await (await api.fetch(`/api/v1/files/${p.file.uuid}/content`)).arrayBuffer());
        const got = entries.get(p.path)!;
        const shapes = annotations.filter((a) => a.fileUuid === p.file.uuid).flatMap((a) => a.shapes);
        const image = p.file.contentType === 'image/png' ? 'png' : p.file.contentType === 'image/jpeg' ? 'jpeg' : null;
        const label = `${p.path} (${p.file.contentType}, ${shapes.length} shapes, ${d.browser})`;
        if (p.file.originalFilename === 'broken.png') {
          // Cannot be decoded: in unchanged, and listed in the report.
          assert.ok(shapes.length > 0, label);
          assert.ok(got.equals(original), label);
          assert.ok(report.includes(p.path), `${label} in the report`);
          assert.match(report, /could not decode image/);
          continue;
        }
        if (!image || shapes.length === 0) {
          assert.ok(got.equals(original), `${label} is byte for byte the original`);
          continue;
        }
        assert.ok(!got.equals(original), `${label} has been drawn on`);
        const out = decode(got, image);
        const orig = decode(original, image);
        assert.deepEqual([out.width, out.height], [orig.width, orig.height], label);
        // PNG stays PNG, JPEG stays JPEG.
        if (image === 'png') assert.deepEqual([...got.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
        else assert.deepEqual([...got.subarray(0, 3)], [0xff, 0xd8, 0xff]);
        const check = checkImage(out, orig, shapes, colors, image === 'jpeg' ? 12 : 0);
        console.log(label, JSON.stringify(check));
        assert.ok(check.outline.checked > 20, `${label}: outline pixels to check`);
        assert.ok(check.far.checked > orig.width * orig.height * 0.1, `${label}: far pixels to check`);
        if (image === 'png') {
          pngs++;
          // Lossless: every fully covered outline pixel is the shape's colour, every far pixel the original's.
          assert.equal(check.outline.ok, check.outline.checked, `${label}: outline pixels of the shape's colour`);
          assert.equal(check.far.worst, 0, `${label}: far pixels unchanged`);
        } else {
          jpegs++;
          // Lossy (re-encoded at 0.92, chroma subsampled): outline pixels move toward the shape's
          // colour, far pixels stay within JPEG noise of the original.
          assert.ok(check.outline.closer / check.outline.checked > 0.9, `${label}: outline toward the shape's colour`);
          assert.ok(check.far.meanDiff < 3, `${label}: far pixels mean difference`);
          assert.ok(check.far.worst < 40, `${label}: far pixels worst difference`);
        }
      }
      assert.ok(pngs >= 2, 'PNGs drawn on');
      assert.ok(jpegs >= 1, 'JPEGs drawn on');
      // The report lists only the image that could not be decoded.
      assert.equal(report.trim().split(/\r\n/).length, 2);
    },
  },
];
