import { describe, expect, it } from 'vitest';
import {
  PALETTE,
  contrastColor,
  drawingPlan,
  estimateTextWidth,
  fontSizeFor,
  labelColor,
  labelPalette,
  labelText,
  lineWidthFor,
  normalizeColor,
  type DrawOp,
} from '../../lib/annotationPlan';
import type { Shape } from '../../lib/platform';
import { Semaphore, executePlan, type PlanContext } from '../../workers/annotate';
import { annotationsJson } from '../../workers/annotatedCaseFiles';

const S = (kind: Shape['kind'], points: [number, number][], label = 'nodule', color: string | null = null): Shape => ({ kind, points, label, color });
type Label = Extract<DrawOp, { op: 'label' }>;
const labelsOf = (plan: DrawOp[]) => plan.filter((o): o is Label => o.op === 'label');
const shapesOf = (plan: DrawOp[]) => plan.filter((o) => o.op !== 'label');
const inside = (l: Label, w: number, h: number) =>
  l.box.x >= 0 && l.box.y >= 0 && l.box.x + l.box.width <= w && l.box.y + l.box.height <= h;

describe('drawingPlan: shapes', () => {
  it('draws a box as the rectangle between its corners, whichever corners they are', () => {
    const [op] = drawingPlan([S('box', [[200, 150], [40, 30]])], 320, 240);
    expect(op).toEqual({ op: 'rect', x: 40, y: 30, width: 160, height: 120, color: labelColor('nodule'), lineWidth: 2 });
  });

  it('draws a polygon closed and a polyline open, through every point in order', () => {
    const pts: [number, number][] = [[10, 10], [100, 20], [60, 90]];
    const [poly, line] = drawingPlan([S('polygon', pts), S('polyline', pts)], 320, 240);
    expect(poly).toMatchObject({ op: 'path', closed: true, points: pts });
    expect(line).toMatchObject({ op: 'path', closed: false, points: pts });
  });

  it('draws a point as a filled disc with a contrasting rim', () => {
    const [op] = drawingPlan([S('point', [[50.5, 60.5]], 'x', '#ffe119')], 320, 240);
    expect(op).toEqual({ op: 'point', x: 50.5, y: 60.5, radius: 6, color: '#ffe119', outline: '#000000', lineWidth: 1 });
  });

  it('degenerate shapes: one point is a point, two-point polygon is a line, no finite point is skipped', () => {
    const plan = drawingPlan(
      [
        S('polyline', [[5, 5]]),
        S('polygon', [[1, 1], [9, 9]]),
        S('box', []),
        S('polygon', [[Number.NaN, 3], [4, Infinity]]),
        S('box', [[1, 2], [7, 3], [4, 9]]),
      ],
      100,
      100,
    );
    expect(shapesOf(plan).map((o) => o.op)).toEqual(['point', 'path', 'rect']);
    expect(shapesOf(plan)[1]).toMatchObject({ closed: false });
    expect(shapesOf(plan)[2]).toMatchObject({ x: 1, y: 2, width: 6, height: 7 });
    expect(labelsOf(plan)).toHaveLength(3);
  });

  it('draws every shape before any label, in the order given', () => {
    const plan = drawingPlan([S('box', [[0, 0], [9, 9]], 'a'), S('point', [[5, 5]], 'b'), S('polyline', [[1, 1], [2, 2]], 'c')], 320, 240);
    expect(plan.map((o) => o.op)).toEqual(['rect', 'point', 'path', 'label', 'label', 'label']);
    expect(labelsOf(plan).map((l) => l.text)).toEqual(['a', 'b', 'c']);
  });

  it('scales line width, font and point radius with the image', () => {
    expect([lineWidthFor(320, 240), lineWidthFor(640, 480), lineWidthFor(4000, 3000), lineWidthFor(10, 10)]).toEqual([2, 3, 19, 2]);
    expect([fontSizeFor(320, 240), fontSizeFor(640, 480), fontSizeFor(4000, 3000)]).toEqual([12, 15, 94]);
    const big = drawingPlan([S('box', [[0, 0], [9, 9]]), S('point', [[500, 500]])], 4000, 3000);
    expect(big[0]).toMatchObject({ lineWidth: 19 });
    expect(big[1]).toMatchObject({ radius: 57 });
    expect(labelsOf(big)[0]).toMatchObject({ font: '94px sans-serif', fontSize: 94 });
  });
});

describe('drawingPlan: colours', () => {
  it('uses the label colour, or the shape’s own colour when it has one', () => {
    const plan = drawingPlan([S('box', [[0, 0], [5, 5]], 'lesion'), S('box', [[0, 0], [5, 5]], 'lesion', '#3CB44B')], 320, 240);
    expect(plan[0]).toMatchObject({ color: labelColor('lesion') });
    expect(plan[1]).toMatchObject({ color: '#3cb44b' });
    expect(labelsOf(plan).map((l) => l.background)).toEqual([labelColor('lesion'), '#3cb44b']);
  });

  it('accepts every CSS colour form, alpha kept; ignores what a canvas would not take', () => {
    expect(normalizeColor('#abc')).toBe('#aabbcc');
    expect(normalizeColor('#11223344')).toBe('rgba(17, 34, 51, 0.267)');
    expect(normalizeColor('red')).toBe('#ff0000');
    expect(normalizeColor('rgb(1,2,3)')).toBe('#010203');
    expect(normalizeColor('hsl(120 100% 25% / 50%)')).toBe('rgba(0, 128, 0, 0.5)');
    for (const bad of ['#12345', '', null, 42, 'url(x)', 'currentcolor', 'rgb(1,2)']) expect(normalizeColor(bad)).toBeNull();
    const [op] = drawingPlan([S('box', [[0, 0], [5, 5]], 'mass', 'javascript:alert(1)')], 320, 240);
    expect(op).toMatchObject({ color: labelColor('mass') });
  });

  it('draws a shape in its colour with its alpha, its label box opaque; a parser given wins', () => {
    const plan = drawingPlan([S('box', [[0, 0], [50, 50]], 'mass', 'rgba(0, 0, 255, 0.5)')], 320, 240);
    expect(plan[0]).toMatchObject({ color: 'rgba(0, 0, 255, 0.5)' });
    expect(labelsOf(plan)[0]).toMatchObject({ background: '#0000ff', color: '#ffffff' });
    const [op] = drawingPlan([S('box', [[0, 0], [5, 5]], 'mass', 'oklch(70% 0.1 200)')], 320, 240, {
      parseColor: (c) => (c.startsWith('oklch') ? { r: 1, g: 2, b: 3, a: 1 } : null),
    });
    expect(op).toMatchObject({ color: '#010203' });
  });

  it('labelColor is stable and from the palette', () => {
    for (const l of ['nodule', 'lesion', 'artifact', 'mass', '', 'Läsion (rechts)', '🫁']) {
      expect(labelColor(l)).toBe(labelColor(l));
      expect(PALETTE).toContain(labelColor(l));
    }
    expect(new Set(PALETTE).size).toBe(PALETTE.length);
  });

  it('labelPalette gives the labels of one export distinct colours, the same whatever their order', () => {
    const labels = Array.from({ length: PALETTE.length }, (_, i) => `label ${i}`);
    const a = labelPalette(labels);
    expect(new Set(a.values()).size).toBe(PALETTE.length);
    expect(labelPalette([...labels].reverse())).toEqual(a);
    // Beyond the palette, colours repeat but every label still has one.
    const many = labelPalette([...labels, 'extra 1', 'extra 2']);
    expect(many.size).toBe(PALETTE.length + 2);
    // A plan follows the palette it is given.
    const [op] = drawingPlan([S('box', [[0, 0], [5, 5]], 'label 3')], 320, 240, { colors: a });
    expect(op).toMatchObject({ color: a.get('label 3') });
  });

  it('label text is black on light colours and white on dark ones', () => {
    expect(contrastColor('#ffe119')).toBe('#000000');
    expect(contrastColor('#aaffc3')).toBe('#000000');
    expect(contrastColor('#000075')).toBe('#ffffff');
    expect(contrastColor('#800000')).toBe('#ffffff');
  });
});

describe('drawingPlan: labels', () => {
  const measure = (text: string, _font: string, size: number) => text.length * size * 0.5;

  it('sits just above the shape’s top-left corner, text inside its box', () => {
    const [, label] = drawingPlan([S('box', [[100, 100], [200, 180]], 'nodule')], 320, 240, { measure }) as [DrawOp, Label];
    // font 12, padding 3: box 12 + 6 high, 6 * 6 + 6 wide; gap = lineWidth / 2 + 1 = 2.
    expect(label.box).toEqual({ x: 100, y: 100 - 18 - 2, width: 42, height: 18 });
    expect([label.x, label.y]).toEqual([103, 83]);
    expect(label.text).toBe('nodule');
  });

  it('goes below the top edge when there is no room above', () => {
    const [, label] = drawingPlan([S('polygon', [[50, 5], [90, 60], [10, 60]], 'mass')], 320, 240, { measure }) as [DrawOp, Label];
    expect(label.box.y).toBe(5 + 2);
    expect(label.box.x).toBe(10);
  });

  it('is clamped inside the image at every edge', () => {
    const w = 320;
    const h = 240;
    const plan = drawingPlan(
      [
        S('box', [[300, 0], [319, 10]], 'a long label at the right edge'),
        S('box', [[0, 235], [10, 239]], 'bottom'),
        S('point', [[319, 239]], 'corner point'),
        S('point', [[0, 0]], 'origin'),
        S('polyline', [[-50, -50], [-10, -10]], 'outside'),
      ],
      w,
      h,
      { measure },
    );
    for (const l of labelsOf(plan)) expect(inside(l, w, h), JSON.stringify(l.box)).toBe(true);
    const [right, bottom, corner, origin] = labelsOf(plan);
    expect(right.box.x + right.box.width).toBe(w);
    // Room above: the label stays above the shape.
    expect(bottom.box.y + bottom.box.height).toBeLessThanOrEqual(235);
    // A point in the bottom-right corner: its label is pushed up to the bottom edge…
    expect(corner.box.y + corner.box.height).toBe(h);
    // …and, near the right edge, sits on the left of the marker.
    expect(corner.box.x + corner.box.width).toBeLessThanOrEqual(319 - 6);
    // …and on the right otherwise.
    expect(origin.box.x).toBeGreaterThanOrEqual(6);
  });

  it('a label wider than the image starts at its left edge', () => {
    const [, label] = drawingPlan([S('box', [[5, 50], [10, 60]], 'x'.repeat(60))], 100, 100, { measure }) as [DrawOp, Label];
    expect(label.box.x).toBe(0);
    expect(label.box.width).toBeGreaterThan(100);
  });

  it('cleans and shortens the text; no label box for an empty label', () => {
    expect(labelText('a\nb\tc\u0000')).toBe('a b c');
    expect([...labelText('ü'.repeat(100))]).toHaveLength(64);
    expect(labelText('ü'.repeat(100)).endsWith('…')).toBe(true);
    const plan = drawingPlan([S('box', [[0, 0], [5, 5]], ''), S('box', [[0, 0], [5, 5]], '  ')], 320, 240);
    expect(labelsOf(plan)).toHaveLength(0);
    expect(shapesOf(plan)).toHaveLength(2);
  });

  it('estimates wide characters wider', () => {
    expect(estimateTextWidth('ab', 10)).toBe(12);
    expect(estimateTextWidth('東京', 10)).toBe(20);
  });
});

describe('executing a plan', () => {
  it('issues the canvas calls of each op with its own style', () => {
    const calls: string[] = [];
    const state: Record<string, unknown> = {};
    const ctx = new Proxy(state, {
      get: (t, k: string) =>
        k in t ? t[k] : (...args: unknown[]) => (calls.push(`${k}(${args.join(',')})`), k === 'measureText' ? { width: 10 } : undefined),
      set: (t, k: string, v) => {
        calls.push(`${k}=${v}`);
        return true;
      },
    }) as unknown as PlanContext;
    const plan = drawingPlan([S('box', [[1, 2], [3, 4]], 'a', '#112233'), S('polygon', [[0, 0], [5, 0], [5, 5]], 'b', '#445566'), S('point', [[7, 8]], 'c', '#ffffff')], 320, 240);
    executePlan(ctx, plan);
    expect(calls).toContain('rect(1,2,2,2)');
    expect(calls).toContain('strokeStyle=#112233');
    expect(calls.filter((c) => c === 'closePath()')).toHaveLength(1);
    expect(calls).toContain('arc(7,8,6,0,' + Math.PI * 2 + ')');
    expect(calls).toContain('fillText(a,' + labelsOf(plan)[0].x + ',' + labelsOf(plan)[0].y + ')');
    expect(calls.filter((c) => c === 'save()')).toHaveLength(plan.length);
    expect(calls.filter((c) => c === 'restore()')).toHaveLength(plan.length);
  });
});

describe('Semaphore', () => {
  it('runs at most N at once and gives up waiting on abort', async () => {
    const gate = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const job = () =>
      gate.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      });
    await Promise.all(Array.from({ length: 9 }, job));
    expect(peak).toBe(2);
    const ac = new AbortController();
    let release!: () => void;
    const hold = gate.run(() => new Promise<void>((r) => (release = r)));
    const hold2 = gate.run(() => new Promise<void>((r) => setTimeout(r, 20)));
    const waiting = gate.run(async () => 'ran', ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    release();
    await Promise.all([hold, hold2]);
    expect(await gate.run(async () => 'free again')).toBe('free again');
  });
});

describe('annotations.json helpers', () => {
  it('keys by path in path order, [] for files without shapes', async () => {
    const json = JSON.parse(
      await annotationsJson(
        new Map([
          ['b/x.png', [{ submissionId: 's1', shapes: [S('point', [[1, 2]])] }]],
          ['a.txt', []],
        ]),
      ).text(),
    );
    expect(Object.keys(json)).toEqual(['a.txt', 'b/x.png']);
    expect(json['a.txt']).toEqual([]);
    expect(JSON.parse(await annotationsJson(new Map()).text())).toEqual({});
  });
});
