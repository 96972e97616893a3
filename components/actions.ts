/** The one interface the UI uses to reach the extension (a fake implements it in tests). */
import { browser } from 'wxt/browser';
import type { ExportRequest, JobState } from '../lib/jobs';
import type { StartReply, UiToBackground } from '../lib/messages';
import { isAddressedTo } from '../lib/messageSchema';
import { authorize, senderContextOf, type MessageSenderLike } from '../lib/senders';
import type { Favourite, HistoryEntry, ImportReport } from '../lib/storage';
import type { Settings, SettingsPatch } from '../lib/settings';
import type { DeltaKind, ManifestSummary } from '../lib/manifestStore';

export interface ExporterActions {
  startExport(request: ExportRequest): Promise<StartReply>;
  cancelExport(jobId: string): Promise<void>;
  listJobs(): Promise<JobState[]>;
  /** Calls `listener` on every change of any job; returns the unsubscribe function. */
  onJobUpdate(listener: (job: JobState) => void): () => void;

  // ---- favourite path templates and the last template of each workflow (IndexedDB) ----
  /** Oldest first. */
  listFavourites(): Promise<Favourite[]>;
  /** Rejects with the reason when the name or the template is invalid. */
  addFavourite(name: string, template: string): Promise<Favourite>;
  renameFavourite(id: string, name: string): Promise<Favourite>;
  deleteFavourite(id: string): Promise<void>;
  /** null: no default. */
  setDefaultFavourite(id: string | null): Promise<void>;
  /** Rejects with a message (and saves nothing) when the JSON is bad or foreign. */
  importFavourites(json: string): Promise<ImportReport>;
  exportFavourites(): Promise<string>;
  getLastTemplate(origin: string, workflowId: string): Promise<string | null>;
  setLastTemplate(origin: string, workflowId: string, template: string): Promise<void>;
  /** Ended exports, newest first. */
  listHistory(limit?: number): Promise<HistoryEntry[]>;
  /** The last complete export of a kind, workflow and order (Only new since the last export); absent in fakes that have none. */
  lastCompleteExport?(kind: DeltaKind, origin: string, workflowId: string, orderId: string | null): Promise<ManifestSummary | null>;
  /** Of these files (uuids) or submissions (with fingerprints), how many export `jobId` held unchanged. */
  countHeld?(kind: DeltaKind, origin: string, workflowId: string, orderId: string | null, jobId: string, items: { id: string; fingerprint?: string }[]): Promise<number>;

  // ---- settings (chrome.storage.local) ----
  getSettings(): Promise<Settings>;
  /** Everything but the origins (those change through addOrigin/removeOrigin). */
  setSettings(patch: Omit<SettingsPatch, 'origins'>): Promise<Settings>;
  /** Call once the host permission is granted: registers the content script for the origin. */
  addOrigin(origin: string): Promise<Settings>;
  removeOrigin(origin: string): Promise<Settings>;
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
    // Job updates come from the background (or another of our pages), never from a content script.
    const ctx = senderContextOf(browser.runtime as never);
    const handler = (raw: unknown, sender: unknown) => {
      if (!isAddressedTo(raw, 'ui')) return;
      const auth = authorize(raw, sender as MessageSenderLike, ctx);
      if (!auth.ok) return console.warn('[workflow-exporter] refused a message:', auth.reason);
      if (auth.msg.type === 'job/update') listener(auth.msg.job);
    };
    browser.runtime.onMessage.addListener(handler);
    return () => browser.runtime.onMessage.removeListener(handler);
  },
  listFavourites: () => send<Favourite[]>({ to: 'background', type: 'favourites/list' }),
  addFavourite: (name, template) => send<Favourite>({ to: 'background', type: 'favourites/add', name, template }),
  renameFavourite: (id, name) => send<Favourite>({ to: 'background', type: 'favourites/rename', id, name }),
  deleteFavourite: async (id) => void (await send({ to: 'background', type: 'favourites/delete', id })),
  setDefaultFavourite: async (id) => void (await send({ to: 'background', type: 'favourites/set-default', id })),
  importFavourites: (json) => send<ImportReport>({ to: 'background', type: 'favourites/import', json }),
  exportFavourites: async () => (await send<{ json: string }>({ to: 'background', type: 'favourites/export' })).json,
  getLastTemplate: async (origin, workflowId) =>
    (await send<{ template: string | null }>({ to: 'background', type: 'last-template/get', origin, workflowId })).template,
  setLastTemplate: async (origin, workflowId, template) =>
    void (await send({ to: 'background', type: 'last-template/set', origin, workflowId, template })),
  listHistory: (limit) => send<HistoryEntry[]>({ to: 'background', type: 'history/list', limit }),
  lastCompleteExport: async (kind, origin, workflowId, orderId) =>
    (await send<{ last: ManifestSummary | null }>({ to: 'background', type: 'delta/last', kind, origin, workflowId, orderId })).last ?? null,
  countHeld: async (kind, origin, workflowId, orderId, jobId, items) =>
    (await send<{ held: number }>({ to: 'background', type: 'delta/count', kind, origin, workflowId, orderId, jobId, items })).held,
  getSettings: () => send<Settings>({ to: 'background', type: 'settings/get' }),
  setSettings: (patch) => send<Settings>({ to: 'background', type: 'settings/set', patch }),
  addOrigin: (origin) => send<Settings>({ to: 'background', type: 'origins/add', origin }),
  removeOrigin: (origin) => send<Settings>({ to: 'background', type: 'origins/remove', origin }),
};
