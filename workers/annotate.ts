/**
 * Draws annotation shapes on an image in the export worker: decode (`createImageBitmap`), draw the
 * plan of `lib/annotationPlan.ts` on an `OffscreenCanvas`, encode in the original format (PNG
 * stays PNG, JPEG stays JPEG at quality 0.92). At most `concurrency` images are decoded and
 * rendered at once, and every bitmap and canvas is released right after, so memory stays flat
 * (a few decoded images) whatever the number of images.
 */
import type { Shape } from '../lib/platform';
import { drawingPlan, sniffImageFormat, type DrawOp, type ImageFormat, type PlanOptions } from '../lib/annotationPlan';

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
  /** The format the file says it is (content type or extension); the bytes' own signature wins. */
  format: ImageFormat;
  colors?: PlanOptions['colors'];
  signal?: AbortSignal;
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message || err.name : String(err));

/** Renders annotated images, a bounded number at a time. One per export. */
export class ImageAnnotator {
  private readonly gate: Semaphore;
  constructor(concurrency = DEFAULT_RENDER_CONCURRENCY) {
    this.gate = new Semaphore(Math.max(1, concurrency));
  }

  /**
   * `content` with `shapes` drawn on it, in its own format; null (store it unchanged) when it
   * cannot be decoded or rendered, after `note`-ing why.
   */
  async annotate(content: Blob, shapes: readonly Shape[], note: (reason: string) => void, opts: AnnotateOptions): Promise<Blob | null> {
    return this.gate.run(async () => {
      const head = new Uint8Array(await content.slice(0, 16).arrayBuffer());
      const format = sniffImageFormat(head) ?? opts.format;
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(content);
      } catch (err) {
        note(`could not decode image: ${reasonOf(err)}; stored without annotations`);
        return null;
      }
      let canvas: OffscreenCanvas | null = null;
      try {
        opts.signal?.throwIfAborted();
        const { width, height } = bitmap;
        if (!width || !height) throw new Error('the image is empty');
        canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d', { alpha: format === 'image/png' });
        if (!ctx) throw new Error('no 2D canvas context');
        ctx.drawImage(bitmap, 0, 0);
        bitmap.close();
        const plan = drawingPlan(shapes, width, height, {
          colors: opts.colors,
          measure: (text, font) => {
            ctx.font = font;
            return Math.ceil(ctx.measureText(text).width);
          },
        });
        executePlan(ctx, plan);
        const out = await canvas.convertToBlob({ type: format, quality: JPEG_QUALITY });
        if (out.type && out.type !== format) throw new Error(`the browser cannot encode ${format}`);
        return out;
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        note(`could not draw the annotations: ${reasonOf(err)}; stored without annotations`);
        return null;
      } finally {
        bitmap.close();
        // Free the backing store now rather than at garbage collection.
        if (canvas) canvas.width = canvas.height = 0;
      }
    }, opts.signal);
  }
}
