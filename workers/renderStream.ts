/**
 * One step output rendered to safe HTML as a stream: what a render worker (workers/render.ts) does
 * for the engine, and what the tests run in-process. The Markdown comes in as a stream of text, the
 * HTML goes out as a stream of pieces, each pulled only when the reader wants it: an output nobody
 * reads yet stops the reading of its Markdown (and so of its download) after a piece or two.
 */
import { renderOutputHtml, type RenderNote } from '../lib/markdownRender';

/** A piece of HTML, or, last, what the sanitiser refused in the output (only when it refused something). */
export type RenderChunk = string | { removed: RenderNote[] };

/** Renders an output: `renderOutputHtml` itself, the same pieces in the same order. */
export interface RenderService {
  render(input: ReadableStream<string>, headingOffset: number): Promise<ReadableStream<RenderChunk>> | ReadableStream<RenderChunk>;
}

/** The text of a stream, as an async iterable (the stream's reader released, or cancelled, at the end). */
export async function* streamText(input: ReadableStream<string>): AsyncGenerator<string> {
  const reader = input.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** HTML handed back in pieces of at least this many characters (or the whole output). */
export const OUTPUT_CHARS = 256 * 1024;

/** `input`'s Markdown as HTML pieces, then the refusals (if any). */
export function renderStream(input: ReadableStream<string>, headingOffset: number): ReadableStream<RenderChunk> {
  const removed: RenderNote[] = [];
  const pieces = renderOutputHtml(streamText(input), { headingOffset, onRemoved: (r) => removed.push(r) });
  return new ReadableStream<RenderChunk>(
    {
      async pull(controller) {
        // Pieces joined up to OUTPUT_CHARS: fewer messages; the document only ever concatenates them.
        let html = '';
        for (;;) {
          const r = await pieces.next();
          if (!r.done) html += r.value;
          if (r.done || html.length >= OUTPUT_CHARS) {
            if (html) controller.enqueue(html);
            if (!r.done) return;
            if (removed.length) controller.enqueue({ removed });
            return controller.close();
          }
        }
      },
      async cancel() {
        await pieces.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/** The service in this thread (tests; and where workers cannot be had). */
export const localRenderService: RenderService = { render: renderStream };
