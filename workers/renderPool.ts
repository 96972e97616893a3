/**
 * Rule "render steps in parallel": the HTML execution export renders step outputs in a small pool of
 * render workers (workers/render.ts), a few steps ahead of the one being zipped, so marked's work
 * runs on other cores while the engine fetches and writes. The output is the same as rendering in
 * the engine's thread, byte for byte: each output is rendered whole by one worker with the same
 * function (workers/renderStream.ts), and the documents take the pieces in step order.
 *
 * Bounded: at most {@link RenderPool.size} outputs are being rendered ahead of the one being
 * written, and each holds at most a piece or two of HTML until the ZIP takes it (the streams'
 * backpressure stops the reading of its Markdown, and so its download, meanwhile).
 *
 * Where no worker can be had (no spare core, see {@link renderWorkerCount}; Node tests; a browser
 * that cannot transfer streams; a worker that fails to start), the export renders in the engine's
 * thread as before.
 */
import * as Comlink from 'comlink';
import type { RenderNote } from '../lib/markdownRender';
import { SEGMENT_CHARS, unixNewlines } from '../lib/markdownSegments';
import type { RenderChunk, RenderService } from './renderStream';
import RenderWorker from './render?worker';

/**
 * Workers of the pool: none on 2 cores or fewer, else one per core beyond two, at most 2. Measured
 * on 2 shared cores (README, "Speed and memory"): 1 or 2 render workers were no faster than the
 * engine's own thread (the cores were already busy with fetching, zipping and the platform) and
 * each added 70–100 MB of heap (marked's garbage), past the 150 MB bound; with spare cores the
 * rendering, most of the export's CPU, runs beside the engine.
 */
export const renderWorkerCount = (cores: number | undefined): number => Math.max(0, Math.min(2, Math.floor(cores || 2) - 2));

/** An output being rendered: its HTML pieces, in order, once the document asks (refusals told to `onRemoved`). */
export interface StartedRender {
  pieces(onRemoved: (r: RenderNote) => void): AsyncGenerator<string>;
  /** Stops it (its Markdown is no longer read), when its document will never be written. */
  cancel(): void;
}

/** Markdown handed to a worker in pieces of at least this many characters (or the whole output): few messages. */
export const RENDER_INPUT_CHARS = SEGMENT_CHARS;

/**
 * A stream that reads `it` only when the renderer pulls, its pieces joined up to
 * {@link RENDER_INPUT_CHARS}, each piece's line ends made `\n` first as the renderer would
 * (`unixNewlines`), so joining changes nothing.
 */
function pulled(it: AsyncIterator<string>): ReadableStream<string> {
  return new ReadableStream<string>(
    {
      async pull(controller) {
        let text = '';
        for (;;) {
          const r = await it.next();
          if (!r.done) text += unixNewlines(r.value);
          if (r.done || text.length >= RENDER_INPUT_CHARS) {
            if (text) controller.enqueue(text);
            if (r.done) controller.close();
            return;
          }
        }
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

export class RenderPool {
  private readonly busy: number[];
  constructor(private readonly services: readonly RenderService[]) {
    this.busy = services.map(() => 0);
  }

  get size(): number {
    return this.services.length;
  }

  /** Starts rendering `chunks` now, on the least busy worker. */
  start(chunks: AsyncIterable<string>, headingOffset: number): StartedRender {
    let at = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i] < this.busy[at]) at = i;
    this.busy[at]++;
    let released = false;
    const release = () => {
      if (!released) this.busy[at]--;
      released = true;
    };
    const it = chunks[Symbol.asyncIterator]();
    const input = pulled(it);
    const output = Promise.resolve(this.services[at].render(input, headingOffset));
    output.catch(() => {}); // surfaces when the document reads it
    let reader: ReadableStreamDefaultReader<RenderChunk> | null = null;
    let cancelled = false;
    return {
      async *pieces(onRemoved) {
        let done = false;
        try {
          reader = (await output).getReader();
          for (;;) {
            const r = await reader.read();
            if (r.done) {
              done = true;
              return;
            }
            if (typeof r.value === 'string') yield r.value;
            else for (const removed of r.value.removed) onRemoved(removed);
          }
        } finally {
          release();
          if (!done) await reader?.cancel().catch(() => {});
        }
      },
      cancel() {
        if (cancelled) return;
        cancelled = true;
        release();
        // Its HTML is dropped; its Markdown source ends, which stops the reading of the body.
        void output.then((s) => (reader ? undefined : s.cancel()), () => {}).catch(() => {});
        void it.return?.()?.catch(() => {});
      },
    };
  }
}

/**
 * `source`'s items in order, each passed through `start` as soon as it is read, up to `depth`
 * items ahead of the one the reader holds (so their work runs meanwhile). Items started but never
 * handed out (the reader stopped) go to `cancel`.
 */
export async function* inOrderAhead<T, U>(source: AsyncIterable<T>, depth: number, start: (item: T) => U, cancel?: (started: U) => void): AsyncGenerator<U> {
  const it = source[Symbol.asyncIterator]();
  const ahead: U[] = [];
  let finished = false;
  try {
    for (;;) {
      while (!finished && ahead.length <= depth) {
        const r = await it.next();
        if (r.done) finished = true;
        else ahead.push(start(r.value));
      }
      if (!ahead.length) return;
      yield ahead.shift()!;
    }
  } finally {
    for (const started of ahead.splice(0)) cancel?.(started);
    if (!finished) await it.return?.(undefined);
  }
}

/** Whether this browser can hand a stream to a worker (Chrome can; where not, the engine renders itself). */
function canTransferStreams(): boolean {
  try {
    const stream = new ReadableStream();
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(stream, [stream as unknown as Transferable]);
    port1.close();
    port2.close();
    return true;
  } catch {
    return false;
  }
}

let shared: RenderPool | null | undefined;

/** The engine's pool, its workers started on first use and kept while the engine lives; null where there can be none. */
export function renderPool(): RenderPool | null {
  if (shared !== undefined) return shared;
  shared = null;
  if (typeof Worker !== 'function' || typeof MessageChannel !== 'function' || !canTransferStreams()) return shared;
  try {
    // A build may set the number (`VITE_RENDER_WORKERS=0 npx wxt build`: none, to compare in the bench).
    const set = (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_RENDER_WORKERS;
    const count = set !== undefined && set !== '' ? Math.max(0, Math.min(4, Math.floor(Number(set) || 0))) : renderWorkerCount(typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency);
    if (count === 0) return shared;
    const services = Array.from({ length: count }, () => remoteService(new RenderWorker({ name: 'render' })));
    shared = new RenderPool(services);
  } catch {
    shared = null;
  }
  return shared;
}

/** A worker's service, its streams transferred; a worker that fails (to load, or later) fails its renders with a clear error. */
function remoteService(worker: Worker): RenderService {
  const remote = Comlink.wrap<RenderService>(worker);
  let broken: Error | null = null;
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (e) => {
      broken = new Error(`A render worker failed: ${e.message || 'it did not start'}.`);
      shared = null; // later exports render in the engine's thread
      reject(broken);
    }),
  );
  failed.catch(() => {});
  return {
    async render(input, headingOffset) {
      if (broken) throw broken;
      return Promise.race([remote.render(Comlink.transfer(input, [input as unknown as Transferable]), headingOffset), failed]);
    },
  };
}
