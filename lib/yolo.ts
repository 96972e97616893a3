/**
 * YOLO label files (issue 15, point 3), written from the same `LabelSet` as COCO. Pure.
 *
 * - Beside each image, its path with the extension replaced by `.txt` (`labelPathOf`): one line
 *   per box and per polygon, `class cx cy w h`, the box's centre and size divided by the image's
 *   width and height, 6 decimals; class = COCO category id − 1; a polygon's line is its (clipped)
 *   bounding box. An image without shapes gets an empty file.
 * - Points and polylines, which YOLO detection cannot hold, are not written: counted per image.
 * - `classes.txt`: one category name per line in class order (control characters, line breaks
 *   included, as spaces: one name is one line). `data.yaml`: `path: .`, `train: .`, `val: .`,
 *   `nc`, `names` (a mapping from class to name, each name a double-quoted YAML string).
 */
import type { LabelSet } from './coco';

export const CLASSES_NAME = 'classes.txt';
export const DATA_YAML_NAME = 'data.yaml';

/** An image's path with its extension replaced by `.txt` (added when it has none). */
export function labelPathOf(imagePath: string): string {
  const slash = imagePath.lastIndexOf('/');
  const dir = imagePath.slice(0, slash + 1);
  const name = imagePath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return `${dir}${dot > 0 ? name.slice(0, dot) : name}.txt`;
}

const f6 = (v: number) => (Math.round(v * 1e6) / 1e6).toFixed(6);

/** The lines of one image's label file, and how many of its shapes YOLO cannot hold. */
export function yoloLines(entry: LabelSet['images'][number]): { text: string; points: number; polylines: number } {
  const { width, height } = entry.image;
  let points = 0;
  let polylines = 0;
  const lines: string[] = [];
  for (const s of entry.shapes) {
    const g = s.geometry;
    if (g.kind === 'point') points++;
    else if (g.kind === 'polyline') polylines++;
    else {
      const [x, y, w, h] = g.bbox;
      lines.push(`${s.categoryId - 1} ${f6((x + w / 2) / width)} ${f6((y + h / 2) / height)} ${f6(w / width)} ${f6(h / height)}`);
    }
  }
  return { text: lines.map((l) => `${l}\n`).join(''), points, polylines };
}

// eslint-disable-next-line no-control-regex
const oneLine = (name: string) => name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');

/** `classes.txt`. */
export function classesTxt(categories: readonly string[]): string {
  return categories.map((c) => `${oneLine(c)}\n`).join('');
}

/** A YAML double-quoted scalar (JSON's escapes are YAML's; non-ASCII kept as is). */
const yamlString = (s: string) => JSON.stringify(s);

/** `data.yaml` (Ultralytics layout: the dataset is the ZIP's folder itself). */
export function dataYaml(categories: readonly string[]): string {
  const names = categories.length ? `names:\n${categories.map((c, i) => `  ${i}: ${yamlString(c)}\n`).join('')}` : 'names: {}\n';
  return `path: .\ntrain: .\nval: .\nnc: ${categories.length}\n${names}`;
}
