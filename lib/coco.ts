/**
 * `annotations.coco.json` (issue 15, point 3): COCO 1.0 at the ZIP root. Pure.
 *
 * - `images`: one per image of the export, in ZIP order: `id` from 1, `file_name` = the image's
 *   path in the ZIP, `width`, `height` of the written image.
 * - `categories`: one per distinct label, in first-seen order (images in ZIP order, shapes as
 *   served), `id` from 1, `name` = the label (`unlabelled` for a missing or empty one),
 *   `supercategory` "".
 * - `annotations`: `id` from 1, `image_id`, `category_id`, `bbox` `[x, y, w, h]`, `area`,
 *   `iscrowd` 0 (geometry: `lib/labelGeometry.ts`); a box or polygon has `segmentation`
 *   `[[x1, y1, …]]`, a point `keypoints` `[x, y, 2]` and `num_keypoints` 1, a polyline its points
 *   in `attributes.points`; every one has `attributes` `{kind, label, color, reader_id,
 *   reader_name, submission_id}` as served (reader null when the submission is not known).
 * - Shapes wholly outside their image, or without a finite point, are left out and counted.
 */
import type { Shape } from './platform';
import { clipShape, type Geometry } from './labelGeometry';
import { jsonText } from './jsonText';
import { servedText } from './servedData';

export const COCO_NAME = 'annotations.coco.json';
export const UNLABELLED = 'unlabelled';

/** One shape with whose it is. */
export interface ShapeSource {
  shape: Shape;
  submissionId: string;
  reader: { id: string; name: string } | null;
}

/** An image of the export with its size as written and every shape on it. */
export interface LabelledImage {
  path: string;
  width: number;
  height: number;
  shapes: ShapeSource[];
}

export interface LabelledShape {
  categoryId: number;
  geometry: Geometry;
  source: ShapeSource;
}

/** Every image with its shapes clipped and categorised: what both label formats are written from. */
export interface LabelSet {
  /** Category names; category id = index + 1, YOLO class = index. */
  categories: string[];
  images: { image: LabelledImage; shapes: LabelledShape[]; outside: number; invalid: number }[];
}

/** A category's name: the label, `unlabelled` when missing or empty. */
export function categoryName(label: unknown): string {
  if (label === null || label === undefined) return UNLABELLED;
  const text = servedText(label);
  return text.trim() === '' ? UNLABELLED : text;
}

/** Clips and categorises every shape of `images` (in order). */
export function buildLabelSet(images: Iterable<LabelledImage>): LabelSet {
  const ids = new Map<string, number>();
  const categories: string[] = [];
  const out: LabelSet['images'] = [];
  for (const image of images) {
    const entry: LabelSet['images'][number] = { image, shapes: [], outside: 0, invalid: 0 };
    for (const source of image.shapes) {
      const clipped = clipShape(source.shape, image.width, image.height);
      if (!clipped.ok) {
        entry[clipped.reason]++;
        continue;
      }
      const name = categoryName(source.shape.label);
      let id = ids.get(name);
      if (id === undefined) {
        categories.push(name);
        ids.set(name, (id = categories.length));
      }
      entry.shapes.push({ categoryId: id, geometry: clipped.geometry, source });
    }
    out.push(entry);
  }
  return { categories, images: out };
}

/** The COCO annotation object of one shape. */
export function cocoAnnotation(id: number, imageId: number, s: LabelledShape): Record<string, unknown> {
  const g = s.geometry;
  const shape = s.source.shape;
  const attributes: Record<string, unknown> = {
    kind: shape.kind,
    label: shape.label ?? null,
    color: shape.color ?? null,
    reader_id: s.source.reader?.id ?? null,
    reader_name: s.source.reader?.name ?? null,
    submission_id: s.source.submissionId,
  };
  const a: Record<string, unknown> = { id, image_id: imageId, category_id: s.categoryId, bbox: g.bbox, area: g.area, iscrowd: 0 };
  if (g.kind === 'box' || g.kind === 'polygon') a.segmentation = [g.segmentation];
  if (g.kind === 'point') {
    a.keypoints = g.keypoints;
    a.num_keypoints = 1;
  }
  if (g.kind === 'polyline') attributes.points = g.points;
  a.attributes = attributes;
  return a;
}

/** `annotations.coco.json` as parts of text (one small string per image and per annotation). */
export function cocoJsonParts(set: LabelSet, info: { description: string; dateCreated: string }): string[] {
  const parts: string[] = [];
  parts.push(
    `{\n"info": ${JSON.stringify({ description: info.description, version: '1.0', year: Number(info.dateCreated.slice(0, 4)), date_created: info.dateCreated })},\n"licenses": [],\n"images": [`,
  );
  set.images.forEach((e, i) =>
    parts.push(`${i ? ',' : ''}\n  ${JSON.stringify({ id: i + 1, file_name: e.image.path, width: e.image.width, height: e.image.height })}`),
  );
  parts.push('\n],\n"annotations": [');
  let id = 0;
  set.images.forEach((e, i) => {
    for (const s of e.shapes) {
      id++;
      parts.push(`${id > 1 ? ',' : ''}\n  ${jsonText(cocoAnnotation(id, i + 1, s))}`);
    }
  });
  parts.push('\n],\n"categories": [');
  set.categories.forEach((name, i) => parts.push(`${i ? ',' : ''}\n  ${JSON.stringify({ id: i + 1, name, supercategory: '' })}`));
  parts.push('\n]\n}\n');
  return parts;
}
