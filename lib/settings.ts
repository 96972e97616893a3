/**
 * The user's settings (product spec 3), kept in `chrome.storage.local`, with their validation.
 * Pure except for the storage area it is handed: runs in the background, extension pages and Node.
 *
 * Keys (decision): the export defaults share their keys with the dialogs that remember their last
 * choice (`csvOptions`: components/CsvDialog.tsx, `executionOptions`: components/ExecutionDialog.tsx),
 * so a default set in the options is what the dialogs open with, and a choice made in a dialog
 * becomes the new default (the popup's quick export uses the same `executionOptions`).
 * - `origins`: platform origins the user added (the build's own origins are always served and can't
 *   be removed: they are the manifest's required host permissions);
 * - `parallel`: the most files fetched at once by the case-file exports, 1 to 16 (a ceiling: over
 *   HTTP/1.1 at most 6, over HTTP/2 up to it; lib/concurrency.ts), 16 unless the user chose;
 * - the case-files default template is the **default favourite** (lib/storage.ts, IndexedDB), not a
 *   setting of its own.
 */
import { csvOptionsFrom, DEFAULT_CSV_OPTIONS, type CsvOptions } from './csvResults';
// Types only: lib/executionDocs.ts carries marked.
import type { ExecutionExportOptions } from './executionDocs';

export const MIN_PARALLEL = 1;
export const MAX_PARALLEL = 16;
/** As `DEFAULT_PARALLEL` of workers/caseFiles.ts. */
export const DEFAULT_PARALLEL = 16;

export const SETTINGS_KEYS = {
  origins: 'origins',
  parallel: 'parallel',
  csv: 'csvOptions',
  execution: 'executionOptions',
} as const;

export interface Settings {
  /** Origins added by the user (normalised, without the build's own). */
  origins: string[];
  parallel: number;
  csv: CsvOptions;
  execution: ExecutionExportOptions;
}

export type SettingsPatch = Partial<Settings>;

/** As `DEFAULT_EXECUTION_OPTIONS` of lib/executionDocs.ts. */
export const DEFAULT_EXECUTION_DEFAULTS: ExecutionExportOptions = { format: 'markdown', combine: false };

export const DEFAULT_SETTINGS: Settings = {
  origins: [],
  parallel: DEFAULT_PARALLEL,
  csv: { ...DEFAULT_CSV_OPTIONS },
  execution: { ...DEFAULT_EXECUTION_DEFAULTS },
};

/** The storage area (chrome.storage.local or a fake). */
export interface SettingsArea {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** The origins the build serves (`WE_ORIGINS`, wxt.config.ts). */
export function builtInOrigins(): string[] {
  return typeof __DEFAULT_ORIGINS__ !== 'undefined' ? [...__DEFAULT_ORIGINS__] : [];
}

/** Every origin the extension serves: the build's, then the user's, without duplicates. */
export function allOrigins(settings: Pick<Settings, 'origins'>, builtIn: readonly string[] = builtInOrigins()): string[] {
  return [...new Set([...builtIn, ...settings.origins])];
}

/**
 * The match pattern of an origin (host permissions, content scripts). Firefox's match patterns
 * cannot hold a port, so there it covers the host on every port.
 */
export const originMatchPattern = (origin: string, browser: string): string =>
  browser === 'firefox' ? `${new URL(origin).protocol}//${new URL(origin).hostname}/*` : `${origin}/*`;

export const originPattern = (origin: string): string =>
  originMatchPattern(origin, (import.meta as { env?: { FIREFOX?: boolean } }).env?.FIREFOX ? 'firefox' : 'chrome');

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A platform origin as the user types it → `scheme://host[:port]`. A bare host gets `https://`;
 * a trailing `/` is dropped; anything else after the host (path, query, credentials) is refused.
 */
export function normalizeOrigin(input: string): Checked<string> {
  const text = input.trim();
  if (!text) return { ok: false, message: 'Type the address of the platform, e.g. https://app.example.com.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: `"${text}" is not a web address.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, message: `Only http:// and https:// addresses can be platform origins, not ${url.protocol}//.` };
  if (!url.hostname) return { ok: false, message: `"${text}" has no host name.` };
  if (url.username || url.password) return { ok: false, message: 'Leave out the user name and password: the extension uses your browser session.' };
  if (url.hostname.includes('*')) return { ok: false, message: 'Wildcards are not allowed: add each platform origin on its own.' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return { ok: false, message: `Only the origin is needed (${url.origin}), without a path.` };
  return { ok: true, value: url.origin };
}

/** Parallel downloads: a whole number from 1 to 16. */
export function checkParallel(value: unknown): Checked<number> {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_PARALLEL || n > MAX_PARALLEL)
    return { ok: false, message: `Parallel downloads must be a whole number from ${MIN_PARALLEL} to ${MAX_PARALLEL}.` };
  return { ok: true, value: n };
}

function executionFrom(raw: unknown): ExecutionExportOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    format: o.format === 'html' ? 'html' : 'markdown',
    combine: typeof o.combine === 'boolean' ? o.combine : DEFAULT_EXECUTION_DEFAULTS.combine,
  };
}

/** Settings read back from storage: anything missing or invalid falls back to its default. */
export function settingsFrom(stored: Record<string, unknown>): Settings {
  const rawOrigins = stored[SETTINGS_KEYS.origins];
  const origins: string[] = [];
  if (Array.isArray(rawOrigins))
    for (const o of rawOrigins) {
      const c = typeof o === 'string' ? normalizeOrigin(o) : null;
      if (c?.ok && !origins.includes(c.value)) origins.push(c.value);
    }
  const parallel = checkParallel(stored[SETTINGS_KEYS.parallel]);
  return {
    origins,
    parallel: parallel.ok ? parallel.value : DEFAULT_PARALLEL,
    csv: csvOptionsFrom(stored[SETTINGS_KEYS.csv]),
    execution: executionFrom(stored[SETTINGS_KEYS.execution]),
  };
}

/** The storage items of a patch, or the first reason it is invalid (nothing is written then). */
export function settingsPatchItems(patch: SettingsPatch): Checked<Record<string, unknown>> {
  const items: Record<string, unknown> = {};
  if (patch.origins !== undefined) {
    if (!Array.isArray(patch.origins)) return { ok: false, message: 'Origins must be a list.' };
    const origins: string[] = [];
    for (const o of patch.origins) {
      const c = normalizeOrigin(String(o));
      if (!c.ok) return c;
      if (!origins.includes(c.value)) origins.push(c.value);
    }
    items[SETTINGS_KEYS.origins] = origins;
  }
  if (patch.parallel !== undefined) {
    const c = checkParallel(patch.parallel);
    if (!c.ok) return c;
    items[SETTINGS_KEYS.parallel] = c.value;
  }
  if (patch.csv !== undefined) {
    const o = patch.csv as unknown as Record<string, unknown>;
    if (!['all', 'submitted', 'latest'].includes(o?.submissions as string)) return { ok: false, message: 'Unknown CSV submissions option.' };
    if (!['long', 'wide'].includes(o?.layout as string)) return { ok: false, message: 'Unknown CSV layout.' };
    if (typeof o?.bom !== 'boolean') return { ok: false, message: 'The CSV BOM option must be true or false.' };
    items[SETTINGS_KEYS.csv] = csvOptionsFrom(o);
  }
  if (patch.execution !== undefined) {
    const o = patch.execution as unknown as Record<string, unknown>;
    if (o?.format !== 'markdown' && o?.format !== 'html') return { ok: false, message: 'The execution format must be Markdown or HTML.' };
    if (typeof o?.combine !== 'boolean') return { ok: false, message: 'The combine option must be true or false.' };
    items[SETTINGS_KEYS.execution] = executionFrom(o);
  }
  return { ok: true, value: items };
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export async function loadSettings(area: SettingsArea): Promise<Settings> {
  return settingsFrom(await area.get(Object.values(SETTINGS_KEYS)));
}

/** Validates and writes `patch`; throws {@link SettingsError} (and writes nothing) when invalid. */
export async function saveSettings(area: SettingsArea, patch: SettingsPatch): Promise<Settings> {
  const items = settingsPatchItems(patch);
  if (!items.ok) throw new SettingsError(items.message);
  if (Object.keys(items.value).length) await area.set(items.value);
  return loadSettings(area);
}
