/**
 * Annotated case files (product-spec 1c): what to draw on an image, as a list of primitive
 * operations. Pure (no DOM, no canvas): `workers/annotate.ts` executes a plan on an
 * OffscreenCanvas, the unit tests read it directly.
 *
 * - Colours: a shape's own `color` when it is a CSS colour (any form, alpha included: parsed by
 *   `PlanOptions.parseColor`, in the browser the canvas itself, else `lib/cssColor.ts`), else its
 *   label's colour. Shapes are drawn in their colour with its alpha; a label's box takes the
 *   colour opaque, so its text stays legible. A label's colour comes from a fixed palette of 16 well-separated colours:
 *   `labelColor` hashes the label (FNV-1a) onto the palette, so it is the same in every export;
 *   `labelPalette` gives the labels of one export distinct colours (each label takes its hashed
 *   slot, or the next free one when another label of the export already has it; labels in
 *   code-unit order, so one set of labels always gets the same colours).
 * - Geometry (image pixels, as the platform serves them): a box is the rectangle spanned by its
 *   points (two corners; more are tolerated: their bounding box); a polygon is a closed path (with
 *   two points it is drawn as a line); a polyline is an open path; a point is a filled disc with a
 *   contrasting rim. A path with a single point is drawn as a point. Shapes without a finite
 *   point are skipped.
 * - Sizes scale with the image: line width `max(2, round(min(w, h) / 160))`, font size
 *   `max(12, round(min(w, h) / 32))`, point radius three line widths.
 * - Labels: the label text on a box filled with the shape's colour (black or white text, whichever
 *   reads better), placed just above the shape's top-left corner (for a point: right of the
 *   marker, or left when there is no room); below/inside when there is no room above; always
 *   clamped inside the image. Control characters become spaces, labels longer than 64
 *   characters are cut with `…`. Every shape is drawn first, then every label on top.
 */
import type { Shape } from './platform';
import { formatColor, parseCssColor, type Rgba } from './cssColor';
import { extentOf, finitePoints } from './labelGeometry';
import { servedText } from './servedData';

export type Point = readonly [number, number];
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type DrawOp =
  | { op: 'rect'; x: number; y: number; width: number; height: number; color: string; lineWidth: number }
  | { op: 'path'; points: Point[]; closed: boolean; color: string; lineWidth: number }
  | { op: 'point'; x: number; y: number; radius: number; color: string; outline: string; lineWidth: number }
  | {
      op: 'label';
      text: string;
      /** CSS font, e.g. `16px sans-serif`. */
      font: string;
      fontSize: number;
      /** Where the text starts (`textBaseline = 'top'`, `textAlign = 'left'`). */
      x: number;
      y: number;
      /** The background box, inside the image whenever it fits. */
      box: Rect;
      background: string;
      color: string;
    };

/** 16 colours that stay apart from one another and from grey-scale scans (Trubetskoy's list). */
export const PALETTE: readonly string[] = [
  '#e6194b', // red
  '#3cb44b', // green
  '#4363d8', // blue
  '#f58231', // orange
  '#911eb4', // purple
  '#42d4f4', // cyan
  '#f032e6', // magenta
  '#bfef45', // lime
  '#ffe119', // yellow
  '#469990', // teal
  '#9a6324', // brown
  '#800000', // maroon
  '#808000', // olive
  '#000075', // navy
  '#fabed4', // pink
  '#aaffc3', // mint
];

/** FNV-1a over the UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The palette colour of a label: the same label always gets the same colour. */
export function labelColor(label: string): string {
  return PALETTE[fnv1a(label) % PALETTE.length];
}

/**
 * Distinct colours for the labels of one export (while there are no more labels than palette
 * colours; past that, labels share colours by hash).
 */
export function labelPalette(labels: Iterable<string>): Map<string, string> {
  const unique = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const label of unique) {
    const home = fnv1a(label) % PALETTE.length;
    let slot = home;
    if (taken.size < PALETTE.length) {
      while (taken.has(slot)) slot = (slot + 1) % PALETTE.length;
      taken.add(slot);
    }
    out.set(label, PALETTE[slot]);
  }
  return out;
}

/** A shape's colour in the canvas's form (`#rrggbb`, or `rgba(…)` with its alpha); null when it is no colour. */
export function normalizeColor(color: unknown, parse: (c: string) => Rgba | null = parseCssColor): string | null {
  if (typeof color !== 'string') return null;
  const c = parse(color);
  return c ? formatColor(c) : null;
}

/** The colour opaque, as `#rrggbb` (label boxes). */
export function opaque(color: string): string {
  const c = parseCssColor(color);
  return c ? formatColor({ ...c, a: 1 }) : color;
}

/** A colour (`#rrggbb`, `rgba(…)`…) → [r, g, b]. */
export function rgbOf(color: string): [number, number, number] {
  const c = parseCssColor(color) ?? { r: 0, g: 0, b: 0 };
  return [c.r, c.g, c.b];
}

/** Black or white, whichever contrasts more with `background` (WCAG relative luminance). */
export function contrastColor(background: string): string {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgbOf(background);
  const L = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? '#000000' : '#ffffff';
}

/** Line width for an image of this size. */
export const lineWidthFor = (width: number, height: number) => Math.max(2, Math.round(Math.min(width, height) / 160));
/** Label font size for an image of this size. */
export const fontSizeFor = (width: number, height: number) => Math.max(12, Math.round(Math.min(width, height) / 32));

export const MAX_LABEL_CHARS = 64;

/** The text drawn for a label: control characters as spaces, at most 64 characters. */
export function labelText(label: unknown): string {
  const text = servedText(label)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .trim();
  const chars = [...text];
  return chars.length > MAX_LABEL_CHARS ? chars.slice(0, MAX_LABEL_CHARS - 1).join('') + '…' : text;
}

/**
 * Estimated width of `text` in pixels at `fontSize` (the default measure; the worker measures with
 * the canvas): 0.6 em per character, 1 em for wide ones (CJK, emoji).
 */
export function estimateTextWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += (ch.codePointAt(0) ?? 0) >= 0x1100 ? 1 : 0.6;
  return Math.ceil(em * fontSize);
}

export interface PlanOptions {
  /** Colour of a label; default `labelColor`. */
  colors?: Map<string, string> | ((label: string) => string);
  /** Width of `text` drawn in `font` (the canvas's measureText); default an estimate. */
  measure?: (text: string, font: string, fontSize: number) => number;
  /** Parses a shape's colour (the worker: the canvas); default `parseCssColor`. */
  parseColor?: (color: string) => Rgba | null;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * Where a label box of `w`×`h` goes for a shape whose bounding box is `bounds`: above the top-left
 * corner, else below the top edge (inside the shape), clamped inside the image.
 */
export function placeLabel(
  anchor: { kind: 'bounds'; bounds: Rect } | { kind: 'point'; x: number; y: number; radius: number },
  w: number,
  h: number,
  imageWidth: number,
  imageHeight: number,
  gap: number,
): Rect {
  let x: number;
  let y: number;
  if (anchor.kind === 'point') {
    x = anchor.x + anchor.radius + gap;
    if (x + w > imageWidth) x = anchor.x - anchor.radius - gap - w;
    y = anchor.y - h / 2;
  } else {
    x = anchor.bounds.x;
    y = anchor.bounds.y - h - gap;
    if (y < 0) y = anchor.bounds.y + gap;
  }
  // Inside the image (a box wider or taller than the image starts at its left/top edge).
  x = Math.max(0, clamp(x, 0, imageWidth - w));
  y = Math.max(0, clamp(y, 0, imageHeight - h));
  return { x: Math.round(x), y: Math.round(y), width: Math.ceil(w), height: Math.ceil(h) };
}

/** The operations that draw `shapes` on an image of `imageWidth`×`imageHeight` pixels. */
export function drawingPlan(shapes: readonly Shape[], imageWidth: number, imageHeight: number, opts: PlanOptions = {}): DrawOp[] {
  const lineWidth = lineWidthFor(imageWidth, imageHeight);
  const fontSize = fontSizeFor(imageWidth, imageHeight);
  const font = `${fontSize}px sans-serif`;
  const pad = Math.max(2, Math.round(fontSize * 0.25));
  const radius = lineWidth * 3;
  const colors = opts.colors;
  const colorOfLabel = (label: string) =>
    (typeof colors === 'function' ? colors(label) : colors?.get(label)) ?? labelColor(label);
  const measure = opts.measure ?? ((text: string, _font: string, size: number) => estimateTextWidth(text, size));

  const drawn: DrawOp[] = [];
  const labels: DrawOp[] = [];
  for (const shape of shapes) {
    const points = finitePoints(shape);
    if (points.length === 0) continue;
    const label = servedText(shape.label);
    const color = normalizeColor(shape.color, opts.parseColor) ?? normalizeColor(colorOfLabel(label)) ?? labelColor(label);
    const { minX, minY, maxX, maxY } = extentOf(points);
    const bounds: Rect = { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
    let anchor: Parameters<typeof placeLabel>[0];
    if (shape.kind === 'point' || points.length === 1) {
      const [x, y] = points[0];
      drawn.push({ op: 'point', x, y, radius, color, outline: contrastColor(color), lineWidth: Math.max(1, Math.round(lineWidth / 2)) });
      anchor = { kind: 'point', x, y, radius };
    } else if (shape.kind === 'box') {
      drawn.push({ op: 'rect', ...bounds, color, lineWidth });
      anchor = { kind: 'bounds', bounds };
    } else {
      drawn.push({ op: 'path', points, closed: shape.kind === 'polygon' && points.length > 2, color, lineWidth });
      anchor = { kind: 'bounds', bounds };
    }
    const text = labelText(label);
    if (!text) continue;
    const w = measure(text, font, fontSize) + 2 * pad;
    const h = fontSize + 2 * pad;
    const box = placeLabel(anchor, w, h, imageWidth, imageHeight, Math.ceil(lineWidth / 2) + 1);
    const background = opaque(color);
    labels.push({ op: 'label', text, font, fontSize, x: box.x + pad, y: box.y + pad, box, background, color: contrastColor(background) });
  }
  return [...drawn, ...labels];
}
