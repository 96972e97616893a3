/**
 * Every export the engine runs, by kind. An exporter turns a request into the bytes of one file
 * (a ZIP, a CSV) as a stream, plus its download name; the engine writes it to disk.
 */
import type { ExportRequest, FailedFile, Progress } from '../lib/jobs';
import type { TempStore } from './buffering';
import type { RetryPolicy } from './fetching';
import type { SessionGate } from './session';
import type { StageClock } from './stages';
import type { ArchiveResume } from './journal';
import type { DeltaContext } from './deltaRun';
import { exportCaseFiles } from './caseFiles';
import { exportExecution } from './execution';
import { exportCsv } from './csv';
import { exportAnnotatedCaseFiles, exportCaseFilesWithLabels } from './annotatedCaseFiles';
import { labelFileOptionsFrom, wantsLabelFiles } from '../lib/annotatedOptions';

export interface ExportContext {
  fetch: typeof fetch;
  signal: AbortSignal;
  /** Call on every change; the engine throttles what it reports. */
  onProgress: (p: Progress) => void;
  policy?: RetryPolicy;
  /** Pauses requests that meet a 401 until the session works again (absent: a 401 fails). */
  gate?: SessionGate;
  /** Where downloaded files wait for their turn in the archive (default: memory). */
  tempStore?: TempStore;
  /** Throws a clear error when the disk cannot hold `bytes` more (checked as the size becomes known). */
  ensureSpace?: (bytes: number) => Promise<void>;
  /** Times the engine's stages (absent: not timed). */
  clock?: StageClock;
  /** A ZIP export going on after an earlier run's entries, journaled as it goes (workers/journal.ts). */
  archive?: ArchiveResume;
  /** Records what the export holds; with Only new since the last export, what the last one held (workers/deltaRun.ts). */
  delta?: DeltaContext;
}

export interface ExportOutput {
  /** The download's file name (sanitised, at most 200 bytes). */
  filename: string;
  stream: ReadableStream<Uint8Array>;
  /** Live progress of this export (final when the stream ends). */
  progress: Progress;
  /** Files left out, and why (final when the stream ends). */
  failed: FailedFile[];
  /** What the export could not do as asked, in plain words (final when the stream ends; e.g. the CSV's pass check). */
  warnings?: string[];
}

export type Exporter<R extends ExportRequest> = (request: R, ctx: ExportContext) => Promise<ExportOutput>;

type Registry = { [K in ExportRequest['kind']]?: Exporter<Extract<ExportRequest, { kind: K }>> };

/** One line per export kind. */
export const exporters: Registry = {
  // With an order and label files asked for, the labelled pipeline (issue 15, point 4).
  'case-files': (r, ctx) => (r.orderId && wantsLabelFiles(labelFileOptionsFrom(r.labels)) ? exportCaseFilesWithLabels(r, ctx) : exportCaseFiles(r, ctx)),
  execution: exportExecution,
  csv: exportCsv,
  'annotated-case-files': exportAnnotatedCaseFiles,
};

export function exporterFor(request: ExportRequest): Exporter<ExportRequest> {
  const exporter = exporters[request.kind] as Exporter<ExportRequest> | undefined;
  if (!exporter) throw new Error(`This version cannot export “${request.kind}” yet.`);
  return exporter;
}
