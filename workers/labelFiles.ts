/**
 * The label files of an export (issue 15, point 3) as ZIP entries, from the images the export
 * wrote (path, size as written, shapes as served, in ZIP order): `annotations.coco.json`, and for
 * YOLO one `.txt` per image (at the path claimed with the image) plus `classes.txt` and
 * `data.yaml`. Both formats come from one `LabelSet` (lib/coco.ts), so their classes agree.
 */
import { buildLabelSet, cocoJsonParts, COCO_NAME, type LabelledImage } from '../lib/coco';
import type { LabelFileOptions } from '../lib/annotatedOptions';
import { CLASSES_NAME, DATA_YAML_NAME, classesTxt, dataYaml, labelPathOf, yoloLines } from '../lib/yolo';

/** An image the export wrote, with where it is in the ZIP's order and its label path. */
export interface WrittenImage extends LabelledImage {
  seq: number;
  labelPath?: string;
}

/** The root names these options add. */
export function labelRootNames(labels: LabelFileOptions): string[] {
  return [...(labels.coco ? [COCO_NAME] : []), ...(labels.yolo ? [CLASSES_NAME, DATA_YAML_NAME] : [])];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the report says about one image's shapes in the label files (nothing when all are in). */
export function labelNotes(image: LabelledImage, labels: LabelFileOptions): string[] {
  const [entry] = buildLabelSet([image]).images;
  const notes: string[] = [];
  if (entry.outside) notes.push(`${plural(entry.outside, 'shape')} wholly outside the image left out of the label files`);
  if (entry.invalid) notes.push(`${plural(entry.invalid, 'shape')} without a valid point or kind left out of the label files`);
  if (labels.yolo) {
    const { points, polylines } = yoloLines(entry);
    const parts = [points ? plural(points, 'point') : '', polylines ? plural(polylines, 'polyline') : ''].filter(Boolean);
    if (parts.length)
      notes.push(`YOLO labels: ${parts.join(' and ')} not written (YOLO detection holds boxes and polygons only)${labels.coco ? `; in ${COCO_NAME}` : ''}`);
  }
  return notes;
}

/** The label-file entries for `images` (any order: sorted by `seq`). */
export function labelFileEntries(
  images: readonly WrittenImage[],
  labels: LabelFileOptions,
  info: { description: string; dateCreated: string },
): { name: string; input: string | Blob }[] {
  const sorted = [...images].sort((a, b) => a.seq - b.seq);
  const set = buildLabelSet(sorted);
  const out: { name: string; input: string | Blob }[] = [];
  if (labels.yolo) {
    set.images.forEach((entry, i) => out.push({ name: sorted[i].labelPath ?? labelPathOf(sorted[i].path), input: yoloLines(entry).text }));
    out.push({ name: CLASSES_NAME, input: classesTxt(set.categories) });
    out.push({ name: DATA_YAML_NAME, input: dataYaml(set.categories) });
  }
  if (labels.coco) out.push({ name: COCO_NAME, input: new Blob(cocoJsonParts(set, info), { type: 'application/json' }) });
  return out;
}
