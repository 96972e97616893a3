/**
 * Execution exports (product spec 2): the plan of file names, and the documents in the chosen
 * format. Runs in the worker (no DOM), in extension pages and in Node tests.
 *
 * Documents are produced as async generators of string pieces, never as one string: a step output
 * may be megabytes and an execution may have thousands of steps, so the worker encodes and zips each
 * piece as it comes (see workers/execution.ts). The subjects live in their own modules, re-exported
 * here:
 * - lib/executionDetails.ts: details, titles, what the worker hands over for a step;
 * - lib/markdownDocument.ts: the Markdown files (each output verbatim: a `.md` file runs nothing);
 * - lib/htmlDocument.ts: the HTML files; lib/htmlStyle.ts: their one style block and the CSP;
 * - lib/markdownSegments.ts, lib/markdownRender.ts: an output rendered to HTML in segments, every
 *   text escaped by us (lib/htmlEscape.ts), URLs allow-listed (lib/safeUrl.ts);
 * - lib/htmlSanitize.ts: every rendered output then passes an allow-list sanitiser, configured from
 *   lib/htmlAllowList.ts, the one list of what an exported HTML file may hold.
 */
import type { ExecutionExportOptions, ExecutionFormat } from './executionRequest';
import type { Execution, Step } from './platform';
import {
  MAX_SEGMENT_BYTES,
  PathDeduper,
  executionArchiveFileName,
  executionArchiveName,
  limitSegmentBytes,
  stepFileName,
  stepNameCounts,
} from './naming';
import type { StepDocumentInput, StepOutputSource } from './executionDetails';
import { combinedHtmlDocument, stepHtmlDocument } from './htmlDocument';
import { combinedMarkdownDocument, stepMarkdownDocument } from './markdownDocument';

export * from './executionRequest';
export * from './executionDetails';
export { escapeHtml, escapeText } from './htmlEscape';
export { safeLinkUrl, safeImageUrl } from './safeUrl';
export { SEGMENT_CHARS, markdownSegments } from './markdownSegments';
export { renderOutputHtml, type RenderOptions } from './markdownRender';
export { HTML_DOCUMENT_END, combinedHtmlDocument, htmlDocumentStart, stepHtmlDocument } from './htmlDocument';
export { htmlCsp } from './htmlStyle';
export { combinedMarkdownDocument, escapeMarkdownInline, stepMarkdownDocument } from './markdownDocument';

export const fileExtension = (format: ExecutionFormat): '.md' | '.html' => (format === 'html' ? '.html' : '.md');

// ---------------------------------------------------------------------------------------------
// The plan of names
// ---------------------------------------------------------------------------------------------

export interface PlannedStep {
  step: Step;
  /** 1-based position in the execution (anchors `#step-N`). */
  index: number;
  /** Whether the step's name occurs more than once (its iteration is part of its name). */
  repeated: boolean;
  /** Its file in the ZIP (one file per step), or '' when the steps are combined. */
  path: string;
}

export interface ExecutionPlan {
  /** `<workflow_name>_<YYYY-MM-DD_HH-mm-ss>_<execution_id>.zip`, at most 200 UTF-8 bytes. */
  archiveFileName: string;
  /** The combined file (`<archive name>.md|.html`), or null for one file per step. */
  combinedPath: string | null;
  steps: PlannedStep[];
}

/**
 * Every name of an execution export (spec 2): the archive name with the UTC start time; one file per
 * step `<step_name>_<status>.<ext>`, with `_<iteration>` for names that occur more than once; all
 * sanitised as in 1b, then deduplicated (two names may sanitise alike, `a/b` and `a:b`).
 */
export function planExecutionExport(execution: Execution, options: ExecutionExportOptions): ExecutionPlan {
  const ext = fileExtension(options.format);
  const archiveFileName = executionArchiveFileName(execution.workflow.name, execution.startedAt, execution.id);
  const counts = stepNameCounts(execution.steps);
  const deduper = new PathDeduper();
  const combinedPath = options.combine
    ? deduper.claim(limitSegmentBytes(executionArchiveName(execution.workflow.name, execution.startedAt, execution.id) + ext, MAX_SEGMENT_BYTES))
    : null;
  const steps = execution.steps.map((step, i) => ({
    step,
    index: i + 1,
    repeated: (counts.get(step.name) ?? 0) > 1,
    path: options.combine ? '' : deduper.claim(stepFileName(step, counts, ext)),
  }));
  return { archiveFileName, combinedPath, steps };
}

/** The document of one step in the chosen format. */
export const stepDocument = (format: ExecutionFormat, input: StepDocumentInput) =>
  format === 'html' ? stepHtmlDocument(input) : stepMarkdownDocument(input);

/** The combined document in the chosen format. */
export const combinedDocument = (
  format: ExecutionFormat,
  execution: Execution,
  steps: AsyncIterable<{ planned: PlannedStep; output: StepOutputSource }>,
  plan: PlannedStep[],
) => (format === 'html' ? combinedHtmlDocument(execution, steps, plan) : combinedMarkdownDocument(execution, steps, plan));

/** A whole document as one string (tests and small previews only). */
export async function collect(pieces: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const p of pieces) s += p;
  return s;
}
