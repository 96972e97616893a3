/** The one interface the UI uses to reach the extension (a fake implements it in tests). */
import { browser } from 'wxt/browser';
import type { ExportRequest, JobState } from '../lib/jobs';
import type { AnyMessage, StartReply, UiToBackground } from '../lib/messages';

export interface ExporterActions {
  startExport(request: ExportRequest): Promise<StartReply>;
  cancelExport(jobId: string): Promise<void>;
  listJobs(): Promise<JobState[]>;
  /** Calls `listener` on every change of any job; returns the unsubscribe function. */
  onJobUpdate(listener: (job: JobState) => void): () => void;
}

async function send<T>(msg: UiToBackground): Promise<T> {
  const reply = (await browser.runtime.sendMessage(msg)) as T & { error?: string };
  if (reply && typeof reply === 'object' && 'error' in reply && reply.error) throw new Error(reply.error);
  return reply;
}

export const extensionActions: ExporterActions = {
  startExport: (request) => send<StartReply>({ to: 'background', type: 'export/start', request }),
  cancelExport: async (jobId) => void (await send({ to: 'background', type: 'export/cancel', jobId })),
  listJobs: () => send<JobState[]>({ to: 'background', type: 'jobs/list' }),
  onJobUpdate(listener) {
    const handler = (raw: unknown) => {
      const msg = raw as AnyMessage;
      if (msg?.to === 'ui' && msg.type === 'job/update') listener(msg.job);
    };
    browser.runtime.onMessage.addListener(handler);
    return () => browser.runtime.onMessage.removeListener(handler);
  },
};
