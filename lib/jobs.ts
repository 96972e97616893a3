/** Export jobs: what is asked, how far it got, how it ended. Shared by every context. */
import { t } from './i18n';
import type { StreamInfo } from './streamDownload';
import type { ImagesMode, LabelFileOptions } from './annotatedOptions';


export interface CaseFilesRequest {
  kind: 'case-files';
  /** The platform origin, e.g. `http://localhost:4400`. */
  origin: string;
  workflowId: string;
  orderId: string | null;
  /** Folder path template; empty = default names at the ZIP root. */
  template: string;
  /** Files fetched in parallel. */
  parallel?: number;
  /** COCO/YOLO label files of the order's annotations (issue 15; only with an order). */
  labels?: LabelFileOptions;
  /** Only new since the last export: files the last complete export did not hold, or changed since (issue 16.2). */
  onlyNew?: boolean;
}

/** Results as CSV (product-spec 1a). */
export interface CsvRequest {
  kind: 'csv';
  origin: string;
  workflowId: string;
  orderId: string | null;
  /** `all`, `submitted` (no drafts), `latest` (newest submitted per reader and case). */
  submissions: 'all' | 'submitted' | 'latest';
  /** `long`: one row per submission; `wide`: one row per case. */
  layout: 'long' | 'wide';
  bom: boolean;
  /** Only new since the last export: submissions the last complete export did not hold, or changed since (issue 16.2). */
  onlyNew?: boolean;
}

/** Annotated case files (product-spec 1c): needs an order. */
export interface AnnotatedCaseFilesRequest {
  kind: 'annotated-case-files';
  origin: string;
  workflowId: string;
  orderId: string;
  template: string;
  parallel?: number;
  /** Shapes drawn on the images (default) or the original images. */
  images?: ImagesMode;
  /** COCO/YOLO label files beside the images (issue 15). */
  labels?: LabelFileOptions;
  /** Only new since the last export (issue 16.2). */
  onlyNew?: boolean;
}

/** An execution's steps as Markdown or HTML (product-spec 2). */
export interface ExecutionRequest {
  kind: 'execution';
  origin: string;
  executionId: string;
  format: 'markdown' | 'html';
  combine: boolean;
}

export type ExportRequest = CaseFilesRequest | CsvRequest | AnnotatedCaseFilesRequest | ExecutionRequest;
export type ExportKind = ExportRequest['kind'];

export type JobPhase = 'queued' | 'running' | 'saving' | 'done' | 'failed' | 'cancelled';

export interface Progress {
  /** Files written into the archive so far (including failed ones that went into the report). */
  filesDone: number;
  /** Files known so far; final once `listingDone`. */
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  listingDone: boolean;
  failed: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Archive bytes written to disk so far. */
  archiveBytes: number;
  /** Files put in without a checksum to check them against (the report lists them as "not verified"). */
  notVerified?: number;
  /** Set while the export waits for the user to sign in again (a 401 mid-export). */
  paused?: 'unauthenticated' | null;
}

/** A row of `export-report.csv`: a file left out, or (`kept`) put in but not as asked. */
export interface FailedFile {
  path: string;
  caseId: string;
  fileUuid: string;
  reason: string;
  attempts: number;
  /** In the archive all the same (e.g. an image that could not be annotated goes in unchanged). */
  kept?: boolean;
}

/** The files left out of an archive (what the UI counts as failed). */
export const leftOut = (rows: readonly FailedFile[]) => rows.filter((r) => !r.kept);

/**
 * The report's reason for a file served without `X-Checksum-Sha256` (exact words): it is in the
 * archive (a `kept` row), its size checked, but its bytes could not be verified.
 */
export const NOT_VERIFIED = 'not verified';

/** How many files went in unverified (no checksum served). */
export const notVerifiedCount = (rows: readonly FailedFile[]) => rows.filter((r) => r.kept && r.reason === NOT_VERIFIED).length;

export interface JobResult {
  filename: string;
  /** Milliseconds from the start until the archive was complete in the private file system. */
  archiveMs?: number;
  /** When (epoch ms) the archive was complete (in Chrome: also read whole into its stream's download); the bench times what follows. */
  builtAt?: number;
  /** Milliseconds the engine's thread spent per stage (workers/stages.ts), for the bench. */
  stages?: Record<string, number>;
  archiveBytes: number;
  files: number;
  failed: FailedFile[];
  /** What changed under the export or could not be done as asked, in plain words (e.g. the CSV's pass check). */
  warnings?: string[];
  /** Set when the export went on from an earlier run (a crash, a restart). */
  resumed?: ResumeInfo;
  /** Set for an export with Only new since the last export (issue 16.2). */
  delta?: DeltaInfo;
}

/** What an export with Only new since the last export found (lib/delta.ts). */
export interface DeltaInfo {
  /** The UTC start (epoch ms) of the last complete export it was compared with. */
  since: number;
  /** Files (case files) or submissions (CSV) that were new or changed, and went in. */
  newCount: number;
  /** Nothing was new: no file was written (the job ends `done`, without a download). */
  nothingNew: boolean;
}

/** How an export went on after its earlier run stopped (workers/journal.ts). */
export interface ResumeInfo {
  /** Entries of the earlier run kept in the archive (not fetched again). */
  kept: number;
  /** Why the earlier run's archive could not be trusted and the export started again from zero. */
  restartReason: string | null;
}

export interface JobState {
  id: string;
  request: ExportRequest;
  /** The tab the export was started from, to send it progress (absent for the popup). */
  tabId?: number;
  phase: JobPhase;
  filename: string;
  startedAt: number;
  finishedAt?: number;
  progress: Progress;
  result?: JobResult;
  error?: string;
  downloadId?: number;
  /** How often the export went on after the browser or the extension stopped mid-way. */
  resumes?: number;
  /** The user asked to cancel: whatever step comes next ends the job as cancelled (lib/saving.ts). */
  cancelRequested?: boolean;
  /** Chrome: the archive streamed to Downloads as it is built (lib/streamDownload.ts). */
  stream?: StreamInfo;
}

export const emptyProgress = (): Progress => ({
  filesDone: 0,
  filesTotal: 0,
  bytesDone: 0,
  bytesTotal: 0,
  listingDone: false,
  failed: 0,
  rate: 0,
  archiveBytes: 0,
});

export const isJobActive = (j: Pick<JobState, 'phase'>) =>
  j.phase === 'queued' || j.phase === 'running' || j.phase === 'saving';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
/** `1536` → `1.5 KB` (powers of 1024, as file managers show). */
export function formatBytes(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${UNITS[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "12 of 40 files · 3.1 MB of 9.8 MB · 2.0 MB/s · 3 s left" */
export function describeProgress(p: Progress): string {
  const parts = [
    t('progressFiles', p.filesDone, `${p.filesTotal}${p.listingDone ? '' : '+'}`),
    t('progressBytes', formatBytes(p.bytesDone), `${formatBytes(p.bytesTotal)}${p.listingDone ? '' : '+'}`),
  ];
  if (p.rate > 0) {
    parts.push(`${formatBytes(p.rate)}/s`);
    if (p.listingDone && p.bytesTotal > p.bytesDone) parts.push(t('progressLeft', formatDuration((p.bytesTotal - p.bytesDone) / p.rate)));
  }
  if (p.failed) parts.push(t('nFailed', p.failed));
  if (p.notVerified) parts.push(t('nNotVerified', p.notVerified));
  return parts.join(' · ');
}

/** Fraction done in [0, 1], by bytes when known, else by files. */
export function progressFraction(p: Progress): number {
  if (p.bytesTotal > 0) return Math.min(1, p.bytesDone / p.bytesTotal);
  if (p.filesTotal > 0) return Math.min(1, p.filesDone / p.filesTotal);
  return 0;
}

/** The toolbar badge: percent while running. */
export function badgeText(p: Progress): string {
  const f = progressFraction(p);
  return `${Math.floor(f * 100)}%`;
}
