/**
 * The service worker's side of the download stream (Chrome; lib/streamDownload.ts): it answers the
 * offscreen document's navigation to `/stream/<jobId>` — once, for a job the background has as
 * running with its stream offered — with the engine's stream as an attachment. The stream comes from
 * the engine worker itself: a MessageChannel's port goes to the offscreen document, which hands it
 * to the worker, which posts a ReadableStream back on it (one hop for the bytes, with backpressure).
 * Browser objects are passed in: unit tests drive it with fakes.
 */
import { jobIdOfStreamUrl, streamHeaders } from './streamDownload';

/** How long the service worker waits for the engine's stream once it asked for it. */
export const STREAM_HANDOVER_TIMEOUT_MS = 10_000;

export interface StreamServerDeps {
  /** `runtime.getURL('/')`. */
  baseUrl: string;
  /** The offscreen document's URL (the engine host). */
  hostUrl: string;
  /** `self.clients.matchAll(...)`: the windows of the extension (the offscreen document among them). */
  clients(): Promise<readonly { url: string; postMessage(msg: unknown, transfer: Transferable[]): void }[]>;
  /** lib/saving.ts `openStream`: the download name, once per offered stream, or null. */
  openStream(jobId: string): Promise<string | null>;
  /** lib/saving.ts `streamBroken`. */
  streamBroken(jobId: string, reason: string): Promise<void>;
}

/**
 * The answer to a fetch of `url`: null when the URL is not a stream URL of ours (the fetch goes on
 * as usual), a 404 when the stream is refused, else the archive's stream as an attachment.
 */
export async function serveStream(url: string, deps: StreamServerDeps): Promise<Response | null> {
  const jobId = jobIdOfStreamUrl(url, deps.baseUrl);
  if (!jobId) return null;
  const name = await deps.openStream(jobId);
  if (!name) return refused();
  const stream = await engineStream(jobId, deps);
  if (typeof stream === 'string') {
    await deps.streamBroken(jobId, stream);
    return refused();
  }
  return new Response(stream, { status: 200, headers: streamHeaders(name) });
}

const refused = () => new Response('No such export is streaming.', { status: 404, headers: { 'Content-Type': 'text/plain' } });

/** Asks the engine (through the offscreen document) for job `jobId`'s stream; a string says why not. */
export async function engineStream(jobId: string, deps: StreamServerDeps): Promise<ReadableStream<Uint8Array> | string> {
  const host = (await deps.clients()).find((c) => c.url.split(/[?#]/)[0] === deps.hostUrl);
  if (!host) return 'the engine host was not there';
  const channel = new MessageChannel();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answer = new Promise<unknown>((resolve) => {
    channel.port1.onmessage = (e) => resolve(e.data);
    timer = setTimeout(() => resolve(null), STREAM_HANDOVER_TIMEOUT_MS);
  });
  host.postMessage({ to: 'host', type: 'stream/port', jobId }, [channel.port2]);
  const data = (await answer) as { stream?: unknown; error?: unknown } | null;
  clearTimeout(timer);
  channel.port1.close();
  // Only a stream is taken from the engine's answer: anything else is a refusal.
  if (data && data.stream instanceof ReadableStream) return data.stream as ReadableStream<Uint8Array>;
  if (data === null) return 'the engine did not hand over the stream in time';
  return typeof data?.error === 'string' ? `the engine refused the stream (${data.error.slice(0, 200)})` : 'the engine\'s answer was not a stream';
}
