/**
 * What the extension keeps in IndexedDB (product spec 3), through Dexie, with a versioned schema:
 * - `favourites`: the favourite path templates {id, name, template, isDefault, createdAt};
 * - `lastTemplates`: the last template used for each workflow {workflowKey = origin + workflowId};
 * - `history`: every export that ended {id (the job id), startedAt, finishedAt, kind, target,
 *   options, result, report}.
 *
 * IndexedDB belongs to the extension's origin: only the background opens this database (content
 * scripts run in the page's origin and reach it through messages, see lib/backgroundStorage.ts).
 *
 * Favourites JSON (import/export): a versioned envelope
 * `{"type": "workflow-exporter/favourites", "version": 1, "favourites": [{name, template, isDefault?}]}`.
 * Import is all or nothing: the whole file is validated first (each template with the same template
 * engine as the dialogs), and anything invalid rejects it with a message, writing nothing.
 * A valid file is **merged** (decision): a favourite whose template is already saved is skipped (so
 * importing the same file twice changes nothing); one whose name is taken by another template is
 * kept under `name (2)`, `name (3)`…; the imported default becomes the default only when none is set.
 */
import { Dexie, type Table } from 'dexie';
import { parsePathTemplate } from './pathTemplate';
import { leftOut, type ExportKind, type ExportRequest, type FailedFile, type JobPhase, type JobState } from './jobs';
import { ManifestStore } from './manifestStore';
import { historyToJson, parseHistoryJson } from './historyTransfer';

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

export interface Favourite {
  id: string;
  name: string;
  template: string;
  isDefault: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface LastTemplate {
  /** `origin + ' ' + workflowId` ({@link workflowKey}). */
  workflowKey: string;
  template: string;
  usedAt: number;
}

export interface HistoryEntry {
  /** The job id. */
  id: string;
  startedAt: number;
  finishedAt: number;
  kind: ExportKind;
  /** What was exported: origin and workflow/order or execution. */
  target: { origin: string; workflowId?: string; orderId?: string | null; executionId?: string };
  /** The options of the request (template, format, layout…), without the target. */
  options: Record<string, unknown>;
  result: {
    phase: JobPhase;
    filename: string;
    files: number;
    archiveBytes: number;
    failed: number;
    error?: string;
    downloadId?: number;
  };
  /** Every file left out of the archive and why (the rows of export-report.csv). */
  report: FailedFile[];
}

export const DB_NAME = 'workflow-exporter';
/** History entries kept (oldest dropped first). */
export const HISTORY_LIMIT = 500;
export const MAX_NAME_LENGTH = 120;
export const MAX_FAVOURITES = 500;

export class ExporterDb extends Dexie {
  favourites!: Table<Favourite, string>;
  lastTemplates!: Table<LastTemplate, string>;
  history!: Table<HistoryEntry, string>;

  constructor(name = DB_NAME) {
    super(name);
    // Add a new version (never edit this one) when the schema changes.
    this.version(1).stores({
      favourites: 'id, name, createdAt',
      lastTemplates: 'workflowKey, usedAt',
      history: 'id, startedAt, finishedAt, kind',
    });
  }
}

export const workflowKey = (origin: string, workflowId: string): string => `${origin.replace(/\/+$/, '')} ${workflowId}`;

// ---------------------------------------------------------------------------------------------
// Validation (pure)
// ---------------------------------------------------------------------------------------------

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function checkName(name: unknown): Checked<string> {
  if (typeof name !== 'string') return { ok: false, message: 'A favourite needs a name.' };
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) return { ok: false, message: 'A favourite needs a name.' };
  if ([...n].length > MAX_NAME_LENGTH) return { ok: false, message: `A favourite's name is at most ${MAX_NAME_LENGTH} characters.` };
  return { ok: true, value: n };
}

/** A favourite's template: not empty, and accepted by the path-template engine. */
export function checkTemplate(template: unknown): Checked<string> {
  if (typeof template !== 'string' || template.trim() === '')
    return { ok: false, message: 'A favourite needs a template (an empty template is the default naming already).' };
  const parsed = parsePathTemplate(template);
  if (!parsed.ok) return { ok: false, message: parsed.errors.map((e) => e.message).join(' ') };
  return { ok: true, value: template };
}

const sameName = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

// ---------------------------------------------------------------------------------------------
// Import / export JSON (pure)
// ---------------------------------------------------------------------------------------------

export const FAVOURITES_TYPE = 'workflow-exporter/favourites';
export const FAVOURITES_VERSION = 1;

export interface FavouritesFile {
  type: typeof FAVOURITES_TYPE;
  version: typeof FAVOURITES_VERSION;
  exportedAt?: string;
  favourites: { name: string; template: string; isDefault?: boolean }[];
}

/** The favourites as the JSON file the options page saves. */
export function favouritesToJson(favourites: readonly Favourite[], now = new Date()): string {
  const file: FavouritesFile = {
    type: FAVOURITES_TYPE,
    version: FAVOURITES_VERSION,
    exportedAt: now.toISOString(),
    favourites: [...favourites]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((f) => ({ name: f.name, template: f.template, isDefault: f.isDefault })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export interface ImportedFavourite {
  name: string;
  template: string;
  isDefault: boolean;
}

/** Reads a favourites file; any fault rejects the whole file with a message that says where. */
export function parseFavouritesJson(text: string): Checked<ImportedFavourite[]> {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, message: `This file is not JSON (${(err as Error).message}). Nothing was imported.` };
  }
  const o = data as Partial<FavouritesFile> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o) || o.type !== FAVOURITES_TYPE)
    return { ok: false, message: `This is not a Workflow Exporter favourites file (its "type" is not "${FAVOURITES_TYPE}"). Nothing was imported.` };
  if (o.version !== FAVOURITES_VERSION)
    return {
      ok: false,
      message: `This favourites file has version ${JSON.stringify(o.version)}; this extension reads version ${FAVOURITES_VERSION}. Nothing was imported.`,
    };
  if (!Array.isArray(o.favourites)) return { ok: false, message: 'The file has no "favourites" list. Nothing was imported.' };
  if (o.favourites.length > MAX_FAVOURITES) return { ok: false, message: `The file holds more than ${MAX_FAVOURITES} favourites. Nothing was imported.` };
  const out: ImportedFavourite[] = [];
  for (const [i, raw] of o.favourites.entries()) {
    const where = `Favourite ${i + 1}`;
    if (!raw || typeof raw !== 'object') return { ok: false, message: `${where} is not an object. Nothing was imported.` };
    const f = raw as Record<string, unknown>;
    const name = checkName(f.name);
    if (!name.ok) return { ok: false, message: `${where}: ${name.message} Nothing was imported.` };
    const template = checkTemplate(f.template);
    if (!template.ok) return { ok: false, message: `${where} ("${name.value}"): ${template.message} Nothing was imported.` };
    if (f.isDefault !== undefined && typeof f.isDefault !== 'boolean')
      return { ok: false, message: `${where} ("${name.value}"): "isDefault" must be true or false. Nothing was imported.` };
    out.push({ name: name.value, template: template.value, isDefault: f.isDefault === true });
  }
  if (out.filter((f) => f.isDefault).length > 1) return { ok: false, message: 'The file marks more than one favourite as the default. Nothing was imported.' };
  return { ok: true, value: out };
}

export interface MergePlan {
  add: Favourite[];
  /** Id of the favourite to make the default, when the file's default is taken. */
  makeDefault: string | null;
  skipped: number;
  renamed: number;
}

/** `name`, else `name (2)`, `name (3)`… whichever is free (case-insensitively). */
export function freeName(name: string, taken: readonly string[]): string {
  if (!taken.some((t) => sameName(t, name))) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`;
    if (!taken.some((t) => sameName(t, candidate))) return candidate;
  }
}

/** How imported favourites merge into the saved ones (see the top of this file). */
export function mergeFavourites(
  existing: readonly Favourite[],
  incoming: readonly ImportedFavourite[],
  newId: () => string = () => crypto.randomUUID(),
  now = Date.now(),
): MergePlan {
  const names = existing.map((f) => f.name);
  const templates = new Set(existing.map((f) => f.template));
  const hasDefault = existing.some((f) => f.isDefault);
  const plan: MergePlan = { add: [], makeDefault: null, skipped: 0, renamed: 0 };
  for (const [i, f] of incoming.entries()) {
    if (templates.has(f.template)) {
      plan.skipped++;
      const same = existing.find((e) => e.template === f.template)!;
      if (f.isDefault && !hasDefault) plan.makeDefault = same.id;
      continue;
    }
    const name = freeName(f.name, names);
    if (name !== f.name) plan.renamed++;
    const fav: Favourite = { id: newId(), name, template: f.template, isDefault: false, createdAt: now + i };
    if (f.isDefault && !hasDefault) plan.makeDefault = fav.id;
    names.push(name);
    templates.add(f.template);
    plan.add.push(fav);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// History (pure)
// ---------------------------------------------------------------------------------------------

/** The history record of a job that ended. */
export function historyEntry(job: JobState): HistoryEntry {
  const { kind, origin, ...rest } = job.request as ExportRequest & Record<string, unknown>;
  const target: HistoryEntry['target'] = { origin };
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (k === 'workflowId' || k === 'executionId') target[k] = v as string;
    else if (k === 'orderId') target.orderId = v as string | null;
    else options[k] = v;
  }
  return {
    id: job.id,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt ?? Date.now(),
    kind,
    target,
    options,
    result: {
      phase: job.phase,
      // Only new since the last export that found nothing wrote no file (issue 16.2).
      filename: job.result?.delta?.nothingNew ? '' : (job.result?.filename ?? job.filename),
      files: job.result?.files ?? job.progress.filesDone,
      archiveBytes: job.result?.archiveBytes ?? job.progress.archiveBytes,
      failed: job.result ? leftOut(job.result.failed).length : job.progress.failed, // kept rows (not verified, not annotated) are in, not failed
      ...(job.error ? { error: job.error } : {}),
      ...(job.downloadId !== undefined ? { downloadId: job.downloadId } : {}),
    },
    report: job.result?.failed ?? [],
  };
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

function must<T>(c: Checked<T>): T {
  if (!c.ok) throw new StorageError(c.message);
  return c.value;
}

export interface ImportReport {
  added: number;
  skipped: number;
  renamed: number;
}

/** Every operation on the database, each in its own transaction. */
export class ExporterStorage {
  constructor(
    readonly db: ExporterDb = new ExporterDb(),
    /** What complete exports held, for Only new since the last export (lib/manifestStore.ts). */
    readonly manifests: ManifestStore = new ManifestStore(),
  ) {}

  /** Oldest first (the order they were added). */
  listFavourites = (): Promise<Favourite[]> => this.db.favourites.orderBy('createdAt').toArray();

  async addFavourite(name: string, template: string, now = Date.now()): Promise<Favourite> {
    const n = must(checkName(name));
    const t = must(checkTemplate(template));
    return this.db.transaction('rw', this.db.favourites, async () => {
      const all = await this.db.favourites.toArray();
      if (all.length >= MAX_FAVOURITES) throw new StorageError(`At most ${MAX_FAVOURITES} favourites can be kept.`);
      if (all.some((f) => sameName(f.name, n))) throw new StorageError(`A favourite named "${n}" already exists.`);
      const fav: Favourite = { id: crypto.randomUUID(), name: n, template: t, isDefault: false, createdAt: now };
      await this.db.favourites.add(fav);
      return fav;
    });
  }

  async renameFavourite(id: string, name: string): Promise<Favourite> {
    const n = must(checkName(name));
    return this.db.transaction('rw', this.db.favourites, async () => {
      const fav = await this.db.favourites.get(id);
      if (!fav) throw new StorageError('This favourite no longer exists.');
      const all = await this.db.favourites.toArray();
      if (all.some((f) => f.id !== id && sameName(f.name, n))) throw new StorageError(`A favourite named "${n}" already exists.`);
      await this.db.favourites.update(id, { name: n });
      return { ...fav, name: n };
    });
  }

  deleteFavourite = async (id: string): Promise<void> => this.db.favourites.delete(id);

  /** Makes `id` the one default (null: no default). */
  async setDefaultFavourite(id: string | null): Promise<void> {
    await this.db.transaction('rw', this.db.favourites, async () => {
      if (id !== null && !(await this.db.favourites.get(id))) throw new StorageError('This favourite no longer exists.');
      await this.db.favourites.toCollection().modify((f) => {
        f.isDefault = f.id === id;
      });
    });
  }

  defaultFavourite = async (): Promise<Favourite | undefined> => (await this.listFavourites()).find((f) => f.isDefault);

  exportFavourites = async (): Promise<string> => favouritesToJson(await this.listFavourites());

  /** Validates the whole file first; writes nothing unless it is valid (see the top of this file). */
  async importFavourites(json: string): Promise<ImportReport> {
    const parsed = parseFavouritesJson(json);
    if (!parsed.ok) throw new StorageError(parsed.message);
    return this.db.transaction('rw', this.db.favourites, async () => {
      const existing = await this.db.favourites.toArray();
      const plan = mergeFavourites(existing, parsed.value);
      if (existing.length + plan.add.length > MAX_FAVOURITES)
        throw new StorageError(`Importing would make more than ${MAX_FAVOURITES} favourites. Nothing was imported.`);
      await this.db.favourites.bulkAdd(plan.add);
      if (plan.makeDefault) await this.db.favourites.update(plan.makeDefault, { isDefault: true });
      return { added: plan.add.length, skipped: plan.skipped, renamed: plan.renamed };
    });
  }

  async getLastTemplate(origin: string, workflowId: string): Promise<string | null> {
    return (await this.db.lastTemplates.get(workflowKey(origin, workflowId)))?.template ?? null;
  }

  async setLastTemplate(origin: string, workflowId: string, template: string, now = Date.now()): Promise<void> {
    await this.db.lastTemplates.put({ workflowKey: workflowKey(origin, workflowId), template, usedAt: now });
  }

  /** The template a case-files dialog opens with: the last used for this workflow, else the default favourite, else none. */
  async initialTemplate(origin: string, workflowId: string): Promise<string> {
    return (await this.getLastTemplate(origin, workflowId)) ?? (await this.defaultFavourite())?.template ?? '';
  }

  /**
   * Records a job that ended (again: the same id overwrites). Keeps the newest {@link HISTORY_LIMIT}.
   * A `done` job's manifest (what it held) becomes the base of the next Only new since the last
   * export; one that found nothing new leaves the earlier base as it is; any other ending drops it.
   */
  async recordJob(job: JobState): Promise<void> {
    const entry = historyEntry(job);
    const nothingNew = job.result?.delta?.nothingNew === true;
    try {
      await this.manifests.jobEnded(job.id, job.phase === 'done' && !nothingNew, job.startedAt);
    } catch (err) {
      console.warn('[workflow-exporter] could not record what the export held (Only new since the last export)', err);
    }
    await this.db.transaction('rw', this.db.history, async () => {
      await this.db.history.put(entry);
      const count = await this.db.history.count();
      if (count > HISTORY_LIMIT) {
        const old = await this.db.history.orderBy('startedAt').limit(count - HISTORY_LIMIT).primaryKeys();
        await this.db.history.bulkDelete(old);
      }
    });
  }

  /** Newest first. */
  listHistory = (limit = 50): Promise<HistoryEntry[]> => this.db.history.orderBy('startedAt').reverse().limit(limit).toArray();

  /** The whole history with what each complete export held, as JSON (lib/historyTransfer.ts). */
  async exportHistoryJson(now = new Date()): Promise<string> {
    return historyToJson(await this.db.history.toArray(), await this.manifests.listComplete(), now);
  }

  /**
   * Validates the whole file first and writes nothing unless it is valid; then merges by job id
   * (lib/historyTransfer.ts). Returns how many exports were added and skipped, and manifests added.
   */
  async importHistoryJson(json: string): Promise<{ added: number; skipped: number; manifests: number }> {
    const parsed = parseHistoryJson(json);
    if (!parsed.ok) throw new StorageError(parsed.message);
    const { history, manifests } = parsed.value;
    let added = 0;
    await this.db.transaction('rw', this.db.history, async () => {
      const have = new Set(await this.db.history.toCollection().primaryKeys());
      const fresh = history.filter((h) => !have.has(h.id) && !!have.add(h.id));
      added = fresh.length;
      await this.db.history.bulkAdd(fresh);
      const count = await this.db.history.count();
      if (count > HISTORY_LIMIT) await this.db.history.bulkDelete(await this.db.history.orderBy('startedAt').limit(count - HISTORY_LIMIT).primaryKeys());
    });
    const addedManifests = await this.manifests.importComplete(manifests);
    return { added, skipped: history.length - added, manifests: addedManifests };
  }
}
