/**
 * Issue 15 end to end in Chromium, against workflow 4 of the reference platform (tests/site/formats.ts):
 * every image format drawn on (pixels on the outlines in the shape's CSS colour, of every form,
 * alpha blended; pixels away from the shapes unchanged), written in its own format or as PNG
 * (renamed `.png`), the SVG unchanged and reported; COCO and YOLO label files checked against what
 * the platform serves; original images; the plain case-files export with label files; the
 * dialog's controls by their exact names, remembered.
 */
import { join } from 'node:path';
import { test, expect, ORIGIN, ROOT, exporterUi, readZip, transitionsDone, waitForDownload, apiClient } from './harness';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import type { Annotation, Case, Page as ApiPage, Submission } from '../../lib/platform';
import { COLOR_FORMS, FORMAT_CASES, FORMATS_ORDER_ID, FORMATS_WORKFLOW_ID } from '../site/formats';
import { DRAWN_NAME, TEMPLATE, YOLO_WANTED, colourFinder, decodeInPage, labelPath, probeError, probesFor, yoloBox } from './formatsExpect';

const ANNOTATED = 'Export annotated case files';
const PLAIN = 'Export case files';

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
const pixels = (page: Page, bytes: Buffer, points: [number, number][]) => page.evaluate(decodeInPage, { b64: bytes.toString('base64'), points });

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
  // The new groups break no accessibility rule (our UI only; light and dark).
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await transitionsDone(page);
    const results = await new AxeBuilder({ page }).include('workflow-exporter').analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`), colorScheme).toEqual([]);
    expect(results.passes.map((r) => r.id)).toContain('label');
  }
  await page.emulateMedia({ colorScheme: 'light' });
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
  const colourOf = colourFinder(annotations.flatMap((a) => a.shapes));
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
    // Named as written: an animated WebP (known from its bytes) became a PNG, renamed with its label file.
    if (fc.format === 'webp-animated') expect([...entries.keys()].filter((k) => k.startsWith(`${kase.externalId}/`)).sort()).toEqual([path, labelPath(path)]);
    const orig = await original(file.uuid);
    const mine = annotations.filter((a) => a.fileUuid === file.uuid);
    const shapes = mine.flatMap((a) => a.shapes);
    if (fc.format === 'svg') {
      expect(got!.equals(orig), 'the SVG goes in unchanged').toBe(true);
      expect(report).toContain(`"${path}",`);
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
    const box = mine[0].shapes[0];
    const probes = probesFor(mine[0].shapes, colourOf);
    const decoded = await pixels(page, got!, probes.map((p) => p.at));
    expect([decoded.width, decoded.height]).toEqual([120, 80]);
    probes.forEach((p, k) => {
      expect(probeError(decoded.px[k], p, lossy), `${fc.format} ${p.form} at ${p.at}`).toBeNull();
      formsChecked.add(p.form);
    });

    // COCO: this image, its size, every shape present or counted.
    const id = imageIds.get(path);
    expect(id, `${path} in COCO images`).toBeDefined();
    expect(coco.images.find((x: { id: number }) => x.id === id)).toEqual({ id, file_name: path, width: 120, height: 80 });
    const anns = coco.annotations.filter((a: { image_id: number }) => a.image_id === id);
    expect(anns.length + 1, 'every shape in COCO, the one outside counted').toBe(shapes.length);
    expect(report).toContain(`"${path}",`);
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
    const wanted = YOLO_WANTED;
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
