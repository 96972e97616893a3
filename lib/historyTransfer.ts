/**
 * The export history as JSON (issue 16.2: so that Only new since the last export also works on
 * another machine): a versioned envelope
 * `{"type": "workflow-exporter/history", "version": 1, "exportedAt", "history": [HistoryEntry…],
 * "manifests": [{jobId, kind, origin, workflowId, orderId, startedAt, fileCount, submissionCount,
 * files?, submissions?}]}`, the manifests' binary forms (lib/deltaManifest.ts) in base64.
 *
 * Import is all or nothing: the whole file is checked first, every manifest decoded to the end and
 * its counts compared; any fault rejects the file with a message saying where, and nothing is
 * written. A valid file is **merged by job id**: an export already in the history (or a manifest
 * already stored) stays as it is; the others are added, then the history keeps its newest
 * HISTORY_LIMIT and each target its newest complete manifest (lib/manifestStore.ts).
 */
import type { HistoryEntry } from './storage';
import type { FailedFile, JobPhase } from './jobs';
import { DELTA_KINDS, type DeltaKind, type ManifestRecord } from './manifestStore';
import { decodeFiles, decodeSubmissions } from './deltaManifest';
import { allOf, arr, bool, check, count, nullable, num, objOf, optional, record, ShapeError, str, type Shape } from './shapes';
import { normalizeOrigin } from './settings';

export const HISTORY_TYPE = 'workflow-exporter/history';
export const HISTORY_VERSION = 1;
/** More exports than the history keeps are refused (lib/storage.ts HISTORY_LIMIT is 500). */
const MAX_ENTRIES = 10_000;

export interface HistoryFile {
  type: typeof HISTORY_TYPE;
  version: typeof HISTORY_VERSION;
  exportedAt: string;
  history: HistoryEntry[];
  manifests: ManifestJson[];
}

export interface ManifestJson {
  jobId: string;
  kind: DeltaKind;
  origin: string;
  workflowId: string;
  orderId: string | null;
  startedAt: number;
  fileCount: number;
  submissionCount: number;
  files?: string;
  submissions?: string;
}

// ---- base64 of binary manifests (chunked: a manifest of 500,000 files is about 19 MB) ----

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(out);
}

export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('is not base64');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The history and the complete manifests as the JSON file the options page saves. */
export function historyToJson(history: readonly HistoryEntry[], manifests: readonly ManifestRecord[], now = new Date()): string {
  const file: HistoryFile = {
    type: HISTORY_TYPE,
    version: HISTORY_VERSION,
    exportedAt: now.toISOString(),
    history: [...history].sort((a, b) => a.startedAt - b.startedAt),
    manifests: manifests
      .filter((m) => m.complete === 1)
      .map((m) => ({
        jobId: m.jobId,
        kind: m.kind as DeltaKind,
        origin: m.origin,
        workflowId: m.workflowId,
        orderId: m.orderId,
        startedAt: m.startedAt,
        fileCount: m.fileCount,
        submissionCount: m.submissionCount,
        ...(m.files ? { files: toBase64(m.files) } : {}),
        ...(m.submissions ? { submissions: toBase64(m.submissions) } : {}),
      })),
  };
  return `${JSON.stringify(file)}\n`;
}

// ---- shapes ----

const origin: Shape<string> = (v, path) => {
  const s = str({ min: 1, max: 300 })(v, path);
  const n = normalizeOrigin(s);
  if (!n.ok || n.value !== s) throw new ShapeError(path, 'is not a platform origin (scheme://host[:port])');
  return s;
};
const id = str({ min: 1, max: 200 });
const time = num({ min: 0, max: 8.64e15 });
const text = str({ max: 100_000, multiline: true });

/** Any JSON value, at most 8 levels deep (the request's options: template, format, layout…). */
const jsonValue: Shape<unknown> = (v, path) => {
  const walk = (x: unknown, p: string, depth: number): unknown => {
    if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new ShapeError(p, 'is not a finite number');
      return x;
    }
    if (depth > 8) throw new ShapeError(p, 'is nested too deeply');
    if (Array.isArray(x)) return x.map((e, i) => walk(e, `${p}[${i}]`, depth + 1));
    if (typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, walk(e, `${p}.${k}`, depth + 1)]));
    throw new ShapeError(p, 'is not JSON');
  };
  return walk(v, path, 0);
};

const failedFile = objOf<FailedFile>({ path: text, caseId: text, fileUuid: text, reason: text, attempts: count, kept: optional(bool) });

const kinds = allOf<HistoryEntry['kind']>()('case-files', 'csv', 'annotated-case-files', 'execution');
const historyEntry = objOf<HistoryEntry>({
  id,
  startedAt: time,
  finishedAt: time,
  kind: kinds,
  target: objOf<HistoryEntry['target']>({ origin, workflowId: optional(id), orderId: optional(nullable(id)), executionId: optional(id) }),
  options: record(str({ max: 100 }), jsonValue, { max: 100 }),
  result: objOf<HistoryEntry['result']>({
    phase: allOf<JobPhase>()('queued', 'running', 'saving', 'done', 'failed', 'cancelled'),
    filename: str({ max: 1000 }),
    files: count,
    archiveBytes: count,
    failed: count,
    error: optional(text),
    downloadId: optional(count),
  }),
  report: arr(failedFile, { max: 1_000_000 }),
});

const manifest = objOf<ManifestJson>({
  jobId: id,
  kind: allOf<DeltaKind>()(...DELTA_KINDS),
  origin,
  workflowId: id,
  orderId: nullable(id),
  startedAt: time,
  fileCount: count,
  submissionCount: count,
  files: optional(str({ max: 200_000_000 })),
  submissions: optional(str({ max: 200_000_000 })),
});

export interface ImportedHistory {
  history: HistoryEntry[];
  manifests: Omit<ManifestRecord, 'target' | 'complete'>[];
}

/** Reads a history file; any fault rejects the whole file with a message that says where. */
export function parseHistoryJson(json: string): { ok: true; value: ImportedHistory } | { ok: false; message: string } {
  const no = (message: string) => ({ ok: false as const, message: `${message} Nothing was imported.` });
  let data: unknown;
  try {
    data = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (err) {
    return no(`This file is not JSON (${(err as Error).message}).`);
  }
  const o = data as Partial<HistoryFile> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o) || o.type !== HISTORY_TYPE) return no(`This is not a Workflow Exporter history file (its "type" is not "${HISTORY_TYPE}").`);
  if (o.version !== HISTORY_VERSION) return no(`This history file has version ${JSON.stringify(o.version)}; this extension reads version ${HISTORY_VERSION}.`);
  if (!Array.isArray(o.history) || !Array.isArray(o.manifests)) return no('The file has no "history" or no "manifests" list.');
  if (o.history.length > MAX_ENTRIES || o.manifests.length > MAX_ENTRIES) return no(`The file holds more than ${MAX_ENTRIES} exports.`);
  const history: HistoryEntry[] = [];
  for (const [i, raw] of o.history.entries()) {
    const c = check(historyEntry, raw, `history[${i}]`);
    if (!c.ok) return no(`Export ${i + 1} of the history: ${c.message}.`);
    history.push(c.value);
  }
  const manifests: ImportedHistory['manifests'] = [];
  for (const [i, raw] of o.manifests.entries()) {
    const c = check(manifest, raw, `manifests[${i}]`);
    if (!c.ok) return no(`Record ${i + 1} of what exports held: ${c.message}.`);
    const m = c.value;
    try {
      const files = m.files !== undefined ? fromBase64(m.files) : undefined;
      const submissions = m.submissions !== undefined ? fromBase64(m.submissions) : undefined;
      let nFiles = 0;
      let nSubs = 0;
      if (files) for (const _ of decodeFiles(files)) nFiles++;
      if (submissions) for (const _ of decodeSubmissions(submissions)) nSubs++;
      if (nFiles !== m.fileCount || nSubs !== m.submissionCount) throw new Error(`holds ${nFiles} files and ${nSubs} submissions, not the ${m.fileCount} and ${m.submissionCount} it says`);
      const { files: _f, submissions: _s, ...rest } = m;
      manifests.push({ ...rest, ...(files ? { files } : {}), ...(submissions ? { submissions } : {}) });
    } catch (err) {
      return no(`Record ${i + 1} of what exports held (export ${m.jobId}): ${(err as Error).message.replace(/\.$/, '')}.`);
    }
  }
  return { ok: true, value: { history, manifests } };
}
