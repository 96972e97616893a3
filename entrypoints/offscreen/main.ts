/** Chrome's offscreen document: hosts the export engine's worker for the service worker. */
import { browser } from 'wxt/browser';
import type { BackgroundToHost } from '../../lib/messages';
import { isAddressedTo } from '../../lib/messageSchema';
import { authorize, senderContextOf, type MessageSenderLike } from '../../lib/senders';
import { EngineHost } from '../../workers/host';
import { activeJobIds } from '../../workers/opfs';

const host = new EngineHost(
  (msg) => {
    browser.runtime.sendMessage(msg).catch(() => {});
  },
  // The leftover sweep keeps every job the background still has as active.
  async () => activeJobIds(await browser.runtime.sendMessage({ to: 'background', type: 'jobs/list' })),
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
  else if (m.type === 'host/cleanup') void host.cleanup(m.jobId);
  sendResponse({ ok: true, active: host.activeJobs() });
  return false;
});
