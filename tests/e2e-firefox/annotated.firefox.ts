/**
 * Issue 15 in real Firefox ESR: the annotated export of workflow 4 (every image format, shapes in
 * every CSS colour form) with **COCO JSON** and **YOLO labels** ticked, through the background
 * page's worker (OffscreenCanvas, createImageBitmap). The ZIP is read back: every format drawn on
 * (pixels probed with Firefox's own decoder), written as its own format or as PNG, the SVG
 * unchanged; COCO and YOLO checked against what the platform serves.
 */
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { ORIGIN, FIREFOX_PORT, clickInExporter, dialogStatus, waitForFile } from './session';
import { withFirefox } from './session';
import type { Annotation, Case, Page as ApiPage, Workflow } from '../../lib/platform';
import { annotatedCaseFilesArchiveName } from '../../lib/naming';
import { COLOR_FORMS, FORMAT_CASES, FORMATS_ORDER_ID, FORMATS_WORKFLOW_ID } from '../site/formats';
import { DRAWN_NAME, TEMPLATE, YOLO_WANTED, colourFinder, decodeInPage, labelPath, probeError, probesFor, yoloBox } from '../e2e/formatsExpect';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { apiClient, readZip } = await import('../e2e/harness');

async function paged<T>(api: Awaited<ReturnType<typeof apiClient>>, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await api.fetch(`${path}&limit=50${cursor ? `&cursor=${cursor}` : ''}`)).json()) as ApiPage<T>;
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** In the extension's shadow root: types into the template field and ticks the label-file checkboxes by their names. */
async function fillDialog(page: Page) {
  await page.waitForFunction(
    (template: string) => {
      const root = document.querySelector('workflow-exporter')?.shadowRoot;
      const input = root?.querySelector<HTMLInputElement>('#we-template');
      const boxes = [...(root?.querySelectorAll('label') ?? [])].filter((l) => ['COCO JSON', 'YOLO labels'].includes(l.textContent?.trim() ?? ''));
      if (!input || boxes.length !== 2 || boxes.some((b) => b.querySelector('input')!.disabled)) return false;
      input.value = template;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      for (const b of boxes) if (!b.querySelector('input')!.checked) b.querySelector('input')!.click();
      return boxes.every((b) => b.querySelector('input')!.checked);
    },
    { timeout: 20_000, polling: 100 },
    TEMPLATE,
  );
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: annotated export of every image format with COCO and YOLO label files',
    fn: () =>
      withFirefox('annotated', async ({ page, downloads }) => {
        await page.goto(`${ORIGIN}/develop/workflows/${FORMATS_WORKFLOW_ID}`);
        await page.select('select#workflow-order-select', FORMATS_ORDER_ID);
        await clickInExporter(page, 'Export annotated case files');
        await fillDialog(page);
        await clickInExporter(page, 'Download files');
        const status = await dialogStatus(page, /Saved|failed|refused|error/i, 120_000);
        assert.match(status, /Saved/, `export status: ${status}`);

        const api = await apiClient(ORIGIN);
        const workflow = (await (await api.fetch(`/api/v1/workflows/${FORMATS_WORKFLOW_ID}`)).json()) as Workflow;
        const order = workflow.orders.find((o) => o.id === FORMATS_ORDER_ID)!;
        const cases = await paged<Case>(api, `/api/v1/workflows/${FORMATS_WORKFLOW_ID}/cases?order=${FORMATS_ORDER_ID}`);
        const annotations = await paged<Annotation>(api, `/api/v1/workflows/${FORMATS_WORKFLOW_ID}/annotations?order=${FORMATS_ORDER_ID}`);
        const zip = await waitForFile(downloads, annotatedCaseFilesArchiveName(workflow, order));
        const entries = new Map((await readZip(zip)).map((e) => [e.path, e.bytes]));
        const report = entries.get('export-report.csv')?.toString('utf8') ?? '';
        const coco = JSON.parse(entries.get('annotations.coco.json')!.toString('utf8'));
        assert.deepEqual(coco.categories.map((k: { name: string }) => k.name), ['nodule', 'mass', 'line', 'dot', 'unlabelled']);
        assert.equal(entries.get('classes.txt')!.toString('utf8'), 'nodule\nmass\nline\ndot\nunlabelled\n');
        const colourOf = colourFinder(annotations.flatMap((a) => a.shapes));
        const forms = new Set<string | null>();
        let drawn = 0;
        for (const [i, fc] of FORMAT_CASES.entries()) {
          const file = cases[i].files[0];
          const orig = Buffer.from(await (await api.fetch(`/api/v1/files/${file.uuid}/content`)).arrayBuffer());
          let path = `${cases[i].externalId}/${DRAWN_NAME[fc.format]}`;
          // A browser whose canvas cannot encode WebP writes PNG, named .png.
          if (fc.format === 'webp' && !entries.has(path)) path = path.replace(/\.webp$/, '.png');
          const got = entries.get(path);
          assert.ok(got, `${fc.format}: ${path} in the ZIP (entries: ${[...entries.keys()].join(', ')})`);
          if (fc.format === 'svg') {
            assert.ok(got.equals(orig), 'the SVG goes in unchanged');
            assert.match(report, /SVG images are never rendered/);
            continue;
          }
          assert.ok(!got.equals(orig), `${fc.format} drawn on`);
          const lossy = fc.format === 'jpeg' || path.endsWith('.webp');
          const shapes = annotations.find((a) => a.fileUuid === file.uuid)!.shapes;
          const probes = probesFor(shapes, colourOf);
          const decoded = await page.evaluate(decodeInPage, { b64: got.toString('base64'), points: probes.map((p) => p.at) });
          assert.deepEqual([decoded.width, decoded.height], [120, 80]);
          probes.forEach((p, k) => {
            assert.equal(probeError(decoded.px[k], p, lossy), null, `${fc.format} ${p.form} at ${p.at}`);
            forms.add(p.form);
          });
          const image = coco.images.find((x: { file_name: string }) => x.file_name === path);
          assert.deepEqual(image, { id: image?.id, file_name: path, width: 120, height: 80 });
          const known = coco.annotations.find((a: { image_id: number; attributes: { label: string } }) => a.image_id === image.id && a.attributes.label === 'nodule');
          assert.deepEqual(known.bbox, [10, 10, 40, 30]);
          const lines = entries.get(labelPath(path))!.toString('utf8').trim().split('\n').map((l) => yoloBox(l, 120, 80));
          assert.equal(lines.length, YOLO_WANTED.length);
          lines.forEach((l, k) => {
            assert.equal(l.cls, YOLO_WANTED[k].cls);
            for (const key of ['x', 'y', 'w', 'h'] as const) assert.ok(Math.abs(l[key] - YOLO_WANTED[k][key]) < 1, `${path} line ${k} ${key}`);
          });
          drawn++;
        }
        for (const f of COLOR_FORMS) assert.ok(forms.has(f.color), `colour ${f.color} checked`);
        console.log(`  ${drawn} formats drawn on and probed, ${coco.annotations.length} COCO annotations, ${entries.size} entries`);
      }),
  },
];
