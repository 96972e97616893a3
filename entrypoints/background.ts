import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { JobStore, indexedDbArea, jobsToResume } from '../lib/jobStore';
import { badgeText, emptyProgress, isJobActive, leftOut, type JobState } from '../lib/jobs';
import type { AnyMessage, BackgroundToHost, HostToBackground, UiToBackground } from '../lib/messages';
import { isAddressedTo } from '../lib/messageSchema';
import { authorize, authorizeFrom, jobsVisibleTo, mayAccessJob, OFFSCREEN_PATH, senderContextOf, type MessageSenderLike, type Sender } from '../lib/senders';
import { EngineHost } from '../workers/host';
import { configuredOrigins, onStorageMessage, recordJobIfEnded, syncContentScripts, withSettingsDefaults } from '../lib/backgroundStorage';
import { Saving, type DownloadsApi } from '../lib/saving';
import { EventPageKeepAlive } from '../lib/eventPageKeepAlive';

/**
 * The background: keeps the jobs, starts them on the engine host, turns finished archives into
 * downloads and reports progress (badge, tabs, popup). It never waits on a running export: every
 * event is a short message, and job state lives in storage.session, so a service worker stopped
 * mid-export picks up where it was when the host's next message wakes it.
 */
export default defineBackground({ type: 'module', main: () => {
  const store = new JobStore(indexedDbArea());
  const isFirefox = import.meta.env.FIREFOX;

  // ---- the engine host: offscreen document (Chrome) or right here (Firefox) ----
  let localHost: EngineHost | null = null;
  /** Firefox: the event page (and the engine in it) stays awake while an export runs or is saved. */
  const keepAlive = new EventPageKeepAlive({
    busy: async () => (await store.list()).some(isJobActive),
    ping: () => browser.runtime.getPlatformInfo(),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  });
  const OFFSCREEN_URL = OFFSCREEN_PATH;

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
        (m) => void fromLocalHost(m),
        async () => (await store.list()).filter(isJobActive).map((j) => j.id), // kept by the leftover sweep
      );
      if (msg.type === 'host/run') {
        localHost.run(msg.job);
        keepAlive.start();
      }
      else if (msg.type === 'host/cancel') localHost.cancel(msg.jobId);
      else if (msg.type === 'host/cleanup') await localHost.cleanup(msg.jobId);
      // (No stream in Firefox: its background is an event page, not a service worker.)
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
  // Every message was checked by lib/senders.ts (sender, shape, scope) before it gets here.
  async function onUiMessage(msg: UiToBackground, sender: Sender) {
    switch (msg.type) {
      case 'export/start': {
        const job: JobState = {
          id: crypto.randomUUID(),
          request: await withSettingsDefaults(msg.request), // parallel downloads from the settings
          // A platform page's job belongs to its tab (progress goes there; only it may cancel it).
          tabId: sender.kind === 'content' ? sender.tabId : undefined,
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
      case 'export/cancel': {
        const job = await store.get(msg.jobId);
        // A platform page may cancel only its own tab's exports: another's look like none at all.
        if (!job || !mayAccessJob(job, sender)) return { ok: false };
        // Cancel at any moment, saving included, ends the job as cancelled (lib/saving.ts).
        return { ok: await saving.cancel(msg.jobId) };
      }
      case 'jobs/list':
        return jobsVisibleTo(await store.list(), sender);
      default:
        // Favourites, last templates, history, settings, origins (lib/backgroundStorage.ts).
        return onStorageMessage(msg);
    }
  }

  // ---- host → background ----
  async function onHostMessage(msg: HostToBackground) {
    switch (msg.type) {
      case 'host/progress': {
        const job = await store.update(msg.jobId, (j) => void (isJobActive(j) && (j.progress = msg.progress)), false);
        if (job && isJobActive(job)) await announce(job);
        return;
      }
      case 'host/stream':
        // Chrome: once per running job on its first run (lib/streamDownload.ts).
        return { ok: await saving.offerStream(msg.jobId, msg.filename) };
      case 'host/stream-open':
        // The stream worker was asked for /stream/<jobId>: once, for an offered stream.
        return { name: await saving.openStream(msg.jobId) };
      case 'host/stream-broken':
        return saving.streamBroken(msg.jobId, msg.reason);
      case 'host/ready':
        // Once per running job, under a name checked for its kind (lib/saving.ts, lib/downloadName.ts).
        return saving.ready(msg.jobId, msg.url, msg.result, msg.streamed ?? false, msg.streamProblem);
      case 'host/failed':
        return saving.finish(msg.jobId, 'failed', msg.error);
      case 'host/cancelled':
        return saving.finish(msg.jobId, 'cancelled');
    }
  }

  /** The hand-off to the downloads, and every ending of a job (cancel during saving: lib/saving.ts). */
  const saving = new Saving({
    jobs: store,
    downloads: browser.downloads as unknown as DownloadsApi,
    toHost,
    announce,
    ...(isFirefox ? {} : { baseUrl: browser.runtime.getURL('/') }),
  });
  const checkDownload = (job: JobState) => saving.checkDownload(job);

  browser.downloads.onChanged.addListener((delta) => {
    if (!delta.state?.current || delta.state.current === 'in_progress') return;
    void store.find((j) => j.downloadId === delta.id).then((job) => job && checkDownload(job));
  });

  if (!isFirefox) {
    // ---- Chrome: the archive streams to Downloads as it is built (lib/streamDownload.ts) ----
    // The stream's download is the job's download (its id, for completion, cancel and history).
    browser.downloads.onCreated.addListener((item) => void saving.downloadCreated(item));
    // No fetch handler here: it would put every request of the offscreen document's engine through
    // this worker. The stream's own worker (scope /stream/, lib/streamServer.ts) serves it.
  }

  /** Firefox: the host runs here and reports by call, checked as if it had sent a message. */
  async function fromLocalHost(raw: HostToBackground) {
    const auth = authorizeFrom(raw, { kind: 'host' }, senderContextOf(browser.runtime as never));
    if (!auth.ok) return console.warn('[workflow-exporter] refused a report of the engine:', auth.reason);
    await onHostMessage(auth.msg as HostToBackground);
  }

  /** Every message passes authorize (lib/senders.ts): our sender, a type it may send, its schema, its scope. */
  async function onMessage(raw: unknown, sender: MessageSenderLike): Promise<unknown> {
    const fromHost = typeof (raw as { type?: unknown }).type === 'string' && (raw as { type: string }).type.startsWith('host/');
    // Only the UI's messages need the configured origins (a content script's origin, an export's).
    const ctx = senderContextOf(browser.runtime as never, fromHost ? [] : await configuredOrigins());
    const auth = authorize(raw, sender, ctx);
    if (!auth.ok) {
      console.warn('[workflow-exporter] refused a message:', auth.reason);
      return { error: auth.reason };
    }
    return auth.msg.type.startsWith('host/')
      ? onHostMessage(auth.msg as HostToBackground)
      : onUiMessage(auth.msg as UiToBackground, auth.sender);
  }

  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    if (!isAddressedTo(raw, 'background')) return false;
    onMessage(raw, sender as MessageSenderLike).then(
      (reply) => sendResponse(reply ?? { ok: true }),
      (err: Error) => sendResponse({ error: err.message }),
    );
    return true;
  });

  // Content scripts of the origins the user added in the options.
  void syncContentScripts();

  /** The jobs the engine host is running now (none when the browser or the extension restarted). */
  async function hostActiveJobs(): Promise<string[]> {
    if (isFirefox) return localHost?.activeJobs() ?? [];
    const contexts = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as chrome.runtime.ContextType] });
    if (!contexts.length) return [];
    const reply = (await browser.runtime.sendMessage({ to: 'host', type: 'host/ping' } satisfies BackgroundToHost)) as { active?: string[] } | undefined;
    return Array.isArray(reply?.active) ? reply.active : [];
  }

  /** Exports that were running when the browser, or the extension, stopped go on from their journal. */
  async function resumeInterrupted(jobs: JobState[]) {
    for (const stopped of jobsToResume(jobs, await hostActiveJobs())) {
      const job = await store.update(stopped.id, (j) => {
        j.resumes = (j.resumes ?? 0) + 1;
        j.progress.paused = null;
        // The tab it was started from is gone with the browser.
        delete j.tabId;
      });
      if (!job) continue;
      await announce(job);
      await toHost({ to: 'host', type: 'host/run', job });
    }
  }

  // On (re)start: finish what happened while we were stopped, resume what was cut short.
  // A listener for the browser's start makes Chrome start this worker then, so the lines below run.
  browser.runtime.onStartup.addListener(() => {});
  void store.list().then(async (jobs) => {
    for (const job of jobs) await saving.resume(job);
    await resumeInterrupted(jobs);
    await updateBadge();
  });
}});
