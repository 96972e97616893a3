/**
 * What the annotated exports of workflow 4 (tests/site/formats.ts) must hold, shared by the
 * Chromium spec (annotated-formats.spec.ts) and the Firefox test: written names, the pixels to
 * probe on each image and the colour each must have, YOLO parsing.
 */
import type { Shape } from '../../lib/platform';
import { labelPalette, rgbOf } from '../../lib/annotationPlan';
import { COLOR_FORMS } from '../site/formats';

export const BG = [128, 128, 128];
export const TEMPLATE = '{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}';

/** Written name of each format's file when drawn on (WebP: when the browser encodes WebP). */
export const DRAWN_NAME: Record<string, string> = {
  png: 'plain.png', apng: 'moving.png', jpeg: 'photo.jpg', webp: 'still.webp', 'webp-animated': 'moving.png', gif: 'still.png', 'gif-animated': 'moving.png',
  bmp: 'scan.png', avif: 'photo.png', ico: 'icon.png', svg: 'drawing.svg',
};

export const blend = (rgba: [number, number, number, number]) => [0, 1, 2].map((i) => Math.round(rgba[i] * rgba[3] + BG[i] * (1 - rgba[3])));
export const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
export const labelPath = (p: string) => p.replace(/\.[^./]+$/, '.txt');
export const yoloBox = (line: string, W: number, H: number) => {
  const [cls, cx, cy, w, h] = line.split(' ').map(Number);
  return { cls, x: (cx - w / 2) * W, y: (cy - h / 2) * H, w: w * W, h: h * H };
};

/** The colour a shape must be drawn in (its CSS colour, else its label's palette colour). */
export function colourFinder(allShapes: Shape[]) {
  const palette = labelPalette(allShapes.map((s) => String(s.label ?? '')));
  return (s: Shape): [number, number, number, number] => {
    const form = COLOR_FORMS.find((f) => f.color === s.color);
    if (form?.rgba) return form.rgba;
    if (s.color === '#3cb44b') return [0x3c, 0xb4, 0x4b, 1];
    if (s.color === 'hsl(240, 100%, 50%)') return [0, 0, 255, 1];
    return [...rgbOf(palette.get(String(s.label ?? ''))!), 1] as [number, number, number, number];
  };
}

/**
 * Pixels fully covered by a 2 px outline (away from every label) and pixels away from every shape,
 * for the first submission's shapes (box, polygon, polyline, point) of a 120 × 80 image.
 */
export function probesFor(shapes: Shape[], colourOf: (s: Shape) => [number, number, number, number]) {
  const [box, polygon, , point] = shapes;
  return [
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
  ] as { at: [number, number]; want: number[]; form: string | null }[];
}

/** Why a probed pixel is wrong, or null: lossless outputs within 4, lossy (chroma subsampled) well toward the colour. */
export function probeError(px: number[], p: { want: number[]; form: string | null }, lossy: boolean): string | null {
  const d = dist(px, p.want);
  const limit = !lossy ? 4 : p.form === 'away' ? 12 : Math.max(24, dist(BG, p.want) * 0.75);
  return d <= limit ? null : `got ${px}, want ${p.want} (distance ${d.toFixed(1)} > ${limit.toFixed(1)})`;
}

/** The served boxes (clipped) each YOLO file must hold, in order: nodule box, mass polygon, unlabelled edge box. */
export const YOLO_WANTED = [
  { cls: 0, x: 10, y: 10, w: 40, h: 30 },
  { cls: 1, x: 70, y: 10, w: 40, h: 35 },
  { cls: 4, x: 100, y: 52, w: 20, h: 28 },
];

/** In-page: decodes `b64` with the browser's own decoder and reads `points`. */
export const decodeInPage = async ({ b64, points }: { b64: string; points: [number, number][] }) => {
  const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]);
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  return { width: bitmap.width, height: bitmap.height, px: points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data].slice(0, 3)) };
};
