/** Chrome's offscreen document: hosts the export engine's worker for the service worker. */
import { browser } from 'wxt/browser';
import type { BackgroundToHost, HostToBackground } from '../../lib/messages';
import { isAddressedTo, jobIdShape } from '../../lib/messageSchema';
import { authorize, senderContextOf, type MessageSenderLike } from '../../lib/senders';
import { streamPathOf } from '../../lib/streamDownload';
import { STREAM_WORKER_PATH } from '../../lib/streamServer';
import { EngineHost } from '../../workers/host';
import { activeJobIds } from '../../workers/opfs';

const toBackground = (msg: HostToBackground) => browser.runtime.sendMessage(msg).catch(() => null);

/** The hidden iframes whose navigation the stream worker answers with a job's stream (lib/streamServer.ts). */
const frames = new Map<string, HTMLIFrameElement>();

/**
 * The stream service worker (lib/streamServer.ts), scope `/stream/`: registered once, on the first
 * stream. Null when Chrome refuses it (then nothing streams: the copy is downloaded).
 */
let streamWorker: Promise<ServiceWorker | null> | null = null;
const streamWorkerUrl = browser.runtime.getURL(STREAM_WORKER_PATH as '/offscreen.html');

function activeStreamWorker(): Promise<ServiceWorker | null> {
  streamWorker ??= navigator.serviceWorker
    .register(streamWorkerUrl, { scope: browser.runtime.getURL(streamPathOf('') as '/offscreen.html') })
    .then(async (reg) => {
      const w = reg.active ?? reg.waiting ?? reg.installing;
      if (w && w.state !== 'activated')
        await new Promise<void>((r) => w.addEventListener('statechange', () => (w.state === 'activated' || w.state === 'redundant') && r()));
      return reg.active;
    })
    .catch((err: Error) => {
      console.warn('[workflow-exporter] the stream service worker was not registered:', err.message);
      streamWorker = null;
      return null;
    });
  return streamWorker;
}
// Registered at once: the first export's stream does not wait for its install.
void activeStreamWorker();

/** Asks the background whether `jobId` may stream; if so, opens `/stream/<jobId>` in a hidden iframe. */
async function offerStream(jobId: string, filename: string): Promise<boolean> {
  if (!(await activeStreamWorker())) return false;
  const msg: HostToBackground = { to: 'background', type: 'host/stream', jobId, filename };
  const reply = (await toBackground(msg)) as { ok?: unknown } | null;
  if (reply?.ok !== true) return false;
  frames.get(jobId)?.remove();
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = browser.runtime.getURL(streamPathOf(jobId) as '/offscreen.html');
  document.body.append(frame);
  frames.set(jobId, frame);
  return true;
}

const host = new EngineHost(
  (msg) => void toBackground(msg),
  // The leftover sweep keeps every job the background still has as active.
  async () => activeJobIds(await browser.runtime.sendMessage({ to: 'background', type: 'jobs/list' })),
  offerStream,
);

// Host commands come from the background only (lib/senders.ts): a content script's runtime
// messages reach this document too.
const ctx = senderContextOf(browser.runtime as never);

browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
  if (!isAddressedTo(raw, 'host')) return false;
  const auth = authorize(raw, sender as MessageSenderLike, ctx);
  if (!auth.ok) {
    console.warn('[workflow-exporter] refused a message:', auth.reason);
    sendResponse({ error: auth.reason });
    return false;
  }
  const m = auth.msg as BackgroundToHost;
  // Answer at once: the outcome comes later as its own message (the service-worker lifetime trap).
  if (m.type === 'host/run') host.run(m.job);
  else if (m.type === 'host/cancel') host.cancel(m.jobId);
  else if (m.type === 'host/stream-failed') host.streamFailed(m.jobId, m.reason);
  else if (m.type === 'host/cleanup') {
    frames.get(m.jobId)?.remove();
    frames.delete(m.jobId);
    void host.cleanup(m.jobId);
  }
  sendResponse({ ok: true, active: host.activeJobs() });
  return false;
});

/**
 * The stream service worker's asks (lib/streamServer.ts). Taken only from that worker (its script
 * URL), in its two shapes: `stream/port` with one port — the background opens the stream (once, for
 * an offered one) and its checked name goes on the port, then the port goes to the engine, which
 * posts the stream on it — and `stream/broken`, passed on to the background.
 */
navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
  const source = event.source as ServiceWorker | null;
  const data = event.data as { to?: unknown; type?: unknown; jobId?: unknown; reason?: unknown } | null;
  if (!(source instanceof ServiceWorker) || source.scriptURL !== streamWorkerUrl || !data || data.to !== 'host') return;
  let jobId: string;
  try {
    jobId = jobIdShape(data.jobId, 'jobId');
  } catch {
    for (const p of event.ports ?? []) p.close();
    return;
  }
  const port = event.ports?.[0];
  if (data.type === 'stream/port' && port && event.ports.length === 1) void openStream(jobId, port);
  else if (data.type === 'stream/broken' && typeof data.reason === 'string' && !event.ports?.length)
    void toBackground({ to: 'background', type: 'host/stream-broken', jobId, reason: data.reason.slice(0, 1000) });
});
navigator.serviceWorker.startMessages();

/** The stream worker's ask for job `jobId`'s stream: the background's name for it on the port, then the engine's stream. */
async function openStream(jobId: string, port: MessagePort) {
  const reply = (await toBackground({ to: 'background', type: 'host/stream-open', jobId })) as { name?: unknown } | null;
  if (typeof reply?.name !== 'string') {
    port.postMessage({ error: 'This export is not streaming.' });
    port.close();
    return;
  }
  port.postMessage({ name: reply.name });
  host.attachStream(jobId, port);
}
