/**
 * Every message between the extension's contexts, named by direction.
 * Content scripts and the popup talk to the background; the background talks to the engine host
 * (the offscreen document in Chrome, itself in Firefox); the host reports back.
 * Who may send each one and the shape it must have: lib/messageSchema.ts (a type missing there does
 * not compile); every listener checks both through `authorize` (lib/senders.ts) before use.
 */
import type { ExportRequest, JobResult, JobState, Progress } from './jobs';
import type { SettingsPatch } from './settings';
import type { DeltaKind } from './manifestStore';

/** UI (content script, popup, options) → background. */
export type UiToBackground =
  | { to: 'background'; type: 'export/start'; request: ExportRequest }
  | { to: 'background'; type: 'export/cancel'; jobId: string }
  | { to: 'background'; type: 'jobs/list' }
  // Favourites, last templates, history (IndexedDB, lib/storage.ts) and settings (lib/settings.ts).
  | StorageRequest;

/** Storage messages, answered by lib/backgroundStorage.ts (IndexedDB lives in the extension's origin). */
export type StorageRequest =
  | { to: 'background'; type: 'favourites/list' }
  | { to: 'background'; type: 'favourites/add'; name: string; template: string }
  | { to: 'background'; type: 'favourites/rename'; id: string; name: string }
  | { to: 'background'; type: 'favourites/delete'; id: string }
  | { to: 'background'; type: 'favourites/set-default'; id: string | null }
  | { to: 'background'; type: 'favourites/import'; json: string }
  | { to: 'background'; type: 'favourites/export' }
  | { to: 'background'; type: 'last-template/get'; origin: string; workflowId: string }
  | { to: 'background'; type: 'last-template/set'; origin: string; workflowId: string; template: string }
  | { to: 'background'; type: 'history/list'; limit?: number }
  /** The last complete export of a kind, workflow and order (Only new since the last export): a ManifestSummary or null. */
  | { to: 'background'; type: 'delta/last'; kind: DeltaKind; origin: string; workflowId: string; orderId: string | null }
  /**
   * Of these files (ids = uuids) or submissions (with their fingerprints), how many the last
   * complete export `jobId` of that kind, workflow and order held unchanged: `{held}` (the dialog's count).
   */
  | { to: 'background'; type: 'delta/count'; kind: DeltaKind; origin: string; workflowId: string; orderId: string | null; jobId: string; items: { id: string; fingerprint?: string }[] }
  | { to: 'background'; type: 'settings/get' }
  /** Everything but the origins (those change only through origins/add and origins/remove). */
  | { to: 'background'; type: 'settings/set'; patch: Omit<SettingsPatch, 'origins'> }
  /** After the host permission was granted (from the options page's click): register the content script. */
  | { to: 'background'; type: 'origins/add'; origin: string }
  | { to: 'background'; type: 'origins/remove'; origin: string };

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
  /** Chrome: the download stream of a running job failed; the engine goes on with its copy only. */
  | { to: 'host'; type: 'host/stream-failed'; jobId: string; reason: string }
  | { to: 'host'; type: 'host/ping' };

/** Engine host → background: separate short messages, each of which wakes a stopped service worker. */
export type HostToBackground =
  | { to: 'background'; type: 'host/progress'; jobId: string; progress: Progress }
  /**
   * Chrome: the engine has the archive's stream and its name; may it stream it to Downloads? Answered
   * `{ok: true}` once per running job (lib/streamDownload.ts), then the host opens `/stream/<jobId>`.
   */
  | { to: 'background'; type: 'host/stream'; jobId: string; filename: string }
  /**
   * Chrome: the stream worker (lib/streamServer.ts) was asked for `/stream/<jobId>`: answered
   * `{name}` (the checked download name) once per offered stream, else `{name: null}`.
   */
  | { to: 'background'; type: 'host/stream-open'; jobId: string }
  /** Chrome: the stream worker could not serve the stream it opened (the copy will be saved). */
  | { to: 'background'; type: 'host/stream-broken'; jobId: string; reason: string }
  /**
   * The archive is complete behind `url` (its copy in the private file system). `streamed`: it also
   * went whole into the stream's download; else `streamProblem` says why not, when it was tried.
   */
  | { to: 'background'; type: 'host/ready'; jobId: string; url: string; result: JobResult; streamed?: boolean; streamProblem?: string }
  | { to: 'background'; type: 'host/failed'; jobId: string; error: string }
  | { to: 'background'; type: 'host/cancelled'; jobId: string };

export type AnyMessage = UiToBackground | BackgroundToUi | BackgroundToHost | HostToBackground;
