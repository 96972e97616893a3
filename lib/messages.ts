/**
 * Every message between the extension's contexts, named by direction.
 * Content scripts and the popup talk to the background; the background talks to the engine host
 * (the offscreen document in Chrome, itself in Firefox); the host reports back.
 */
import type { ExportRequest, JobResult, JobState, Progress } from './jobs';

/** UI (content script, popup, options) → background. */
export type UiToBackground =
  | { to: 'background'; type: 'export/start'; request: ExportRequest }
  | { to: 'background'; type: 'export/cancel'; jobId: string }
  | { to: 'background'; type: 'jobs/list' };

export interface StartReply {
  jobId: string;
}

/** Background → UI: a job changed (tabs.sendMessage to its tab, runtime.sendMessage for pages). */
export type BackgroundToUi = { to: 'ui'; type: 'job/update'; job: JobState };

/** Background → engine host. Each is answered at once; results come later as HostToBackground. */
export type BackgroundToHost =
  | { to: 'host'; type: 'host/run'; job: JobState }
  | { to: 'host'; type: 'host/cancel'; jobId: string }
  | { to: 'host'; type: 'host/cleanup'; jobId: string }
  | { to: 'host'; type: 'host/ping' };

/** Engine host → background: separate short messages, each of which wakes a stopped service worker. */
export type HostToBackground =
  | { to: 'background'; type: 'host/progress'; jobId: string; progress: Progress }
  | { to: 'background'; type: 'host/ready'; jobId: string; url: string; result: JobResult }
  | { to: 'background'; type: 'host/failed'; jobId: string; error: string }
  | { to: 'background'; type: 'host/cancelled'; jobId: string };

export type AnyMessage = UiToBackground | BackgroundToUi | BackgroundToHost | HostToBackground;
