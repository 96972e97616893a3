/**
 * The execution export (product spec 2) as a pipeline:
 * execution (steps) → plan of names → step outputs, a bounded window at a time → documents, piece by
 * piece → ZIP (storedZip) → sink.
 *
 * This is "the one function" every UI calls: the execution page, the executions list and the popup
 * all send `actions.startExport(executionExportRequest(origin, executionId, { format, combine }))`
 * (lib/executionRequest.ts); the background hands it to the engine, which runs {@link exportExecution}.
 *
 * HTML: the outputs are rendered in a pool of render workers (workers/renderPool.ts), a few steps
 * ahead of the one being zipped; the documents take them in order, so the files are the same as
 * when rendered here, one after the other (where no worker can be had, they are).
 *
 * Memory: at most {@link STEP_WINDOW} step outputs are requested ahead of the one being written, and
 * each is read as a stream: its bytes are decoded, rendered (HTML: in segments, see
 * `renderOutputHtml`) and zipped as they arrive, so a 5 MB output is never held whole, and an
 * execution of 2,000 steps costs no more than one of 20. The combined file is one ZIP entry whose
 * content is generated the same way, step after step.
 * Runs in the worker; in Node tests with a fake fetch.
 */
import { zipStream } from './zipStream';
import { csvRecords } from '../lib/csvEscape';
import { endpoints, isExecutionFinished, type Execution } from '../lib/platform';
import { contextClient } from './client';
import {
  combinedDocument,
  planExecutionExport,
  stepDocument,
  type PlannedStep,
  type StepOutputSource,
} from '../lib/executionDocs';
import { emptyProgress, type ExecutionRequest, type FailedFile, type Progress } from '../lib/jobs';
import type { ExportContext, ExportOutput } from './exporters';
import { openResumableBody, orderedWindow, rangeOpener, type AttemptInfo } from './fetching';
import { REPORT_NAME, describeFailure } from './caseFiles';
import { inOrderAhead, renderPool, type RenderPool } from './renderPool';
import { Utf8Bytes } from '../lib/utf8Bytes';

/** Step outputs requested at once (the one being written and those ahead of it). */
export const STEP_WINDOW = 4;
/** Text handed to the ZIP in pieces of about this many UTF-16 units. */
const PIECE_CHARS = 64 * 1024;

/** One step's output as the window delivers it: its body stream, or why it could not be opened. */
interface OpenedOutput {
  body: ReadableStream<Uint8Array> | null;
  attempts: number;
}

/**
 * `export-report.csv` of an execution export: one row per step whose output is missing or cut
 * short, and why. Written like every CSV of ours (`lib/csvEscape.ts`: every cell quoted, text
 * formula-guarded).
 */
export function executionReportCsv(rows: { path: string; executionId: string; stepId: string; stepName: string; reason: string; attempts: number }[]): string {
  return csvRecords([
    ['path', 'execution', 'step id', 'step name', 'reason', 'attempts'],
    ...rows.map((r) => [r.path, r.executionId, r.stepId, r.stepName, r.reason, r.attempts]),
  ]);
}

/** The execution exporter: `<workflow_name>_<YYYY-MM-DD_HH-mm-ss>_<execution_id>.zip`. */
export async function exportExecution(request: ExecutionRequest, ctx: ExportContext): Promise<ExportOutput> {
  const client = contextClient(request.origin, ctx);
  const execution = await client.execution(request.executionId);
  if (!isExecutionFinished(execution.status))
    throw new Error(`Execution ${execution.id} has not finished yet (${execution.status}): export it once it has finished.`);
  const plan = planExecutionExport(execution, request);
  return { filename: plan.archiveFileName, ...executionZip(request, execution, ctx, request.format === 'html' ? renderPool() : null) };
}

/**
 * The ZIP stream of an execution export; `failed` fills as it goes (final when the stream ends).
 * `pool`: HTML outputs are rendered there, ahead (absent: here, as each document is written).
 */
export function executionZip(
  request: ExecutionRequest,
  execution: Execution,
  ctx: ExportContext,
  pool: RenderPool | null = null,
): { stream: ReadableStream<Uint8Array>; failed: FailedFile[]; progress: Progress } {
  const client = contextClient(request.origin, ctx);
  const plan = planExecutionExport(execution, request);
  const progress = emptyProgress();
  progress.filesTotal = request.combine ? 1 : plan.steps.length;
  // (Sizes are whole numbers ≥ 0 whatever was served: lib/servedData.ts.)
  progress.bytesTotal = plan.steps.reduce((n, p) => n + p.step.outputSize, 0);
  progress.listingDone = true;
  const failed: FailedFile[] = [];
  const report: Parameters<typeof executionReportCsv>[0] = [];
  /** The step of each failure and report row: with outputs rendered ahead, rows may come out of order; they are written in step order. */
  const stepOf = new Map<object, number>();
  const lastModified = dateOr(execution.finishedAt ?? execution.startedAt);

  const fail = (p: PlannedStep, reason: string, attempts: number) => {
    const path = plan.combinedPath ? `${plan.combinedPath}#step-${p.index}` : p.path;
    const file: FailedFile = { path, caseId: execution.id, fileUuid: p.step.id, reason, attempts };
    const row = { path, executionId: execution.id, stepId: p.step.id, stepName: p.step.name, reason, attempts };
    stepOf.set(file, p.index).set(row, p.index);
    failed.push(file);
    report.push(row);
    progress.failed = failed.length;
    ctx.onProgress(progress);
  };

  /** Something the HTML sanitiser kept out of a step's output: listed in the report, the file is there. */
  const sanitised = (p: PlannedStep, note: string) => {
    const path = plan.combinedPath ? `${plan.combinedPath}#step-${p.index}` : p.path;
    const row = { path, executionId: execution.id, stepId: p.step.id, stepName: p.step.name, reason: note, attempts: 0 };
    stepOf.set(row, p.index);
    report.push(row);
  };

  /** Opens one step's output (with retries); never rejects, so one failure never stops the rest. */
  const open = async (p: PlannedStep): Promise<OpenedOutput> => {
    if (p.step.outputSize === 0 && p.step.status === 'skipped') return { body: new Response('').body, attempts: 0 };
    const info: AttemptInfo = { attempts: 0 };
    const opener = rangeOpener(ctx.fetch, client.url(endpoints.stepOutput(execution.id, p.step.id)), ctx.signal);
    // The same retries and session gate as every other request, for the first request and for
    // each resumed one (a body cut mid-way by a session that ended goes on once signed in again).
    const { body } = await openResumableBody(opener, {
      policy: ctx.policy,
      signal: ctx.signal,
      gate: ctx.gate,
      info,
      onBytes: (n) => {
        progress.bytesDone += n;
        ctx.onProgress(progress);
      },
    }).catch((err: unknown) => {
      throw Object.assign(new Error(describeFailure(err)), { attempts: info.attempts });
    });
    return { body, attempts: info.attempts };
  };

  /** The window's result as a source of text for the documents; failures land in the report. */
  const sourceOf = (p: PlannedStep, result: PromiseSettledResult<OpenedOutput>): StepOutputSource => {
    if (result.status === 'rejected') {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const err = result.reason as Error & { attempts?: number };
      fail(p, err.message, err.attempts ?? 1);
      // Its bytes will never come: count them as done so progress reaches the end.
      progress.bytesDone += p.step.outputSize;
      return { chunks: null, failure: () => err.message };
    }
    let failure: string | null = null;
    const { body, attempts } = result.value;
    async function* chunks(): AsyncGenerator<string> {
      if (!body) return;
      const decoder = new TextDecoder('utf-8');
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const text = decoder.decode(value, { stream: true });
          if (text) yield text;
        }
        const tail = decoder.decode();
        if (tail) yield tail;
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        // Cut short after every retry: the file keeps what arrived, with a note, and the report says so.
        failure = `cut short: ${describeFailure(err)}`;
        fail(p, failure, attempts);
      } finally {
        reader.releaseLock();
      }
    }
    return { chunks: chunks(), failure: () => failure, sanitised: (note) => sanitised(p, note) };
  };

  // Documents an earlier run of this export already put in the archive are not made again.
  const resumed = new Set(ctx.archive?.resumed.map((e) => e.name));
  const todo = plan.steps.filter((p) => !resumed.has(plan.combinedPath ?? p.path));
  for (const p of plan.steps.filter((s) => !todo.includes(s))) progress.bytesDone += p.step.outputSize;
  progress.filesDone += plan.combinedPath ? (todo.length ? 0 : 1) : plan.steps.length - todo.length;
  const window = () => orderedWindow(todo, STEP_WINDOW, (p) => open(p));
  const headingOffset = plan.combinedPath ? 3 : 2;
  /** Every step's output in order; with a pool, the HTML of the next few already being rendered there. */
  async function* outputs(): AsyncGenerator<{ planned: PlannedStep; output: StepOutputSource }> {
    async function* sources() {
      for await (const { item, result } of window()) yield { planned: item, output: sourceOf(item, result) };
    }
    if (!pool) return yield* sources();
    const started = new WeakMap<StepOutputSource, ReturnType<RenderPool['start']>>();
    yield* inOrderAhead(
      sources(),
      pool.size,
      ({ planned, output }) => {
        if (!output.chunks) return { planned, output };
        const render = pool.start(output.chunks, headingOffset);
        const ahead: StepOutputSource = { ...output, rendered: (onRemoved) => render.pieces(onRemoved) };
        started.set(ahead, render);
        return { planned, output: ahead };
      },
      ({ output }) => started.get(output)?.cancel(),
    );
  }
  const inStepOrder = <T extends object>(rows: T[]) => rows.sort((a, b) => (stepOf.get(a) ?? 0) - (stepOf.get(b) ?? 0));

  async function* entries() {
    if (plan.combinedPath && todo.length) {
      yield { name: plan.combinedPath, lastModified, input: encoded(combinedDocument(request.format, execution, outputs(), plan.steps)) };
      progress.filesDone++;
    } else if (!plan.combinedPath) {
      for await (const { planned: item, output } of outputs()) {
        if (!output.chunks) {
          // Never silently missing: listed in export-report.csv; counted as done.
          progress.filesDone++;
          ctx.onProgress(progress);
          continue;
        }
        yield { name: item.path, lastModified: dateOr(item.step.finishedAt ?? item.step.startedAt), input: encoded(stepDocument(request.format, { execution, planned: item, output })) };
        progress.filesDone++;
        ctx.onProgress(progress);
      }
    }
    inStepOrder(failed);
    if (report.length) yield { name: REPORT_NAME, lastModified: new Date(), input: executionReportCsv(inStepOrder(report)), generated: true };
    ctx.onProgress(progress);
  }

  return { stream: zipStream(entries(), progress, ctx.archive), failed, progress };
}

/** Text pieces joined into ~64 K pieces and encoded as UTF-8, as the ZIP asks for them. */
export async function* encoded(pieces: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const utf8 = new Utf8Bytes();
  let buf = '';
  for await (const piece of pieces) {
    buf += piece;
    if (buf.length >= PIECE_CHARS) {
      // Never split a surrogate pair between two pieces.
      const last = buf.charCodeAt(buf.length - 1);
      const cut = last >= 0xd800 && last <= 0xdbff ? buf.length - 1 : buf.length;
      yield utf8.of(buf.slice(0, cut));
      buf = buf.slice(cut);
    }
  }
  if (buf) yield utf8.of(buf);
}

function dateOr(value: string | null): Date {
  const d = value ? new Date(value) : new Date();
  return Number.isNaN(d.getTime()) ? new Date() : d;
}
