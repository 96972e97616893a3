/**
 * The background's side of storage (product spec 3): answers the storage messages of the UI
 * (favourites, last templates, history, settings, origins), records finished jobs in the history,
 * fills a request's defaults from the settings and keeps the content script registered for the
 * origins the user added. Only the background runs this: IndexedDB belongs to the extension's origin,
 * which content scripts (running in the page's origin) can't open.
 */
import { browser } from 'wxt/browser';
import type { ExportRequest, JobState } from './jobs';
import type { StorageRequest } from './messages';
import { allOrigins, builtInOrigins, loadSettings, normalizeOrigin, originPattern, saveSettings, type Settings, type SettingsArea } from './settings';
import { ExporterStorage } from './storage';
import { extensionRelativePath } from './extensionPath';

let storage: ExporterStorage | null = null;
const db = () => (storage ??= new ExporterStorage());
const area = () => browser.storage.local as unknown as SettingsArea;

export const getSettings = (): Promise<Settings> => loadSettings(area());

/**
 * The origins the extension serves, for the message checks (lib/senders.ts): the build's, and the
 * user's that still hold their host permission. Content scripts can write storage.local, so an
 * origin listed there without the browser's permission (which only the options page can ask for)
 * counts for nothing.
 */
export async function configuredOrigins(): Promise<string[]> {
  const built = builtInOrigins();
  try {
    const added: string[] = [];
    for (const origin of (await getSettings()).origins)
      if (!built.includes(origin) && (await hasPermission(origin).catch(() => false))) added.push(origin);
    return [...built, ...added];
  } catch {
    return built;
  }
}

/** Answers one storage message (the reply travels back through sendResponse). */
export async function onStorageMessage(msg: StorageRequest): Promise<unknown> {
  switch (msg.type) {
    case 'favourites/list':
      return db().listFavourites();
    case 'favourites/add':
      return db().addFavourite(msg.name, msg.template);
    case 'favourites/rename':
      return db().renameFavourite(msg.id, msg.name);
    case 'favourites/delete':
      return db().deleteFavourite(msg.id);
    case 'favourites/set-default':
      return db().setDefaultFavourite(msg.id);
    case 'favourites/import':
      return db().importFavourites(msg.json);
    case 'favourites/export':
      return { json: await db().exportFavourites() };
    case 'last-template/get':
      return { template: await db().getLastTemplate(msg.origin, msg.workflowId) };
    case 'last-template/set':
      return db().setLastTemplate(msg.origin, msg.workflowId, msg.template);
    case 'history/list':
      return db().listHistory(msg.limit);
    case 'delta/last':
      // Wrapped: a bare null reply reads as `{ok: true}` (entrypoints/background.ts).
      return { last: await db().manifests.lastCompleteSummary(msg.kind, msg.origin, msg.workflowId, msg.orderId) };
    case 'delta/count':
      return { held: await db().manifests.countHeld(msg.jobId, msg.kind, msg.origin, msg.workflowId, msg.orderId, msg.items) };
    case 'settings/get':
      return getSettings();
    case 'settings/set':
      // Origins change only through origins/add and origins/remove (permissions and content scripts):
      // the schema refuses a patch holding them (lib/messageSchema.ts).
      return saveSettings(area(), { parallel: msg.patch.parallel, csv: msg.patch.csv, execution: msg.patch.execution });
    case 'origins/add':
      return addOrigin(msg.origin);
    case 'origins/remove':
      return removeOrigin(msg.origin);
  }
}

/** Fills what the request leaves to the settings: the case-file exports' parallel downloads. */
export async function withSettingsDefaults(request: ExportRequest): Promise<ExportRequest> {
  if ((request.kind === 'case-files' || request.kind === 'annotated-case-files') && request.parallel === undefined) {
    try {
      return { ...request, parallel: (await getSettings()).parallel };
    } catch {
      return request;
    }
  }
  return request;
}

/** Records a job in the history once it has ended (idempotent: the job id is the key). */
export async function recordJobIfEnded(job: JobState): Promise<void> {
  if (job.phase !== 'done' && job.phase !== 'failed' && job.phase !== 'cancelled') return;
  try {
    await db().recordJob(job);
  } catch (err) {
    console.warn('[workflow-exporter] could not record the export in the history', err);
  }
}

// ---------------------------------------------------------------------------------------------
// Origins added at runtime: host permission (asked by the options page) + content script
// ---------------------------------------------------------------------------------------------

const SCRIPT_ID_PREFIX = 'we-origin-';
const scriptId = (origin: string) => SCRIPT_ID_PREFIX + origin.replace(/[^a-z0-9]/gi, '_');

/** The built content script's files (WXT names them; read from the manifest to stay in step), as paths in the extension. */
function contentScriptFiles(): string[] {
  const cs = browser.runtime.getManifest().content_scripts ?? [];
  const base = browser.runtime.getURL('/');
  return cs.flatMap((c) => c.js ?? []).map((f) => extensionRelativePath(f, base));
}

const hasPermission = (origin: string) => browser.permissions.contains({ origins: [originPattern(origin)] });

async function registered(): Promise<Map<string, chrome.scripting.RegisteredContentScript>> {
  const scripts = (await browser.scripting.getRegisteredContentScripts()) as chrome.scripting.RegisteredContentScript[];
  return new Map(scripts.filter((s) => s.id.startsWith(SCRIPT_ID_PREFIX)).map((s) => [s.id, s]));
}

async function register(origin: string) {
  const id = scriptId(origin);
  if ((await registered()).has(id)) return;
  await browser.scripting.registerContentScripts([
    { id, matches: [originPattern(origin)], js: contentScriptFiles(), runAt: 'document_idle', persistAcrossSessions: true } as never,
  ]);
}

/** Tabs already open on the origin get the buttons too, without a reload. */
async function injectIntoOpenTabs(origin: string) {
  const tabs = await browser.tabs.query({ url: originPattern(origin) }).catch(() => []);
  for (const tab of tabs) {
    if (tab.id === undefined) continue;
    await browser.scripting.executeScript({ target: { tabId: tab.id }, files: contentScriptFiles() as never }).catch(() => undefined);
  }
}

async function addOrigin(input: string): Promise<Settings> {
  const checked = normalizeOrigin(input);
  if (!checked.ok) throw new Error(checked.message);
  const origin = checked.value;
  if (builtInOrigins().includes(origin)) return getSettings();
  if (!(await hasPermission(origin))) throw new Error(`The browser has not granted access to ${origin}: the origin was not added.`);
  const settings = await getSettings();
  const next = await saveSettings(area(), { origins: [...settings.origins.filter((o) => o !== origin), origin] });
  await register(origin);
  await injectIntoOpenTabs(origin);
  return next;
}

async function removeOrigin(input: string): Promise<Settings> {
  const checked = normalizeOrigin(input);
  if (!checked.ok) throw new Error(checked.message);
  const origin = checked.value;
  if (builtInOrigins().includes(origin)) throw new Error(`${origin} is built into this build of the extension and can't be removed.`);
  const settings = await getSettings();
  const next = await saveSettings(area(), { origins: settings.origins.filter((o) => o !== origin) });
  if ((await registered()).has(scriptId(origin))) await browser.scripting.unregisterContentScripts({ ids: [scriptId(origin)] });
  // Firefox: patterns have no port, so another listed origin on the same host may still need this one.
  if (!allOrigins(next).some((o) => originPattern(o) === originPattern(origin)))
    await browser.permissions.remove({ origins: [originPattern(origin)] }).catch(() => false);
  return next;
}

/**
 * On every start of the background: the content script is registered for exactly the user's
 * origins that still have their host permission (registrations may not survive a browser restart
 * in every browser, and a permission may have been revoked in the browser's own settings).
 */
export async function syncContentScripts(): Promise<void> {
  try {
    const settings = await getSettings();
    const want = new Map<string, string>();
    for (const origin of settings.origins) if (await hasPermission(origin)) want.set(scriptId(origin), origin);
    const have = await registered();
    const stale = [...have.keys()].filter((id) => !want.has(id));
    if (stale.length) await browser.scripting.unregisterContentScripts({ ids: stale });
    for (const [id, origin] of want) if (!have.has(id)) await register(origin);
  } catch (err) {
    console.warn('[workflow-exporter] could not register the content scripts of the added origins', err);
  }
}
