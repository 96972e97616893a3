import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { JobStore } from '../lib/jobStore';
import { badgeText, emptyProgress, isJobActive, leftOut, type JobState } from '../lib/jobs';
import type { AnyMessage, BackgroundToHost, HostToBackground, UiToBackground } from '../lib/messages';
import { EngineHost } from '../workers/host';
import { onStorageMessage, recordJobIfEnded, syncContentScripts, withSettingsDefaults } from '../lib/backgroundStorage';
import { Saving, type DownloadsApi } from '../lib/saving';

/**
 * The background: keeps the jobs, starts them on the engine host, turns finished archives into
 * downloads and reports progress (badge, tabs, popup). It never waits on a running export: every
 * event is a short message, and job state lives in storage.session, so a service worker stopped
 * mid-export picks up where it was when the host's next message wakes it.
 */
export default defineBackground({ type: 'module', main: () => {
  const store = new JobStore(browser.storage.session as never);
  const isFirefox = import.meta.env.FIREFOX;

  // ---- the engine host: offscreen document (Chrome) or right here (Firefox) ----
  let localHost: EngineHost | null = null;
  const OFFSCREEN_URL = '/offscreen.html';

  async function ensureOffscreen() {
    const contexts = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as chrome.runtime.ContextType] });
    if (contexts.length) return;
    await chrome.offscreen
      .createDocument({
        url: OFFSCREEN_URL,
        reasons: ['WORKERS' as chrome.offscreen.Reason, 'BLOBS' as chrome.offscreen.Reason],
        justification: 'Runs the export engine (a Web Worker) and hands finished archives to the downloads API.',
      })
      .catch((err: Error) => {
        if (!/single offscreen/i.test(err.message)) throw err;
      });
  }

  async function toHost(msg: BackgroundToHost) {
    if (isFirefox) {
      localHost ??= new EngineHost(
        (m) => void onHostMessage(m),
        async () => (await store.list()).filter(isJobActive).map((j) => j.id), // kept by the leftover sweep
      );
      if (msg.type === 'host/run') localHost.run(msg.job);
      else if (msg.type === 'host/cancel') localHost.cancel(msg.jobId);
      else if (msg.type === 'host/cleanup') await localHost.cleanup(msg.jobId);
      return;
    }
    await ensureOffscreen();
    await browser.runtime.sendMessage(msg);
  }

  // ---- telling the UI ----
  async function announce(job: JobState) {
    const msg: AnyMessage = { to: 'ui', type: 'job/update', job };
    void recordJobIfEnded(job); // the export history (IndexedDB)
    if (job.tabId !== undefined) browser.tabs.sendMessage(job.tabId, msg).catch(() => {});
    browser.runtime.sendMessage(msg).catch(() => {});
    await updateBadge();
  }

  async function updateBadge() {
    const jobs = await store.list();
    const running = jobs.filter(isJobActive);
    if (running.length) {
      const paused = running.some((j) => j.progress.paused);
      await browser.action.setBadgeBackgroundColor({ color: paused ? '#b45309' : '#1d4ed8' });
      await browser.action.setBadgeText({ text: badgeText(running[0].progress) });
    } else {
      const last = jobs[0];
      const failedFiles = last?.result ? leftOut(last.result.failed).length : 0;
      if (last && (last.phase === 'failed' || failedFiles)) {
        await browser.action.setBadgeBackgroundColor({ color: '#b91c1c' });
        await browser.action.setBadgeText({ text: last.phase === 'failed' ? '!' : String(failedFiles) });
      } else await browser.action.setBadgeText({ text: '' });
    }
  }

  // ---- UI → background ----
  async function onUiMessage(msg: UiToBackground, sender: { tab?: { id?: number } }) {
    switch (msg.type) {
      case 'export/start': {
        const job: JobState = {
          id: crypto.randomUUID(),
          request: await withSettingsDefaults(msg.request), // parallel downloads from the settings
          tabId: sender.tab?.id,
          phase: 'running',
          filename: '',
          startedAt: Date.now(),
          progress: emptyProgress(),
        };
        await store.put(job);
        await announce(job);
        await toHost({ to: 'host', type: 'host/run', job });
        return { jobId: job.id };
      }
      case 'export/cancel':
        // Cancel at any moment, saving included, ends the job as cancelled (lib/saving.ts).
        return { ok: await saving.cancel(msg.jobId) };
      case 'jobs/list':
        return store.list();
      default:
        // Favourites, last templates, history, settings, origins (lib/backgroundStorage.ts).
        return onStorageMessage(msg);
    }
  }

  // ---- host → background ----
  async function onHostMessage(msg: HostToBackground) {
    switch (msg.type) {
      case 'host/progress': {
        const job = await store.update(msg.jobId, (j) => void (j.progress = msg.progress), false);
        if (job && isJobActive(job)) await announce(job);
        return;
      }
      case 'host/ready':
        return saving.ready(msg.jobId, msg.url, msg.result);
      case 'host/failed':
        return saving.finish(msg.jobId, 'failed', msg.error);
      case 'host/cancelled':
        return saving.finish(msg.jobId, 'cancelled');
    }
  }

  /** The hand-off to the downloads, and every ending of a job (cancel during saving: lib/saving.ts). */
  const saving = new Saving({ jobs: store, downloads: browser.downloads as unknown as DownloadsApi, toHost, announce });
  const checkDownload = (job: JobState) => saving.checkDownload(job);

  browser.downloads.onChanged.addListener((delta) => {
    if (!delta.state?.current || delta.state.current === 'in_progress') return;
    void store.find((j) => j.downloadId === delta.id).then((job) => job && checkDownload(job));
  });

  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    const msg = raw as AnyMessage;
    if (msg?.to !== 'background') return false;
    const handled = msg.type.startsWith('host/')
      ? onHostMessage(msg as HostToBackground)
      : onUiMessage(msg as UiToBackground, sender as { tab?: { id?: number } });
    Promise.resolve(handled).then(
      (reply) => sendResponse(reply ?? { ok: true }),
      (err: Error) => sendResponse({ error: err.message }),
    );
    return true;
  });

  // Content scripts of the origins the user added in the options.
  void syncContentScripts();

  // On (re)start: finish what happened while we were stopped.
  void store.list().then(async (jobs) => {
    for (const job of jobs) await saving.resume(job);
    await updateBadge();
  });
}});
