/**
 * What every execution document says about the execution and its steps, in either format: the
 * details, the titles, the note on a missing output, and what the worker hands over for a step.
 */
import { formatDuration } from './jobs';
import type { PlannedStep } from './executionDocs';
import type { Execution, Step } from './platform';
import type { RenderNote } from './markdownRender';

/** `2024-03-05 07:08:09 UTC` (a zoneless ISO value is read as UTC); '' for null; unparseable: as is. */
export function formatUtcTimestamp(value: string | null): string {
  if (value === null || value === '') return '';
  const text = value.trim();
  const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  const d = new Date(zoneless ? `${text.replace(' ', 'T')}Z` : text);
  if (Number.isNaN(d.getTime())) return text;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** Time from start to finish: `850 ms`, `42 s`, `3 min 5 s`; '' when not finished or unparseable. */
export function formatStepDuration(startedAt: string, finishedAt: string | null): string {
  if (!finishedAt) return '';
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${ms} ms` : formatDuration(ms / 1000);
}

export interface Detail {
  label: string;
  value: string;
}

/** A step's details, in the spec's order: name, status, iteration, start, finish, duration. */
export function stepDetails(step: Step): Detail[] {
  return [
    { label: 'Step', value: step.name },
    { label: 'Status', value: step.status },
    { label: 'Iteration', value: String(step.iteration) },
    { label: 'Started', value: formatUtcTimestamp(step.startedAt) },
    { label: 'Finished', value: formatUtcTimestamp(step.finishedAt) || 'not finished' },
    { label: 'Duration', value: formatStepDuration(step.startedAt, step.finishedAt) || '—' },
  ];
}

/** The execution's own details (top of every file). */
export function executionDetails(execution: Execution): Detail[] {
  return [
    { label: 'Workflow', value: execution.workflow.name },
    { label: 'Execution', value: execution.id },
    { label: 'Status', value: execution.status },
    { label: 'Started', value: formatUtcTimestamp(execution.startedAt) },
    { label: 'Finished', value: formatUtcTimestamp(execution.finishedAt) || 'not finished' },
    { label: 'Duration', value: formatStepDuration(execution.startedAt, execution.finishedAt) || '—' },
    { label: 'Steps', value: String(execution.steps.length) },
  ];
}

/** How a step is called in headings and the table of contents: `Retry loop (iteration 2)`. */
export function stepTitle(p: Pick<PlannedStep, 'step' | 'repeated'>): string {
  return p.repeated ? `${p.step.name} (iteration ${p.step.iteration})` : p.step.name;
}

/** What the worker hands over for one step: its output in pieces, or why there is none. */
export interface StepOutputSource {
  /** The output's text in pieces; null when it could not be downloaded at all. */
  chunks: AsyncIterable<string> | null;
  /** Why the output is missing or cut short; read once `chunks` has ended. */
  failure(): string | null;
  /** Told, once the output is written, what the HTML sanitiser kept out of it (for export-report.csv). */
  sanitised?(note: string): void;
  /**
   * HTML only: the output's HTML when something else renders `chunks` (the render workers,
   * workers/renderPool.ts; headings already shifted for this document), what the sanitiser refused
   * told to `onRemoved`. Absent, the document renders `chunks` itself; the HTML is the same.
   */
  rendered?(onRemoved: (r: RenderNote) => void): AsyncIterable<string>;
}

export interface StepDocumentInput {
  execution: Execution;
  planned: PlannedStep;
  output: StepOutputSource;
}

export const failureNote = (reason: string) =>
  `The output of this step could not be downloaded completely (${reason}). It is listed in export-report.csv.`;

