/** Chrome's offscreen document: hosts the export engine's worker for the service worker. */
import { browser } from 'wxt/browser';
import type { AnyMessage, BackgroundToHost } from '../../lib/messages';
import { EngineHost } from '../../workers/host';
import { activeJobIds } from '../../workers/opfs';

const host = new EngineHost(
  (msg) => {
    browser.runtime.sendMessage(msg).catch(() => {});
  },
  // The leftover sweep keeps every job the background still has as active.
  async () => activeJobIds(await browser.runtime.sendMessage({ to: 'background', type: 'jobs/list' })),
);

browser.runtime.onMessage.addListener((raw: unknown, _sender, sendResponse) => {
  const msg = raw as AnyMessage;
  if (msg?.to !== 'host') return false;
  const m = msg as BackgroundToHost;
  // Answer at once: the outcome comes later as its own message (the service-worker lifetime trap).
  if (m.type === 'host/run') host.run(m.job);
  else if (m.type === 'host/cancel') host.cancel(m.jobId);
  else if (m.type === 'host/cleanup') void host.cleanup(m.jobId);
  sendResponse({ ok: true, active: host.activeJobs() });
  return false;
});
