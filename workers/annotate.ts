/**
 * Draws annotation shapes on an image in the export worker: decode (`createImageBitmap`), draw the
 * plan of `lib/annotationPlan.ts` on an `OffscreenCanvas`, encode in the format chosen when the
 * file was named (`lib/imageFormats.ts`: PNG, JPEG at quality 0.92, WebP; else PNG). Shape
 * colours are parsed by the canvas itself. At most `concurrency` images are decoded and
 * rendered at once, and every bitmap and canvas is released right after, so memory stays flat
 * (a few decoded images) whatever the number of images.
 */
import type { Shape } from '../lib/platform';
import { drawingPlan, type DrawOp, type PlanOptions } from '../lib/annotationPlan';
import { MAX_COLOR_LENGTH, parseCssColor, type Rgba } from '../lib/cssColor';
import { SNIFF_BYTES, isDrawable, sniffImageFormat, type ImageKind, type WrittenFormat } from '../lib/imageFormats';

/** Images decoded and rendered at once, per export. */
export const DEFAULT_RENDER_CONCURRENCY = 2;
/** JPEG quality of re-encoded images. */
export const JPEG_QUALITY = 0.92;

/** A counting semaphore: at most `size` holders at once; waiting stops when `signal` aborts. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly size: number) {}

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release() {
    this.active--;
    this.waiting.shift()?.();
  }
}

/** The parts of a 2D context a plan needs (OffscreenCanvasRenderingContext2D has them all). */
export type PlanContext = Pick<
  OffscreenCanvasRenderingContext2D,
  | 'save'
  | 'restore'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'closePath'
  | 'rect'
  | 'arc'
  | 'stroke'
  | 'fill'
  | 'fillRect'
  | 'fillText'
  | 'measureText'
  | 'strokeStyle'
  | 'fillStyle'
  | 'lineWidth'
  | 'lineJoin'
  | 'lineCap'
  | 'font'
  | 'textBaseline'
  | 'textAlign'
>;

/** Draws `plan` on `ctx`. */
export function executePlan(ctx: PlanContext, plan: readonly DrawOp[]): void {
  for (const op of plan) {
    ctx.save();
    switch (op.op) {
      case 'rect':
        ctx.strokeStyle = op.color;
        ctx.lineWidth = op.lineWidth;
        ctx.lineJoin = 'miter';
        ctx.beginPath();
        ctx.rect(op.x, op.y, op.width, op.height);
        ctx.stroke();
        break;
      case 'path':
        ctx.strokeStyle = op.color;
        ctx.lineWidth = op.lineWidth;
        ctx.lineJoin = 'round';
        ctx.lineCap = 'round';
        ctx.beginPath();
        op.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        if (op.closed) ctx.closePath();
        ctx.stroke();
        break;
      case 'point':
        ctx.beginPath();
        ctx.arc(op.x, op.y, op.radius, 0, Math.PI * 2);
        ctx.fillStyle = op.color;
        ctx.fill();
        ctx.strokeStyle = op.outline;
        ctx.lineWidth = op.lineWidth;
        ctx.stroke();
        break;
      case 'label':
        ctx.fillStyle = op.background;
        ctx.fillRect(op.box.x, op.box.y, op.box.width, op.box.height);
        ctx.fillStyle = op.color;
        ctx.font = op.font;
        ctx.textBaseline = 'top';
        ctx.textAlign = 'left';
        ctx.fillText(op.text, op.x, op.y);
        break;
    }
    ctx.restore();
  }
}

export interface AnnotateOptions {
  /** The format the drawn image is written in (decided when the file was named). */
  format: WrittenFormat;
  colors?: PlanOptions['colors'];
  signal?: AbortSignal;
}

/** What the annotator made of one file. */
export interface Annotated {
  /** The bytes to store instead, or null: store the file unchanged. */
  content: Blob | null;
  /** The size of the image as written (null: not decoded). */
  width: number | null;
  height: number | null;
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message || err.name : String(err));

/** The formats this browser's canvas encodes (checked once: a browser that cannot encode falls back to PNG). */
export async function encoderSupport(): Promise<(type: WrittenFormat) => boolean> {
  const supported = new Set<WrittenFormat>(['image/png']);
  if (typeof OffscreenCanvas === 'undefined') return (t) => supported.has(t);
  for (const type of ['image/jpeg', 'image/webp'] as const) {
    try {
      const canvas = new OffscreenCanvas(2, 2);
      canvas.getContext('2d')?.fillRect(0, 0, 1, 1);
      if ((await canvas.convertToBlob({ type })).type === type) supported.add(type);
    } catch {
      /* not supported */
    }
  }
  return (t) => supported.has(t);
}

/**
 * The canvas's own colour parser: the colour is assigned to a scratch context's `fillStyle`,
 * between two sentinels, so every CSS colour form the browser knows is accepted and anything else
 * is refused; what the canvas reads back is turned into channels (by painting one pixel when its
 * serialisation is not `#rrggbb`/`rgba()`).
 */
export function canvasColorParser(): (color: string) => Rgba | null {
  if (typeof OffscreenCanvas === 'undefined') return parseCssColor;
  const canvas = new OffscreenCanvas(1, 1);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return parseCssColor;
  const cache = new Map<string, Rgba | null>();
  return (color) => {
    if (typeof color !== 'string' || color.length > MAX_COLOR_LENGTH) return null;
    if (cache.has(color)) return cache.get(color)!;
    ctx.fillStyle = '#010203';
    ctx.fillStyle = color;
    const first = String(ctx.fillStyle);
    ctx.fillStyle = '#030201';
    ctx.fillStyle = color;
    const second = String(ctx.fillStyle);
    let out: Rgba | null = null;
    if (!(first === '#010203' && second === '#030201')) {
      out = parseCssColor(first);
      if (!out) {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillRect(0, 0, 1, 1);
        const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
        out = { r, g, b, a: Math.round((a / 255) * 1000) / 1000 };
      }
    }
    if (cache.size > 1000) cache.clear();
    cache.set(color, out);
    return out;
  };
}

/** Renders annotated images, a bounded number at a time. One per export. */
export class ImageAnnotator {
  private readonly gate: Semaphore;
  private parseColor: ((c: string) => Rgba | null) | null = null;
  constructor(concurrency = DEFAULT_RENDER_CONCURRENCY) {
    this.gate = new Semaphore(Math.max(1, concurrency));
  }

  /** The format the bytes say they are, when the canvas may decode them; else a reason. */
  private async decodable(content: Blob): Promise<{ ok: true; kind: ImageKind } | { ok: false; reason: string }> {
    const kind = sniffImageFormat(new Uint8Array(await content.slice(0, SNIFF_BYTES).arrayBuffer()));
    if (kind === 'svg') return { ok: false, reason: 'SVG images are not drawn on (never rendered, for their scripts); stored unchanged' };
    if (!isDrawable(kind)) return { ok: false, reason: 'could not decode image: its bytes are not an image format the browser decodes; stored without annotations' };
    return { ok: true, kind };
  }

  /**
   * `content` with `shapes` drawn on it, written as `opts.format`; `content: null` (store it
   * unchanged) when it cannot be decoded or rendered, after `note`-ing why.
   */
  async annotate(content: Blob, shapes: readonly Shape[], note: (reason: string) => void, opts: AnnotateOptions): Promise<Annotated> {
    return this.gate.run(async () => {
      const kind = await this.decodable(content);
      if (!kind.ok) {
        note(kind.reason);
        return { content: null, width: null, height: null };
      }
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(content);
      } catch (err) {
        note(`could not decode image: ${reasonOf(err)}; stored without annotations`);
        return { content: null, width: null, height: null };
      }
      let canvas: OffscreenCanvas | null = null;
      const { width, height } = bitmap;
      try {
        opts.signal?.throwIfAborted();
        if (!width || !height) throw new Error('the image is empty');
        canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d', { alpha: opts.format !== 'image/jpeg' });
        if (!ctx) throw new Error('no 2D canvas context');
        ctx.drawImage(bitmap, 0, 0);
        bitmap.close();
        this.parseColor ??= canvasColorParser();
        const plan = drawingPlan(shapes, width, height, {
          colors: opts.colors,
          parseColor: this.parseColor,
          measure: (text, font) => {
            ctx.font = font;
            return Math.ceil(ctx.measureText(text).width);
          },
        });
        executePlan(ctx, plan);
        const out = await canvas.convertToBlob({ type: opts.format, quality: JPEG_QUALITY });
        if (out.type && out.type !== opts.format) throw new Error(`the browser cannot encode ${opts.format}`);
        return { content: out, width, height };
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        note(`could not draw the annotations: ${reasonOf(err)}; stored without annotations`);
        return { content: null, width: width || null, height: height || null };
      } finally {
        bitmap.close();
        // Free the backing store now rather than at garbage collection.
        if (canvas) canvas.width = canvas.height = 0;
      }
    }, opts.signal);
  }

  /** The size of an image stored unchanged (label files need it); null after `note`-ing why. */
  async measure(content: Blob, note: (reason: string) => void, signal?: AbortSignal): Promise<{ width: number; height: number } | null> {
    return this.gate.run(async () => {
      const kind = await this.decodable(content);
      if (!kind.ok) {
        note(kind.reason.replace(/; stored.*$/, '; its shapes are not in the label files'));
        return null;
      }
      try {
        const bitmap = await createImageBitmap(content);
        const size = { width: bitmap.width, height: bitmap.height };
        bitmap.close();
        if (!size.width || !size.height) throw new Error('the image is empty');
        return size;
      } catch (err) {
        note(`could not decode image: ${reasonOf(err)}; its shapes are not in the label files`);
        return null;
      }
    }, signal);
  }
}
