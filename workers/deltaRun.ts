/**
 * Only new since the last export, in the engine (issue 16.2; the rules are in lib/delta.ts).
 *
 * Every case-files, annotated and CSV export records what it held ({@link DeltaContext.record});
 * one with `onlyNew` also gets the last complete export's content ({@link DeltaContext.since}).
 *
 * Whether a file the last export held has changed, without downloading it ({@link checkUnchanged}):
 * `GET` with `If-None-Match: <stored ETag>`: a 304 means unchanged; a 200's `X-Checksum-Sha256` is
 * compared with the stored hash and its body cancelled when it matches. Anything else (an error,
 * no checksum) is "not known", and the file is downloaded as usual and left out if its SHA-256 is
 * the stored one. Cost on a platform without ETag: one request per file held before, its body
 * cancelled after the headers; without `X-Checksum-Sha256` as well: every file downloaded again.
 */
import { FileBase, SubmissionBase, fileIsNew, shaKey, type FileRecord, type HeldFiles, type HeldSubmissions } from '../lib/delta';
import { FileIndex, ManifestBuilder, SubmissionIndex } from '../lib/deltaManifest';
import { CHECKSUM_HEADER } from '../lib/platform';
import { ManifestStore, isDeltaKind, type DeltaKind, type ManifestRecord } from '../lib/manifestStore';
import type { DeltaInfo, ExportRequest } from '../lib/jobs';

export interface DeltaContext {
  /** What this export holds (a delta: everything it compared), recorded for the next delta. */
  record: ManifestBuilder;
  /** Only new since this export (absent: everything goes in). */
  since?: { startedAt: number; files: HeldFiles; submissions: HeldSubmissions };
  /** Filled by the exporter: files or submissions that went in as new or changed. */
  counts: { newCount: number };
}

/** The context of one run: `base` is the last complete manifest when the request asks for only new. */
export function deltaContext(base: ManifestRecord | undefined): DeltaContext {
  return {
    record: new ManifestBuilder(),
    counts: { newCount: 0 },
    ...(base
      ? {
          since: {
            startedAt: base.startedAt,
            files: base.files ? new FileIndex(base.files) : new FileBase([]),
            submissions: base.submissions ? new SubmissionIndex(base.submissions) : new SubmissionBase([]),
          },
        }
      : {}),
  };
}

export type Unchanged = { unchanged: true; record: FileRecord } | { unchanged: false };

const printable = (v: string | null) => (v !== null && /^[\x21-\x7e][\x20-\x7e]{0,1023}$/.test(v.trim()) ? v.trim() : null);

/** Asks the platform cheaply whether a file the last export held is unchanged (see the top of this file). */
export async function checkUnchanged(fetchImpl: typeof fetch, url: string, held: FileRecord, signal: AbortSignal): Promise<Unchanged> {
  if (held.sha === null) return { unchanged: false };
  const headers: Record<string, string> = {};
  if (held.etag) headers['If-None-Match'] = held.etag;
  let res: Response;
  try {
    res = await fetchImpl(url, { credentials: 'include', cache: 'no-store', signal, headers });
  } catch (err) {
    if (signal.aborted) throw err;
    return { unchanged: false };
  }
  try {
    if (res.status === 304) return { unchanged: true, record: { ...held, etag: printable(res.headers.get('ETag')) ?? held.etag } };
    if (!res.ok) return { unchanged: false };
    const sha = shaKey(res.headers.get(CHECKSUM_HEADER));
    if (sha === null || sha !== held.sha) return { unchanged: false };
    return { unchanged: true, record: { uuid: held.uuid, sha, etag: printable(res.headers.get('ETag')) } };
  } finally {
    await res.body?.cancel().catch(() => {});
  }
}

/** Whether a downloaded file is new against the base (its uuid unknown there, or its SHA-256 changed). */
export const downloadedIsNew = (delta: DeltaContext, uuid: string, sha256: string | null): boolean =>
  !delta.since || fileIsNew(delta.since.files, uuid, sha256);

/** The requests a delta exists for. */
type DeltaRequest = Extract<ExportRequest, { kind: DeltaKind }>;

/**
 * The engine's side: opens the run's delta context (null for other kinds, or when the manifests
 * cannot be opened and the request does not need them: the export goes on, unrecorded). With
 * `onlyNew`, the last complete export must exist, or the export fails saying so.
 */
/** The engine's one connection to the manifests' database (opened on first use). */
let shared: ManifestStore | null = null;
const sharedStore = () => (shared ??= new ManifestStore());

export async function openDeltaRun(request: ExportRequest, store: () => ManifestStore = sharedStore): Promise<{ ctx: DeltaContext; store: ManifestStore } | null> {
  if (!isDeltaKind(request.kind)) return null;
  const r = request as DeltaRequest;
  try {
    const manifests = store();
    const base = r.onlyNew ? await manifests.lastComplete(r.kind, r.origin, r.workflowId, r.orderId) : undefined;
    if (r.onlyNew && !base) throw new OnlyNewError('Only new since the last export: no complete export of this kind, workflow and order is recorded. Export once without it first.');
    return { ctx: deltaContext(base), store: manifests };
  } catch (err) {
    if (r.onlyNew) throw err instanceof OnlyNewError ? err : new Error(`Only new since the last export: the record of the last export could not be read (${(err as Error).message}).`);
    console.warn('[workflow-exporter] the export will not be recorded for Only new since the last export', err);
    return null;
  }
}

class OnlyNewError extends Error {}

/**
 * The archive is complete: records what it held (unmarked until the job is done) and says what
 * the delta found. A manifest that cannot be stored costs a warning, not the export.
 */
export async function finishDeltaRun(
  run: { ctx: DeltaContext; store: ManifestStore },
  jobId: string,
  request: ExportRequest,
  startedAt: number,
  anyLeftOut: boolean,
  warnings: string[],
): Promise<DeltaInfo | undefined> {
  const r = request as DeltaRequest;
  const { ctx } = run;
  try {
    await run.store.save({
      jobId,
      kind: r.kind,
      origin: r.origin,
      workflowId: r.workflowId,
      orderId: r.orderId,
      startedAt,
      fileCount: ctx.record.fileCount,
      submissionCount: ctx.record.submissionCount,
      ...ctx.record.encode(),
    });
  } catch (err) {
    warnings.push(`This export could not be recorded for Only new since the last export (${(err as Error).message}).`);
  }
  if (!ctx.since) return undefined;
  return { since: ctx.since.startedAt, newCount: ctx.counts.newCount, nothingNew: ctx.counts.newCount === 0 && !anyLeftOut };
}
