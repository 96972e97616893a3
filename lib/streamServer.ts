/**
 * The stream service worker (Chrome; lib/streamDownload.ts for the whole path): `stream-sw.js`, a
 * second service worker of the extension, registered by the offscreen document with the scope
 * `/stream/` and nothing else. It answers the offscreen document's navigation to `/stream/<jobId>`
 * with the engine's stream as an attachment.
 *
 * Why a second service worker: a fetch handler in the background's worker would put EVERY request
 * of the pages it controls through it — the offscreen document's, and so the engine worker's, one
 * dispatch per file (measured, 2026-12-02: 20,000 files of 8 KB at 317 files/s and +149 MB with the
 * handler, 398 files/s and +94 MB without). Chromium (156) does not apply static routes to a
 * dedicated worker's requests. This worker's scope holds only the stream URLs, so it controls no
 * page of ours; the background has no fetch handler at all.
 *
 * It has no extension API (`chrome.runtime` is not there): it asks the offscreen document, found
 * among the extension's windows, over a MessageChannel port. The document asks the background
 * whether the job's stream may open (once, for an offered stream), posts the checked download name
 * on the port, then hands the port to the engine worker, which posts `{ready}` on it and then grants
 * the ranges of its journaled copy that this worker reads into the download (lib/copyStream.ts).
 * Browser objects are passed in: unit tests drive it with fakes.
 */
import { jobIdOfStreamUrl, streamHeaders } from './streamDownload';
import { copyStreamOn, type ReadCopy } from './copyStream';

/** How long the stream worker waits for the engine's stream once it asked for it. */
export const STREAM_HANDOVER_TIMEOUT_MS = 10_000;

/** The stream worker's script, as the build names it (entrypoints/stream-sw.ts). */
export const STREAM_WORKER_PATH = '/stream-sw.js';

/** Stream worker → offscreen document. */
export type StreamWorkerToHost =
  /** With one port: the stream of job `jobId`, please (the name, then the stream, come on the port). */
  | { to: 'host'; type: 'stream/port'; jobId: string }
  /** The stream of job `jobId` could not be served (the copy will be saved instead). */
  | { to: 'host'; type: 'stream/broken'; jobId: string; reason: string };

export interface StreamServerDeps {
  /** `<extension origin>/`. */
  baseUrl: string;
  /** The offscreen document's URL (the engine host). */
  hostUrl: string;
  /** `self.clients.matchAll(...)`: the windows of the extension (the offscreen document among them). */
  clients(): Promise<readonly { url: string; postMessage(msg: StreamWorkerToHost, transfer?: Transferable[]): void }[]>;
  /** Reads bytes of job `jobId`'s journaled copy (the private file system's `exports/<jobId>.part`). */
  readCopy(jobId: string, from: number, to: number): Promise<Uint8Array>;
}

/** The longest download name taken from the document (names are checked by the background: lib/downloadName.ts). */
const MAX_NAME = 1000;

/**
 * The answer to a fetch of `url`: null when the URL is not a stream URL of ours (the fetch goes on
 * as usual), a 404 when the stream is refused, else the archive's stream as an attachment. A stream
 * the background had opened that still could not be served is reported broken to the document.
 */
export async function serveStream(url: string, deps: StreamServerDeps): Promise<Response | null> {
  const jobId = jobIdOfStreamUrl(url, deps.baseUrl);
  if (!jobId) return null;
  const got = await engineStream(jobId, deps);
  if (got.port && got.name) {
    const read: ReadCopy = (from, to) => deps.readCopy(jobId, from, to);
    return new Response(copyStreamOn(got.port, read), { status: 200, headers: streamHeaders(got.name) });
  }
  if (got.name) await report(deps, { to: 'host', type: 'stream/broken', jobId, reason: got.problem ?? 'the stream did not start' });
  return new Response('No such export is streaming.', { status: 404, headers: { 'Content-Type': 'text/plain' } });
}

const hostOf = async (deps: StreamServerDeps) => (await deps.clients()).find((c) => c.url.split(/[?#]/)[0] === deps.hostUrl);

async function report(deps: StreamServerDeps, msg: StreamWorkerToHost) {
  (await hostOf(deps))?.postMessage(msg);
}

interface Answer {
  /** The download name the background opened the stream under (null: not opened, refused). */
  name: string | null;
  /** The port the engine is ready to grant ranges on. */
  port?: MessagePort;
  /** Why there is no stream. */
  problem?: string;
}

/**
 * Asks the offscreen document for job `jobId`'s stream. On the port come, in this order, `{name}`
 * (the background opened the stream) or `{error}` (it did not), then the engine's `{ready: true}`
 * or `{error}`. Anything of another shape is a refusal.
 */
async function engineStream(jobId: string, deps: StreamServerDeps): Promise<Answer> {
  const host = await hostOf(deps);
  if (!host) return { name: null, problem: 'the engine host was not there' };
  const channel = new MessageChannel();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answer = new Promise<Answer>((resolve) => {
    let name: string | null = null;
    channel.port1.onmessage = (e: MessageEvent) => {
      const data = e.data as { name?: unknown; ready?: unknown; error?: unknown } | null;
      if (name === null && typeof data?.name === 'string' && data.name.length > 0 && data.name.length <= MAX_NAME) {
        name = data.name;
        return;
      }
      if (name !== null && data?.ready === true) return resolve({ name, port: channel.port1 });
      const error = typeof data?.error === 'string' ? ` (${data.error.slice(0, 200)})` : '';
      resolve({ name, problem: name === null ? `the stream was not opened${error}` : error ? `the engine refused the stream${error}` : "the engine's answer was not ready" });
    };
    timer = setTimeout(() => resolve({ name, problem: 'the engine did not hand over the stream in time' }), STREAM_HANDOVER_TIMEOUT_MS);
  });
  host.postMessage({ to: 'host', type: 'stream/port', jobId }, [channel.port2]);
  const got = await answer;
  clearTimeout(timer);
  if (!got.port) channel.port1.close();
  return got;
}
