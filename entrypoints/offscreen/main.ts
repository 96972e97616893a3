/** Chrome's offscreen document: hosts the export engine's worker for the service worker. */
import { browser } from 'wxt/browser';
import type { BackgroundToHost, HostToBackground } from '../../lib/messages';
import { isAddressedTo, jobIdShape } from '../../lib/messageSchema';
import { authorize, BACKGROUND_PATH, senderContextOf, type MessageSenderLike } from '../../lib/senders';
import { streamPathOf } from '../../lib/streamDownload';
import { EngineHost } from '../../workers/host';
import { activeJobIds } from '../../workers/opfs';

/** The hidden iframes whose navigation the service worker answers with a job's stream (lib/streamDownload.ts). */
const frames = new Map<string, HTMLIFrameElement>();

/** Asks the background whether `jobId` may stream; if so, opens `/stream/<jobId>` in a hidden iframe. */
async function offerStream(jobId: string, filename: string): Promise<boolean> {
  const msg: HostToBackground = { to: 'background', type: 'host/stream', jobId, filename };
  const reply = (await browser.runtime.sendMessage(msg).catch(() => null)) as { ok?: unknown } | null;
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
  (msg) => {
    browser.runtime.sendMessage(msg).catch(() => {});
  },
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
 * The service worker's port for a job's download stream. Taken only from our own service worker
 * (its script URL), in the one shape it sends: `{to: 'host', type: 'stream/port', jobId}` and one port.
 */
navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
  const source = event.source as ServiceWorker | null;
  const port = event.ports?.[0];
  const data = event.data as { to?: unknown; type?: unknown; jobId?: unknown } | null;
  if (!(source instanceof ServiceWorker) || source.scriptURL !== browser.runtime.getURL(BACKGROUND_PATH as '/offscreen.html')) return;
  if (!port || event.ports.length !== 1 || !data || data.to !== 'host' || data.type !== 'stream/port') return;
  let jobId: string;
  try {
    jobId = jobIdShape(data.jobId, 'jobId');
  } catch {
    port.close();
    return;
  }
  host.attachStream(jobId, port);
});
navigator.serviceWorker.startMessages();
