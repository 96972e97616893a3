/**
 * The case-files export as a pipeline of pure steps:
 * list (cases, page by page) → name (path template) → fetch (bounded window) → zip (storedZip) → sink.
 * Runs in the worker; in Node tests with a fake fetch.
 */
import { PlatformClient, endpoints, type CaseFile, type Case, type Order, type Workflow } from '../lib/platform';
import { parsePathTemplate } from '../lib/pathTemplate';
import { planCaseFiles } from '../lib/caseFilesPlan';
import { PathDeduper, caseFilesArchiveName } from '../lib/naming';
import { csvRecords } from '../lib/csvEscape';
import { REPORT_NAME } from '../lib/reservedNames';
import type { ExportContext, ExportOutput } from './exporters';
import { contextClient } from './client';
import type { AnnotatedCaseFilesRequest, CaseFilesRequest, FailedFile, Progress } from '../lib/jobs';
import { NOT_VERIFIED, emptyProgress, leftOut, notVerifiedCount } from '../lib/jobs';
import { orderedWindow, rangeOpener, type AttemptInfo, type OpenFn } from './fetching';
import { checkUnchanged, downloadedIsNew } from './deltaRun';
import type { FileRecord } from '../lib/delta';
import { MEMORY_BUFFER_LIMIT, memoryTempStore } from './buffering';
import { ProtocolWatch, downloadWindow } from './protocolWatch';
import { downloadVerified } from './verified';
import { zipStream } from './zipStream';

/** The ceiling when the request gives none (as lib/settings.ts's): lib/concurrency.ts narrows it to the connection. */
export const DEFAULT_PARALLEL = 16;
/** Files done and waiting for their turn in the archive may weigh this much together (orderedWindow's lookahead). */
const LOOKAHEAD_BYTES = 16 * 1024 * 1024;
/** `export-report.csv`, reserved before the user's files are named (lib/reservedNames.ts). */
export { REPORT_NAME } from '../lib/reservedNames';

export interface PlannedFile {
  path: string;
  case: Case;
  file: CaseFile;
}

/** Every file of the export with its final path, as the case pages arrive. */
export async function* listPlannedFiles(
  client: PlatformClient,
  request: CaseFilesRequest | AnnotatedCaseFilesRequest,
  workflow: Workflow,
  onPage: (files: PlannedFile[]) => void | Promise<void>,
  plan: typeof planCaseFiles = planCaseFiles,
): AsyncGenerator<PlannedFile> {
  const parsed = parsePathTemplate(request.template);
  if (!parsed.ok) throw new Error(`Folder path template rejected: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const order: Order | null = request.orderId ? (workflow.orders.find((o) => o.id === request.orderId) ?? null) : null;
  if (request.orderId && !order) throw new Error(`Order ${request.orderId} is not in workflow “${workflow.name}”.`);
  const deduper = new PathDeduper();
  // A case listed twice (in two pages) is exported once: its first listing counts.
  const listed = new Set<string>();
  for await (const page of client.cases(request.workflowId, request.orderId)) {
    const cases = page.filter((c) => !listed.has(c.id) && !!listed.add(c.id));
    const planned = [...plan(parsed.template, workflow, order, cases, deduper)].map(({ path, case: c, file }) => ({
      path,
      case: c,
      file,
    }));
    await onPage(planned);
    yield* planned;
  }
}

/**
 * `export-report.csv`: one row per file left out (or kept with a note), and why. Written like every
 * CSV of ours (`lib/csvEscape.ts`: every cell quoted, text formula-guarded): paths, names and the
 * platform's messages are user content.
 */
export function reportCsv(failed: FailedFile[]): string {
  return csvRecords([['path', 'case', 'file uuid', 'reason', 'attempts'], ...failed.map((f) => [f.path, f.caseId, f.fileUuid, f.reason, f.attempts])]);
}

export function describeFailure(err: unknown): string {
  if (err && typeof err === 'object' && 'status' in err && 'message' in err)
    return `HTTP ${(err as { status: number }).status}: ${(err as { message: string }).message}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export type RunOptions = ExportContext;

/** The case-files exporter: `<workflow[-order]-name>_case-files.zip`. */
export async function exportCaseFiles(request: CaseFilesRequest, ctx: ExportContext): Promise<ExportOutput> {
  const workflow = await contextClient(request.origin, ctx).workflow(request.workflowId);
  const order = request.orderId ? (workflow.orders.find((o) => o.id === request.orderId) ?? null) : null;
  return { filename: caseFilesArchiveName(workflow, order, ctx.delta?.since?.startedAt), ...caseFilesZip(request, workflow, ctx) };
}

/**
 * A step between fetch and zip (annotated case files draw on images here). It gets each file's
 * complete, verified bytes and returns what to store instead, or null to store them unchanged;
 * `note` lists the file in the report without leaving it out.
 */
export interface FileTransform {
  apply(item: PlannedFile, content: Blob, note: (reason: string) => void): Promise<Blob | null>;
}

export interface CaseFilesExtras {
  transform?: FileTransform;
  /** Entries added after every file and before the report (e.g. `annotations.json`). */
  finalEntries?: () => Iterable<{ name: string; input: string | Blob }>;
  /** Names the files instead of `planCaseFiles` (annotated exports: written names, label paths). */
  plan?: typeof planCaseFiles;
}

/** The ZIP stream of a case-files export; `failed` fills as it goes (final when the stream ends). */
export function caseFilesZip(
  request: CaseFilesRequest | AnnotatedCaseFilesRequest,
  workflow: Workflow,
  opts: RunOptions,
  extras: CaseFilesExtras = {},
): { stream: ReadableStream<Uint8Array>; failed: FailedFile[]; progress: Progress } {
  const client = contextClient(request.origin, opts);
  const progress = emptyProgress();
  const failed: FailedFile[] = [];
  const parallel = Math.max(1, Math.min(16, request.parallel ?? DEFAULT_PARALLEL));

  const planned = listPlannedFiles(client, request, workflow, async (page) => {
    progress.filesTotal += page.length;
    for (const p of page) progress.bytesTotal += p.file.size;
    opts.onProgress(progress);
    // The archive holds every byte (stored, not compressed): say so early if the disk cannot.
    await opts.ensureSpace?.(progress.bytesTotal - progress.archiveBytes);
  }, extras.plan);

  // Files an earlier run of this export already put in the archive are not fetched again.
  const resumed = new Map(opts.archive?.resumed.map((e) => [e.name, e]));
  const delta = opts.delta;
  async function* withListingEnd(): AsyncGenerator<PlannedFile> {
    for await (const p of planned) {
      const entry = resumed.get(p.path);
      if (!entry) yield p;
      else {
        progress.filesDone++;
        progress.bytesDone += p.file.size;
        // In the archive already: held by this export (a drawn image's hash is not the platform's).
        if (delta) {
          delta.record.file(p.file.uuid, extras.transform ? null : entry.sha256, null);
          if (delta.since) delta.counts.newCount++;
        }
      }
    }
    progress.listingDone = true;
    opts.onProgress(progress);
  }

  const store = opts.tempStore ?? memoryTempStore;
  /** Downloads one file completely, verified, into the temp store (then, if asked, transforms it). */
  type Fetched = {
    content: Uint8Array | Blob;
    crc32?: number;
    size?: number;
    sha256?: string;
    dispose: () => Promise<void>;
    unverified?: { attempts: number };
    /** The platform's file as the manifest keeps it (its SHA-256, not a drawn image's). */
    held: { sha256: string; etag: string | null };
  };
  /** Not new since the last export (Only new since the last export): left out, held all the same. */
  type Unchanged = { unchanged: FileRecord };
  /** An unchanged file is not part of this export: out of its totals (and its bytes, if it was fetched to be hashed). */
  const skip = (p: PlannedFile, record: FileRecord, counted: number): Unchanged => {
    progress.bytesDone -= counted;
    progress.bytesTotal -= p.file.size;
    progress.filesTotal--;
    opts.onProgress(progress);
    return { unchanged: record };
  };
  const start = async (p: PlannedFile): Promise<Fetched | Unchanged> => {
    opts.signal.throwIfAborted();
    const info: AttemptInfo = { attempts: 0 };
    let counted = 0;
    const url = client.url(endpoints.fileContent(p.file.uuid));
    const held = delta?.since?.files.get(p.file.uuid);
    if (held) {
      const check = await checkUnchanged(opts.fetch, url, held, opts.signal);
      if (check.unchanged) return skip(p, check.record, 0);
    }
    let etag: string | null = null;
    const opener = rangeOpener(opts.fetch, url, opts.signal);
    const open: OpenFn = async (init) => {
      const res = await opener(init);
      etag = res.headers.get('ETag');
      return res;
    };
    try {
      const verified = await downloadVerified(open, {
        store,
        expectedSize: p.file.size,
        signal: opts.signal,
        info,
        policy: opts.policy,
        gate: opts.gate,
        clock: opts.clock,
        onBytes: (n) => {
          counted += n;
          progress.bytesDone += n;
          opts.onProgress(progress);
        },
      });
      const unverified = verified.verified ? undefined : { attempts: info.attempts };
      const heldNow = { sha256: verified.sha256, etag };
      if (delta && !downloadedIsNew(delta, p.file.uuid, verified.sha256)) {
        // Downloaded to hash it (the platform could not say cheaply): the same bytes as last time.
        await verified.dispose();
        return skip(p, { uuid: p.file.uuid, sha: verified.sha256, etag }, counted);
      }
      if (!extras.transform) return { ...verified, unverified, held: heldNow };
      const blob = verified.content instanceof Blob ? verified.content : new Blob([verified.content as BlobPart]);
      const out = await extras.transform.apply(p, blob, (reason) =>
        failed.push({ path: p.path, caseId: p.case.id, fileUuid: p.file.uuid, reason, attempts: info.attempts, kept: true }),
      );
      if (!out) return { ...verified, unverified, held: heldNow };
      await verified.dispose();
      return { content: out, dispose: async () => {}, unverified, held: heldNow };
    } catch (err) {
      throw Object.assign(new Error(describeFailure(err)), { attempts: info.attempts, bytesCounted: counted });
    }
  };

  // As wide as the connection allows (HTTP/2: more than 6), never past the user's setting (lib/concurrency.ts);
  // small files go on downloading while an earlier one finishes (within a few MiB of files waiting).
  const window = downloadWindow<PlannedFile>(new ProtocolWatch(request.origin.replace(/\/+$/, '')), parallel, (p) => p.file.size, MEMORY_BUFFER_LIMIT);
  const lookahead = { weight: (p: PlannedFile) => p.file.size, max: LOOKAHEAD_BYTES };
  async function* entries() {
    let previous: (() => Promise<void>) | null = null;
    for await (const { item, result } of orderedWindow(withListingEnd(), window, start, lookahead)) {
      // The writer asks for the next entry once it has written the previous one: free its bytes.
      await previous?.();
      previous = null;
      opts.signal.throwIfAborted();
      if (result.status === 'rejected') {
        const err = result.reason as Error & { attempts?: number; bytesCounted?: number };
        failed.push({ path: item.path, caseId: item.case.id, fileUuid: item.file.uuid, reason: err.message, attempts: err.attempts ?? 1 });
        progress.failed = leftOut(failed).length;
        progress.filesDone++;
        // A file left out counts as done, so the byte total is still reached.
        progress.bytesDone += item.file.size - (err.bytesCounted ?? 0);
        opts.onProgress(progress);
        continue;
      }
      if ('unchanged' in result.value) {
        delta?.record.keep(result.value.unchanged);
        continue;
      }
      const lastModified = new Date(item.file.createdAt);
      const { content, crc32, size, sha256, dispose, unverified, held } = result.value;
      if (delta) {
        delta.record.file(item.file.uuid, held.sha256, held.etag);
        if (delta.since) delta.counts.newCount++;
      }
      previous = dispose;
      if (unverified) {
        // Served without a checksum: it goes in all the same (its size was checked), and the report says so.
        failed.push({ path: item.path, caseId: item.case.id, fileUuid: item.file.uuid, reason: NOT_VERIFIED, attempts: unverified.attempts, kept: true });
        progress.notVerified = notVerifiedCount(failed);
      }
      yield {
        name: item.path,
        lastModified: Number.isNaN(lastModified.getTime()) ? new Date() : lastModified,
        input: content,
        sha256,
        ...(crc32 !== undefined ? { crc32, size } : {}),
      };
      progress.filesDone++;
    }
    await previous?.();
    for (const e of extras.finalEntries?.() ?? []) yield { ...e, lastModified: new Date(), generated: true };
    if (failed.length) yield { name: REPORT_NAME, lastModified: new Date(), input: reportCsv(failed), generated: true };
    opts.onProgress(progress);
  }

  return { stream: zipStream(entries(), progress, opts.archive, opts.tempStore), failed, progress };
}
