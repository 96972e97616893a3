/**
 * Shapes as label files hold them (issue 15, point 3): the platform's coordinates (image pixels
 * from the top-left corner) clipped to the image they are on. Pure; `lib/coco.ts` and
 * `lib/yolo.ts` write what this gives.
 *
 * - Box: the rectangle spanned by its points (reversed corners are normalised; more than two
 *   points: their bounding box), intersected with the image. Its segmentation is its four corners
 *   (top-left, top-right, bottom-right, bottom-left); area w × h.
 * - Polygon: clipped to the image (Sutherland–Hodgman, so a corner outside becomes the points
 *   where the edges leave the image); bbox of the clipped points, area by the shoelace formula.
 * - Polyline: its points, each clamped into the image; bbox of those points; area 0.
 * - Point: kept when it is on the image (edges included); bbox `[x, y, 0, 0]`; area 0.
 * - A shape wholly outside its image is `outside`; one without a finite point, or of a kind the
 *   platform does not define, is `invalid`: both are left out and counted in the report.
 * - Numbers are rounded to 3 decimals (clipping makes long fractions; served values keep theirs).
 */
import type { Shape } from './platform';

export type XY = [number, number];
/** `[x, y, width, height]`, pixels from the top-left corner. */
export type BBox = [number, number, number, number];

export type Geometry =
  | { kind: 'box'; bbox: BBox; segmentation: number[]; area: number }
  | { kind: 'polygon'; bbox: BBox; segmentation: number[]; area: number }
  | { kind: 'polyline'; bbox: BBox; points: XY[]; area: 0 }
  | { kind: 'point'; bbox: BBox; keypoints: [number, number, 2]; area: 0 };

export type Clipped = { ok: true; geometry: Geometry } | { ok: false; reason: 'outside' | 'invalid' };

const KINDS = new Set(['box', 'polygon', 'polyline', 'point']);
const r3 = (v: number) => Math.round(v * 1000) / 1000 + 0; // + 0: no -0
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Farthest a coordinate may be from the origin, in pixels. Past it a value is no point: the
 * differences and areas of coordinates near ±1e308 overflow to Infinity and NaN (a box from -1e308
 * to 1e308 had a NaN width), and no image is a billion pixels wide.
 */
export const MAX_COORDINATE = 1e9;
const isCoordinate = (v: unknown): v is number => typeof v === 'number' && Math.abs(v) <= MAX_COORDINATE;

/** The points of a served shape: pairs of finite coordinates within {@link MAX_COORDINATE} (anything else in `points` is ignored). */
export function finitePoints(shape: Shape | null | undefined): XY[] {
  const raw: unknown[] = Array.isArray(shape?.points) ? shape.points : [];
  const out: XY[] = [];
  for (const p of raw) if (Array.isArray(p) && p.length >= 2 && isCoordinate(p[0]) && isCoordinate(p[1])) out.push([p[0], p[1]]);
  return out;
}

/**
 * The least and greatest x and y of `points` (at least one), in one pass. No `Math.min(...xs)`: a
 * spread puts every point on the call stack, and a served shape of some 100,000 points overflows it.
 */
export function extentOf(points: readonly (readonly [number, number])[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

function bboxOf(points: readonly XY[]): BBox {
  const { minX, minY, maxX, maxY } = extentOf(points);
  return [r3(minX), r3(minY), r3(maxX - minX), r3(maxY - minY)];
}

/** Sutherland–Hodgman: `points` (a closed polygon) clipped to [0, w] × [0, h]. */
export function clipPolygon(points: readonly XY[], w: number, h: number): XY[] {
  type Edge = { inside: (p: XY) => boolean; cross: (a: XY, b: XY) => XY };
  const at = (a: XY, b: XY, t: number): XY => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  const edges: Edge[] = [
    { inside: (p) => p[0] >= 0, cross: (a, b) => at(a, b, (0 - a[0]) / (b[0] - a[0])) },
    { inside: (p) => p[0] <= w, cross: (a, b) => at(a, b, (w - a[0]) / (b[0] - a[0])) },
    { inside: (p) => p[1] >= 0, cross: (a, b) => at(a, b, (0 - a[1]) / (b[1] - a[1])) },
    { inside: (p) => p[1] <= h, cross: (a, b) => at(a, b, (h - a[1]) / (b[1] - a[1])) },
  ];
  let out: XY[] = [...points];
  for (const edge of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i];
      const prev = input[(i + input.length - 1) % input.length];
      if (edge.inside(cur)) {
        if (!edge.inside(prev)) out.push(edge.cross(prev, cur));
        out.push(cur);
      } else if (edge.inside(prev)) out.push(edge.cross(prev, cur));
    }
    if (out.length === 0) break;
  }
  // Consecutive duplicates (a corner on an edge) are one point.
  return out
    .map(([x, y]): XY => [r3(clamp(x, 0, w)), r3(clamp(y, 0, h))])
    .filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1])
    .filter((p, i, all) => !(i === all.length - 1 && all.length > 1 && p[0] === all[0][0] && p[1] === all[0][1]));
}

/** Shoelace area of a polygon. */
export function polygonArea(points: readonly XY[]): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i];
    const [x2, y2] = points[(i + 1) % points.length];
    twice += x1 * y2 - x2 * y1;
  }
  return r3(Math.abs(twice) / 2);
}

/** Whether the bounding box of `points` misses the image entirely. */
const outsideImage = (points: readonly XY[], w: number, h: number) =>
  points.every((p) => p[0] < 0) || points.every((p) => p[0] > w) || points.every((p) => p[1] < 0) || points.every((p) => p[1] > h);

/** `shape` on an image of `width` × `height` pixels, clipped to it. */
export function clipShape(shape: Shape, width: number, height: number): Clipped {
  const points = finitePoints(shape);
  if (!shape || !KINDS.has(shape.kind) || points.length === 0) return { ok: false, reason: 'invalid' };
  if (outsideImage(points, width, height)) return { ok: false, reason: 'outside' };
  switch (shape.kind) {
    case 'point': {
      const [x, y] = points[0];
      if (x < 0 || y < 0 || x > width || y > height) return { ok: false, reason: 'outside' };
      return { ok: true, geometry: { kind: 'point', bbox: [r3(x), r3(y), 0, 0], keypoints: [r3(x), r3(y), 2], area: 0 } };
    }
    case 'box': {
      const [bx, by, bw, bh] = bboxOf(points);
      const x1 = clamp(bx, 0, width);
      const y1 = clamp(by, 0, height);
      const x2 = clamp(bx + bw, 0, width);
      const y2 = clamp(by + bh, 0, height);
      const bbox: BBox = [r3(x1), r3(y1), r3(x2 - x1), r3(y2 - y1)];
      return {
        ok: true,
        geometry: { kind: 'box', bbox, segmentation: [x1, y1, x2, y1, x2, y2, x1, y2].map(r3), area: r3((x2 - x1) * (y2 - y1)) },
      };
    }
    case 'polygon': {
      const clipped = clipPolygon(points, width, height);
      if (clipped.length === 0) return { ok: false, reason: 'outside' };
      return { ok: true, geometry: { kind: 'polygon', bbox: bboxOf(clipped), segmentation: clipped.flat(), area: polygonArea(clipped) } };
    }
    case 'polyline': {
      const clamped = points.map(([x, y]): XY => [r3(clamp(x, 0, width)), r3(clamp(y, 0, height))]);
      return { ok: true, geometry: { kind: 'polyline', bbox: bboxOf(clamped), points: clamped, area: 0 } };
    }
  }
  return { ok: false, reason: 'invalid' };
}
