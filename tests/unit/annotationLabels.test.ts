import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Shape } from '../../lib/platform';
import { clipPolygon, clipShape, extentOf, polygonArea } from '../../lib/labelGeometry';
import { drawingPlan } from '../../lib/annotationPlan';
import { buildLabelSet, categoryName, cocoJsonParts, type LabelledImage } from '../../lib/coco';
import { classesTxt, dataYaml, labelPathOf, yoloLines } from '../../lib/yolo';
import { claimWithLabel, labelledPlanner } from '../../lib/labelNaming';
import { PathDeduper } from '../../lib/naming';
import { labelFileEntries, labelNotes } from '../../workers/labelFiles';
import type { Case } from '../../lib/platform';
import { parsePathTemplate } from '../../lib/pathTemplate';

const S = (kind: Shape['kind'], points: [number, number][], label: string | null = 'nodule', color: string | null = null): Shape =>
  ({ kind, points, label, color }) as Shape;
const img = (path: string, shapes: Shape[], width = 200, height = 100): LabelledImage => ({
  path,
  width,
  height,
  shapes: shapes.map((shape, i) => ({ shape, submissionId: `s${i % 2}`, reader: i % 2 ? null : { id: 'u-1', name: 'Ada' } })),
});

describe('label geometry: the platform’s coordinates clipped to the image', () => {
  it('a box is normalised (reversed corners) and exact', () => {
    expect(clipShape(S('box', [[150, 80], [10.5, 20]]), 200, 100)).toEqual({
      ok: true,
      geometry: { kind: 'box', bbox: [10.5, 20, 139.5, 60], segmentation: [10.5, 20, 150, 20, 150, 80, 10.5, 80], area: 8370 },
    });
  });

  it('a box over the edge is clipped; wholly outside is left out', () => {
    expect(clipShape(S('box', [[-10, -10], [50, 300]]), 200, 100)).toMatchObject({ ok: true, geometry: { bbox: [0, 0, 50, 100] } });
    expect(clipShape(S('box', [[210, 10], [250, 50]]), 200, 100)).toEqual({ ok: false, reason: 'outside' });
    expect(clipShape(S('point', [[-1, 5]]), 200, 100)).toEqual({ ok: false, reason: 'outside' });
    expect(clipShape(S('polygon', [[-50, -50], [-10, -50], [-10, -10]]), 200, 100)).toEqual({ ok: false, reason: 'outside' });
  });

  it('a polygon is clipped (Sutherland–Hodgman), its area by the shoelace formula', () => {
    const r = clipShape(S('polygon', [[-100, 50], [100, -50], [100, 150]]), 200, 100);
    expect(r.ok).toBe(true);
    if (!r.ok || r.geometry.kind !== 'polygon') return;
    expect(r.geometry.bbox).toEqual([0, 0, 100, 100]);
    for (let i = 0; i < r.geometry.segmentation.length; i += 2) {
      expect(r.geometry.segmentation[i]).toBeGreaterThanOrEqual(0);
      expect(r.geometry.segmentation[i]).toBeLessThanOrEqual(200);
    }
    expect(polygonArea([[0, 0], [10, 0], [10, 10], [0, 10]])).toBe(100);
  });

  it('a point has keypoints; a polyline keeps its points (clamped) and their bbox', () => {
    expect(clipShape(S('point', [[12, 34]]), 200, 100)).toEqual({ ok: true, geometry: { kind: 'point', bbox: [12, 34, 0, 0], keypoints: [12, 34, 2], area: 0 } });
    expect(clipShape(S('polyline', [[10, 10], [250, 50], [30, 90]]), 200, 100)).toEqual({
      ok: true,
      geometry: { kind: 'polyline', bbox: [10, 10, 190, 80], points: [[10, 10], [200, 50], [30, 90]], area: 0 },
    });
  });

  it('no finite point, or a kind the platform does not define, is invalid', () => {
    expect(clipShape(S('box', []), 200, 100)).toEqual({ ok: false, reason: 'invalid' });
    expect(clipShape(S('box', [[Number.NaN, 1]]), 200, 100)).toEqual({ ok: false, reason: 'invalid' });
    expect(clipShape({ kind: 'circle', points: [[1, 1]], label: 'x', color: null } as unknown as Shape, 200, 100)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('property: extentOf is the least and greatest x and y, as Math.min/Math.max over them', () => {
    const coord = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { minLength: 1, maxLength: 40 }), (pts) => {
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        expect(extentOf(pts)).toEqual({ minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) });
      }),
    );
  });

  it('a coordinate past a billion pixels is no point (its differences would overflow to Infinity and NaN)', () => {
    expect(clipShape(S('box', [[-1e308, 0], [1e308, 10]]), 200, 100)).toEqual({ ok: false, reason: 'invalid' });
    expect(clipShape(S('polyline', [[-1e308, 0], [10, 10], [20, 20]]), 200, 100)).toMatchObject({ ok: true, geometry: { bbox: [10, 10, 10, 10] } });
    expect(drawingPlan([S('box', [[-1e308, 0], [1e308, 10]])], 200, 100)).toEqual([]);
  });

  it('a served shape of 300,000 points is labelled and drawn (no spread of its points onto the call stack)', () => {
    const many: [number, number][] = Array.from({ length: 300_000 }, (_, i) => [(i % 1000) / 5, Math.floor(i / 1000) / 3]);
    const clipped = clipShape(S('polyline', many), 200, 100);
    expect(clipped).toMatchObject({ ok: true, geometry: { kind: 'polyline', bbox: [0, 0, 199.8, 99.667] } });
    const [op] = drawingPlan([S('polygon', many)], 200, 100);
    expect(op).toMatchObject({ op: 'path', closed: true });
  });

  it('property: a clipped polygon stays inside the image and never grows', () => {
    const coord = fc.double({ min: -300, max: 500, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { minLength: 3, maxLength: 8 }), (pts) => {
        const clipped = clipPolygon(pts as [number, number][], 200, 100);
        for (const [x, y] of clipped) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(200);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(y).toBeLessThanOrEqual(100);
        }
        expect(polygonArea(clipped)).toBeLessThanOrEqual(Math.max(polygonArea(pts as [number, number][]), 20000) + 0.01);
      }),
    );
  });
});

describe('COCO', () => {
  const images = [
    img('a/one.png', [S('box', [[10, 20], [60, 70]], 'lesion', 'rgb(1, 2, 3)'), S('point', [[5, 5]], ''), S('polyline', [[1, 1], [9, 9]], 'lesion')]),
    img('b/two.jpg', []),
    img('c/three.webp', [S('polygon', [[0, 0], [10, 0], [10, 10]], 'nodule'), S('box', [[300, 300], [400, 400]], 'far'), S('point', [[1, 1]], null)]),
  ];
  const set = buildLabelSet(images);
  const doc = JSON.parse(cocoJsonParts(set, { description: 'W – O', dateCreated: '2026-12-01T00:00:00.000Z' }).join(''));

  it('categories: distinct labels in first-seen order, ids from 1, unlabelled for missing or empty', () => {
    expect(categoryName(null)).toBe('unlabelled');
    expect(categoryName('  ')).toBe('unlabelled');
    expect(doc.categories).toEqual([
      { id: 1, name: 'lesion', supercategory: '' },
      { id: 2, name: 'unlabelled', supercategory: '' },
      { id: 3, name: 'nodule', supercategory: '' },
    ]);
  });

  it('images: ids from 1, the path in the ZIP, the size as written', () => {
    expect(doc.images).toEqual([
      { id: 1, file_name: 'a/one.png', width: 200, height: 100 },
      { id: 2, file_name: 'b/two.jpg', width: 200, height: 100 },
      { id: 3, file_name: 'c/three.webp', width: 200, height: 100 },
    ]);
    expect(doc.info.version).toBe('1.0');
    expect(doc.licenses).toEqual([]);
  });

  it('annotations: ids from 1, consistent image and category ids, who drew each shape, as served', () => {
    expect(doc.annotations.map((a: { id: number }) => a.id)).toEqual([1, 2, 3, 4, 5]);
    expect(doc.annotations[0]).toEqual({
      id: 1,
      image_id: 1,
      category_id: 1,
      bbox: [10, 20, 50, 50],
      area: 2500,
      iscrowd: 0,
      segmentation: [[10, 20, 60, 20, 60, 70, 10, 70]],
      attributes: { kind: 'box', label: 'lesion', color: 'rgb(1, 2, 3)', reader_id: 'u-1', reader_name: 'Ada', submission_id: 's0' },
    });
    expect(doc.annotations[1]).toMatchObject({ category_id: 2, keypoints: [5, 5, 2], num_keypoints: 1, bbox: [5, 5, 0, 0] });
    expect(doc.annotations[1].attributes).toMatchObject({ label: '', reader_id: null, reader_name: null, submission_id: 's1' });
    expect(doc.annotations[2]).toMatchObject({ category_id: 1, bbox: [1, 1, 8, 8], attributes: { kind: 'polyline', points: [[1, 1], [9, 9]] } });
    expect(doc.annotations[2].segmentation).toBeUndefined();
    expect(doc.annotations[3]).toMatchObject({ image_id: 3, category_id: 3, segmentation: [[0, 0, 10, 0, 10, 10]], area: 50 });
    expect(doc.annotations[4]).toMatchObject({ image_id: 3, category_id: 2, attributes: { label: null } });
  });

  it('a shape wholly outside is left out and counted', () => {
    expect(set.images[2].outside).toBe(1);
    expect(labelNotes(images[2], { coco: true, yolo: false })).toEqual(['1 shape wholly outside the image left out of the label files']);
  });
});

describe('YOLO', () => {
  it('one line per box and polygon, normalised with 6 decimals, class = category id − 1', () => {
    const set = buildLabelSet([img('x.png', [S('point', [[1, 1]], 'p'), S('box', [[10, 20], [60, 70]], 'lesion'), S('polygon', [[0, 0], [100, 0], [50, 100]], 'p')])]);
    const { text, points, polylines } = yoloLines(set.images[0]);
    expect(text).toBe('1 0.175000 0.450000 0.250000 0.500000\n0 0.250000 0.500000 0.500000 1.000000\n');
    expect([points, polylines]).toEqual([1, 0]);
  });

  it('an image without shapes gets an empty file; points and polylines are counted in the report', () => {
    expect(yoloLines(buildLabelSet([img('e.png', [])]).images[0]).text).toBe('');
    expect(labelNotes(img('x.png', [S('point', [[1, 1]]), S('polyline', [[1, 1], [2, 2]]), S('point', [[2, 2]])]), { coco: true, yolo: true })).toEqual([
      'YOLO labels: 2 points and 1 polyline not written (YOLO detection holds boxes and polygons only); in annotations.coco.json',
    ]);
  });

  it('property: each line parses back to the served box within a pixel', () => {
    const W = 640;
    const H = 480;
    const c = (max: number) => fc.integer({ min: 0, max: max * 2 }).map((v) => v / 2);
    fc.assert(
      fc.property(c(W), c(H), c(W), c(H), (x1, y1, x2, y2) => {
        const set = buildLabelSet([img('x.png', [S('box', [[x1, y1], [x2, y2]])], W, H)]);
        const [cls, cx, cy, w, h] = yoloLines(set.images[0]).text.trim().split(' ').map(Number);
        expect(cls).toBe(0);
        expect(Math.abs((cx - w / 2) * W - Math.min(x1, x2))).toBeLessThan(1);
        expect(Math.abs((cy - h / 2) * H - Math.min(y1, y2))).toBeLessThan(1);
        expect(Math.abs(w * W - Math.abs(x2 - x1))).toBeLessThan(1);
        expect(Math.abs(h * H - Math.abs(y2 - y1))).toBeLessThan(1);
      }),
    );
  });

  it('classes.txt and data.yaml list the categories in class order', () => {
    expect(classesTxt(['nodule', 'two\nlines', 'Läsion 🫁'])).toBe('nodule\ntwo lines\nLäsion 🫁\n');
    expect(dataYaml(['nodule', 'a "b": c'])).toBe('path: .\ntrain: .\nval: .\nnc: 2\nnames:\n  0: "nodule"\n  1: "a \\"b\\": c"\n');
    expect(dataYaml([])).toBe('path: .\ntrain: .\nval: .\nnc: 0\nnames: {}\n');
  });

  it('label paths: the image’s path with its extension replaced by .txt', () => {
    expect(labelPathOf('a/b/scan.png')).toBe('a/b/scan.txt');
    expect(labelPathOf('a.b.JPG')).toBe('a.b.txt');
    expect(labelPathOf('dir.x/noext')).toBe('dir.x/noext.txt');
    expect(labelPathOf('.hidden')).toBe('.hidden.txt');
  });

  it('labelFileEntries writes images in ZIP order whatever order they were drawn in', () => {
    const entries = labelFileEntries(
      [
        { ...img('b.png', [S('box', [[0, 0], [10, 10]], 'second')]), seq: 1, labelPath: 'b.txt' },
        { ...img('a.png', [S('box', [[0, 0], [10, 10]], 'first')]), seq: 0, labelPath: 'a (2).txt' },
      ],
      { coco: true, yolo: true },
      { description: 'x', dateCreated: '2026-01-01T00:00:00Z' },
    );
    expect(entries.map((e) => e.name)).toEqual(['a (2).txt', 'b.txt', 'classes.txt', 'data.yaml', 'annotations.coco.json']);
    expect(entries[2].input).toBe('first\nsecond\n');
  });
});

describe('label naming: a label file keeps its image’s stem', () => {
  it('a later file on a label path is the one renamed', () => {
    const d = new PathDeduper();
    expect(claimWithLabel(d, 'x/scan.png')).toEqual({ path: 'x/scan.png', labelPath: 'x/scan.txt' });
    expect(d.claim('x/scan.txt')).toBe('x/scan (2).txt');
  });

  it('an image whose label path is already taken takes the next free name for both', () => {
    const d = new PathDeduper();
    d.claim('scan.txt');
    d.claim('Scan.png');
    expect(claimWithLabel(d, 'scan.png')).toEqual({ path: 'scan (2).png', labelPath: 'scan (2).txt' });
  });

  it('PathDeduper.has claims nothing and sees folders and case', () => {
    const d = new PathDeduper();
    d.claim('A/b.png');
    expect(d.has('a/B.PNG')).toBe(true);
    expect(d.has('a')).toBe(true);
    expect(d.has('a/c.png')).toBe(false);
    expect(d.has('A/b.png/x')).toBe(true);
    expect(d.claim('a/c.png')).toBe('A/c.png');
  });

  it('the planner reserves root names, renames drawn files and claims label paths', () => {
    const file = (uuid: string, originalFilename: string, contentType: string) => ({ uuid, originalFilename, contentType, size: 1, createdAt: '' });
    const c = {
      id: 'c1', shortId: 'c1', externalId: 'E1', entityExternalId: null, orderId: 'o', metadata: {},
      files: [file('1', 'classes.txt', 'text/plain'), file('2', 'anim.gif', 'image/gif'), file('3', 'anim.txt', 'text/plain')],
    } as unknown as Case;
    const plan = labelledPlanner({
      reserved: ['classes.txt', 'data.yaml'],
      written: (f) => (f.uuid === '2' ? { ...f, originalFilename: 'anim.png' } : f),
      labelled: (f) => f.uuid === '2',
    });
    const out = [...plan(null, { id: 'w', name: 'W' }, null, [c])].map((p) => [p.path, p.labelPath]);
    expect(out.map((o) => o[0])).toEqual([expect.stringMatching(/_1\.txt$/), expect.stringMatching(/_2\.png$/), expect.stringMatching(/_3\.txt$/)]);
    const plan2 = labelledPlanner({ reserved: ['classes.txt'], labelled: (f) => f.uuid === '2', written: (f) => (f.uuid === '2' ? { ...f, originalFilename: 'anim.png' } : f) });
    const out2 = [...plan2(TEMPLATE, { id: 'w', name: 'W' }, null, [c])].map((p) => [p.path, p.labelPath ?? null]);
    expect(out2).toEqual([
      ['classes (2).txt', null],
      ['anim.png', 'anim.txt'],
      ['anim (2).txt', null],
    ]);
  });
});

const TEMPLATE = (() => {
  const p = parsePathTemplate('{{ ORIGINAL_FILENAME }}');
  if (!p.ok) throw new Error('template');
  return p.template;
})();
