/**
 * Issue 15 end to end in Chromium, against workflow 4 of the reference platform (tests/site/formats.ts):
 * every image format drawn on (pixels on the outlines in the shape's CSS colour, of every form,
 * alpha blended; pixels away from the shapes unchanged), written in its own format or as PNG
 * (renamed `.png`), the SVG unchanged and reported; COCO and YOLO label files checked against what
 * the platform serves; original images; the plain case-files export with label files; the
 * dialog's controls by their exact names, remembered.
 */
import { join } from 'node:path';
import { test, expect, ORIGIN, ROOT, exporterUi, readZip, waitForDownload, apiClient } from './harness';
import type { Page } from '@playwright/test';
import type { Annotation, Case, Page as ApiPage, Shape, Submission } from '../../lib/platform';
import { labelPalette, rgbOf } from '../../lib/annotationPlan';
import { COLOR_FORMS, FORMAT_CASES, FORMATS_ORDER_ID, FORMATS_WORKFLOW_ID } from '../site/formats';

const TEMPLATE = '{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}';
const BG = [128, 128, 128];
const ANNOTATED = 'Export annotated case files';
const PLAIN = 'Export case files';

/** Written name of each format's file when drawn on (the rest are PNG, renamed). */
const DRAWN_NAME: Record<string, string> = {
  png: 'plain.png', apng: 'moving.png', jpeg: 'photo.jpg', webp: 'still.webp', gif: 'still.png', 'gif-animated': 'moving.png',
  bmp: 'scan.png', avif: 'photo.png', ico: 'icon.png', svg: 'drawing.svg',
};

async function paged<T>(path: string): Promise<T[]> {
  const api = await apiClient();
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await api.fetch(`${path}${path.includes('?') ? '&' : '?'}limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json()) as ApiPage<T>;
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function served() {
  const api = await apiClient();
  const cases = await paged<Case>(`/api/v1/workflows/${FORMATS_WORKFLOW_ID}/cases?order=${FORMATS_ORDER_ID}`);
  const annotations = await paged<Annotation>(`/api/v1/workflows/${FORMATS_WORKFLOW_ID}/annotations?order=${FORMATS_ORDER_ID}`);
  const submissions = await paged<Submission>(`/api/v1/workflows/${FORMATS_WORKFLOW_ID}/submissions?order=${FORMATS_ORDER_ID}`);
  const original = async (uuid: string) => Buffer.from(await (await api.fetch(`/api/v1/files/${uuid}/content`)).arrayBuffer());
  return { cases, annotations, submissions, original };
}

async function openDialog(page: Page, name: string) {
  await page.goto(`${ORIGIN}/develop/workflows/${FORMATS_WORKFLOW_ID}`);
  await page.locator('select#workflow-order-select').selectOption(FORMATS_ORDER_ID);
  await exporterUi(page).getByRole('button', { name, exact: true }).click();
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  return dialog;
}

const controls = (dialog: ReturnType<Page['getByRole']>) => ({
  drawn: dialog.getByRole('radiogroup', { name: 'Images' }).getByRole('radio', { name: 'Shapes drawn on the images', exact: true }),
  original: dialog.getByRole('radiogroup', { name: 'Images' }).getByRole('radio', { name: 'Original images', exact: true }),
  coco: dialog.getByRole('group', { name: 'Label files' }).getByRole('checkbox', { name: 'COCO JSON', exact: true }),
  yolo: dialog.getByRole('group', { name: 'Label files' }).getByRole('checkbox', { name: 'YOLO labels', exact: true }),
});

async function download(page: Page, dialog: ReturnType<Page['getByRole']>, sw: Parameters<typeof waitForDownload>[0]) {
  await dialog.getByRole('textbox', { name: 'Folder path template' }).fill(TEMPLATE);
  await dialog.getByRole('button', { name: 'Download files' }).click();
  const item = await waitForDownload(sw, { timeout: 120_000 });
  expect(item.state).toBe('complete');
  return new Map((await readZip(item.filename)).map((e) => [e.path, e.bytes]));
}

/** Pixels of an image decoded by the browser itself (every format). */
async function pixels(page: Page, bytes: Buffer, points: [number, number][]) {
  return page.evaluate(
    async ({ b64, points }) => {
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]);
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      return { width: bitmap.width, height: bitmap.height, px: points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data].slice(0, 3)) };
    },
    { b64: bytes.toString('base64'), points },
  );
}

const blend = (rgba: [number, number, number, number]) => [0, 1, 2].map((i) => Math.round(rgba[i] * rgba[3] + BG[i] * (1 - rgba[3])));
const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
const yoloBox = (line: string, W: number, H: number) => {
  const [cls, cx, cy, w, h] = line.split(' ').map(Number);
  return { cls, x: (cx - w / 2) * W, y: (cy - h / 2) * H, w: w * W, h: h * H };
};
const labelPath = (p: string) => p.replace(/\.[^./]+$/, '.txt');

test('the dialogs name their choices exactly, start from the defaults and remember them', async ({ page }) => {
  let dialog = await openDialog(page, ANNOTATED);
  let c = controls(dialog);
  await expect(c.drawn).toBeChecked();
  await expect(c.original).not.toBeChecked();
  await expect(c.coco).not.toBeChecked();
  await expect(c.yolo).not.toBeChecked();
  await c.coco.check();
  await c.yolo.check();
  await dialog.getByRole('textbox', { name: 'Folder path template' }).fill(TEMPLATE);
  await expect(dialog.getByRole('region', { name: 'Preview' }).locator('.we-folder').first()).toBeVisible();
  await dialog.screenshot({ path: join(ROOT, 'docs/annotated-label-files-dialog.png') });
  await c.original.check();
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  dialog = await openDialog(page, ANNOTATED);
  c = controls(dialog);
  await expect(c.original).toBeChecked();
  await expect(c.coco).toBeChecked();
  await expect(c.yolo).toBeChecked();
  await c.drawn.check();
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  // The plain case-files dialog with an order offers the label files (no Images group).
  dialog = await openDialog(page, PLAIN);
  await expect(dialog.getByRole('radiogroup', { name: 'Images' })).toHaveCount(0);
  await expect(controls(dialog).coco).toBeChecked();
  await expect(controls(dialog).yolo).toBeChecked();
});

test('every format is drawn on in every CSS colour form, with COCO and YOLO label files', async ({ page, sw }) => {
  const dialog = await openDialog(page, ANNOTATED);
  const c = controls(dialog);
  await c.coco.check();
  await c.yolo.check();
  const entries = await download(page, dialog, sw);
  const { cases, annotations, submissions, original } = await served();
  const report = entries.get('export-report.csv')!.toString('utf8');
  const palette = labelPalette(annotations.flatMap((a) => a.shapes.map((s) => String(s.label ?? ''))));
  const colourOf = (s: Shape): [number, number, number, number] => {
    const form = COLOR_FORMS.find((f) => f.color === s.color);
    if (form?.rgba) return form.rgba;
    if (s.color === '#3cb44b') return [0x3c, 0xb4, 0x4b, 1];
    if (s.color === 'hsl(240, 100%, 50%)') return [0, 0, 255, 1];
    return [...rgbOf(palette.get(String(s.label ?? ''))!), 1] as [number, number, number, number];
  };
  const formsChecked = new Set<string | null>();

  const coco = JSON.parse(entries.get('annotations.coco.json')!.toString('utf8'));
  expect(coco.categories.map((k: { name: string }) => k.name)).toEqual(['nodule', 'mass', 'line', 'dot', 'unlabelled']);
  expect(coco.categories.map((k: { id: number }) => k.id)).toEqual([1, 2, 3, 4, 5]);
  expect(entries.get('classes.txt')!.toString('utf8')).toBe('nodule\nmass\nline\ndot\nunlabelled\n');
  expect(entries.get('data.yaml')!.toString('utf8')).toContain('nc: 5\n');
  const imageIds = new Map<string, number>(coco.images.map((i: { id: number; file_name: string }) => [i.file_name, i.id]));
  expect(new Set(coco.annotations.map((a: { id: number }) => a.id)).size).toBe(coco.annotations.length);

  for (const [i, fc] of FORMAT_CASES.entries()) {
    const kase = cases[i];
    const file = kase.files[0];
    const path = `${kase.externalId}/${DRAWN_NAME[fc.format]}`;
    const got = entries.get(path);
    expect(got, `${fc.format}: ${path} in the ZIP`).toBeDefined();
    const orig = await original(file.uuid);
    const mine = annotations.filter((a) => a.fileUuid === file.uuid);
    const shapes = mine.flatMap((a) => a.shapes);
    if (fc.format === 'svg') {
      expect(got!.equals(orig), 'the SVG goes in unchanged').toBe(true);
      expect(report).toContain(`${path},`);
      expect(report).toMatch(/SVG images are never rendered/);
      expect(imageIds.has(path)).toBe(false);
      expect(entries.has(labelPath(path))).toBe(false);
      continue;
    }
    expect(got!.equals(orig), `${fc.format} drawn on`).toBe(false);
    const magic = got!.subarray(0, 12).toString('latin1');
    if (fc.format === 'jpeg') expect([...got!.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    else if (fc.format === 'webp') expect(magic.slice(8, 12)).toBe('WEBP');
    else expect(magic.slice(1, 4), `${fc.format} written as PNG`).toBe('PNG');
    const lossy = fc.format === 'jpeg' || fc.format === 'webp';

    // Outline pixels (fully covered by a 2 px stroke, away from labels) and pixels away from every shape.
    const [box, polygon, , point] = mine[0].shapes;
    const probes: { at: [number, number]; want: number[]; form: string | null }[] = [
      { at: [30, 40], want: blend(colourOf(box)), form: box.color },
      { at: [10, 35], want: blend(colourOf(box)), form: box.color },
      { at: [110, 40], want: blend(colourOf(polygon)), form: polygon.color },
      { at: [100, 45], want: blend(colourOf(polygon)), form: polygon.color },
      { at: [80, 62], want: blend(colourOf(point)), form: point.color },
      { at: [2, 2], want: BG, form: 'away' },
      { at: [2, 50], want: BG, form: 'away' },
      { at: [64, 50], want: BG, form: 'away' },
      { at: [60, 5], want: BG, form: 'away' },
      { at: [30, 35], want: BG, form: 'away' },
    ];
    const decoded = await pixels(page, got!, probes.map((p) => p.at));
    expect([decoded.width, decoded.height]).toEqual([120, 80]);
    probes.forEach((p, k) => {
      const px = decoded.px[k];
      const d = dist(px, p.want);
      const label = `${fc.format} ${p.form} at ${p.at}: got ${px}, want ${p.want}`;
      if (!lossy) expect(d, label).toBeLessThanOrEqual(4);
      else if (p.form === 'away') expect(d, label).toBeLessThanOrEqual(12);
      // Lossy, chroma subsampled (a 2 px line shares its colour with its neighbours): well toward the colour.
      else expect(d, label).toBeLessThan(Math.max(24, dist(BG, p.want) * 0.75));
      formsChecked.add(p.form);
    });

    // COCO: this image, its size, every shape present or counted.
    const id = imageIds.get(path);
    expect(id, `${path} in COCO images`).toBeDefined();
    expect(coco.images.find((x: { id: number }) => x.id === id)).toEqual({ id, file_name: path, width: 120, height: 80 });
    const anns = coco.annotations.filter((a: { image_id: number }) => a.image_id === id);
    expect(anns.length + 1, 'every shape in COCO, the one outside counted').toBe(shapes.length);
    expect(report).toContain(`${path},`);
    expect(report).toMatch(/1 shape wholly outside the image left out of the label files/);
    const known = anns.find((a: { attributes: { kind: string; label: string } }) => a.attributes.kind === 'box' && a.attributes.label === 'nodule');
    expect(known.bbox).toEqual([10, 10, 40, 30]);
    expect(known.segmentation).toEqual([[10, 10, 50, 10, 50, 40, 10, 40]]);
    expect(known.category_id).toBe(1);
    const reader = submissions.find((s) => s.id === mine[0].submissionId)!.reader;
    expect(known.attributes).toEqual({ kind: 'box', label: 'nodule', color: box.color, reader_id: reader.id, reader_name: reader.name, submission_id: mine[0].submissionId });
    const edge = anns.find((a: { attributes: { label: string } }) => a.attributes.label === '');
    expect(edge).toMatchObject({ category_id: 5, bbox: [100, 52, 20, 28] });
    expect(anns.find((a: { attributes: { kind: string } }) => a.attributes.kind === 'point')).toMatchObject({ keypoints: [80, 62, 2], num_keypoints: 1 });
    expect(anns.find((a: { attributes: { kind: string } }) => a.attributes.kind === 'polyline').attributes.points).toEqual([[10, 62], [60, 70]]);

    // YOLO: the label file beside the image, each line back to the served (clipped) box within a pixel.
    const yolo = entries.get(labelPath(path));
    expect(yolo, `${labelPath(path)} beside ${path}`).toBeDefined();
    const lines = yolo!.toString('utf8').trim().split('\n').map((l) => yoloBox(l, 120, 80));
    const wanted = [
      { cls: 0, x: 10, y: 10, w: 40, h: 30 },
      { cls: 1, x: 70, y: 10, w: 40, h: 35 },
      { cls: 4, x: 100, y: 52, w: 20, h: 28 },
    ];
    expect(lines).toHaveLength(wanted.length);
    lines.forEach((l, k) => {
      expect(l.cls).toBe(wanted[k].cls);
      for (const key of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(l[key] - wanted[k][key]), `${path} line ${k} ${key}`).toBeLessThan(1);
    });
    expect(report).toMatch(/YOLO labels: 1 point and 1 polyline not written/);
  }
  // Every colour form of the platform was drawn and checked (the palette fallbacks included).
  for (const f of COLOR_FORMS) expect(formsChecked.has(f.color), `colour ${f.color} checked`).toBe(true);
  // The user's own file on an image's label path is the one renamed.
  expect(entries.has(`${cases[0].externalId}/plain (2).txt`)).toBe(true);
  // COCO images and YOLO files pair with the images by path.
  for (const img of coco.images) expect(entries.has(img.file_name) && entries.has(labelPath(img.file_name)), img.file_name).toBe(true);
  expect(entries.has('annotations.json')).toBe(true);
});

test('original images with label files: every file byte for byte, labels beside them', async ({ page, sw }) => {
  const dialog = await openDialog(page, ANNOTATED);
  const c = controls(dialog);
  await c.original.check();
  await c.coco.check();
  await c.yolo.check();
  const entries = await download(page, dialog, sw);
  const { cases, original } = await served();
  const coco = JSON.parse(entries.get('annotations.coco.json')!.toString('utf8'));
  for (const [i, fc] of FORMAT_CASES.entries()) {
    const file = cases[i].files[0];
    const path = `${cases[i].externalId}/${file.originalFilename}`;
    expect(entries.get(path)!.equals(await original(file.uuid)), `${path} unchanged`).toBe(true);
    if (fc.format === 'svg') continue;
    expect(coco.images.some((img: { file_name: string }) => img.file_name === path), `${path} in COCO`).toBe(true);
    expect(entries.has(labelPath(path)), `${labelPath(path)}`).toBe(true);
  }
  expect(coco.images).toHaveLength(FORMAT_CASES.length - 1);
});

test('the plain case-files export of an order adds the label files on request', async ({ page, sw }) => {
  const dialog = await openDialog(page, PLAIN);
  const c = controls(dialog);
  await c.coco.check();
  await c.yolo.check();
  const entries = await download(page, dialog, sw);
  const { cases, original } = await served();
  expect(entries.has('annotations.json')).toBe(false);
  expect(entries.has('annotations.coco.json') && entries.has('classes.txt') && entries.has('data.yaml')).toBe(true);
  for (const kase of cases)
    for (const file of kase.files) {
      const name = file.originalFilename === 'plain.txt' ? 'plain (2).txt' : file.originalFilename;
      expect(entries.get(`${kase.externalId}/${name}`)!.equals(await original(file.uuid)), name).toBe(true);
    }
  const yolo = entries.get(`${cases[0].externalId}/plain.txt`)!.toString('utf8');
  expect(yolo.trim().split('\n')).toHaveLength(3);
});
