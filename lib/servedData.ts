/**
 * Rule "served data in the contract's types": every answer of the platform's API is rebuilt here,
 * field by field, into the types of `lib/platform.ts` before anything else reads it, so that no
 * exporter, name, template or CSV cell ever meets a number where it expects text, an object where
 * it expects a list, or a value nested 100,000 deep. Built for the class, not the examples:
 *
 * - **Text** fields take a string as it is; a number or boolean as its text (`1006` → `"1006"`);
 *   null or a missing value as `''` (or null where the contract allows null); anything else (an
 *   object, a list) as its JSON text, at any depth (`lib/jsonText.ts`). Nothing is lost: a value
 *   of the wrong type still shows, as text. Statuses and kinds are text too (an unknown one is
 *   written as served, as before).
 * - **Counts and sizes** are finite, non-negative whole numbers, else 0 (a size is only a hint for
 *   progress and buffering; each file is verified by its bytes and checksum). An iteration is a
 *   whole number ≥ 1, else 1.
 * - **Objects and lists** the contract requires that are something else stop the export with a
 *   clear {@link ServedDataError} naming what and where (a listing item that is not an object, a
 *   case's files that are not a list): nothing half-read is written. A list the contract says may
 *   be empty and that is missing or null is empty.
 * - **Answers and metadata values** keep their JSON value (they are written as JSON text when not
 *   text, a number, a boolean or a list); metadata that is not an object is no metadata.
 * - **Shapes** are kept as served (`annotations.json` holds them as they are; lib/labelGeometry.ts
 *   checks every point and kind, and a label is read through {@link servedText}).
 *
 * Unknown fields are dropped by construction (each object is built anew), except in shapes.
 */
import { jsonText } from './jsonText';
import type { Annotation, Case, CaseFile, Execution, ExecutionSummary, Me, MetaValue, Order, Question, Step, Submission, Workflow } from './platform';

/** An answer of the platform that does not have the contract's structure (an object or list where one must be). */
export class ServedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServedDataError';
  }
}

type Record_ = Record<string, unknown>;
const isObject = (v: unknown): v is Record_ => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Any served value as text: a string as is, a number or boolean as its text, null/missing as '', anything else as its JSON. */
export function servedText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return jsonText(v);
}

/** {@link servedText}, but null (or missing) stays null. */
export const servedTextOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : servedText(v));

/** A size or count: a finite whole number ≥ 0, else 0. */
export const servedCount = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

const objectOf = (v: unknown, what: string): Record_ => {
  if (!isObject(v)) throw new ServedDataError(`The platform answered ${what} that is not an object (${shortType(v)}).`);
  return v;
};

/** A list the contract requires (missing or null: empty); each item rebuilt by `item`. */
function listOf<T>(v: unknown, what: string, item: (v: unknown, at: number) => T): T[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new ServedDataError(`The platform answered ${what} that is not a list (${shortType(v)}).`);
  return v.map(item);
}

const shortType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

export const servedMe = (v: unknown): Me => {
  const o = objectOf(v, 'a user');
  return { id: servedText(o.id), name: servedText(o.name), email: servedText(o.email) };
};

const servedOrder = (v: unknown, at: number): Order => {
  const o = objectOf(v, `order ${at + 1} of a workflow`);
  return { id: servedText(o.id), name: servedText(o.name) };
};

export const servedWorkflow = (v: unknown): Workflow => {
  const o = objectOf(v, 'a workflow');
  return { id: servedText(o.id), name: servedText(o.name), orders: listOf(o.orders, 'the orders of a workflow', servedOrder) };
};

export const servedQuestions = (v: unknown): Question[] => {
  if (!Array.isArray(v)) throw new ServedDataError(`The platform answered the questions of a workflow with something that is not a list (${shortType(v)}).`);
  return v.map((q, at) => {
    const o = objectOf(q, `question ${at + 1} of a workflow`);
    return { key: servedText(o.key), label: servedText(o.label), type: servedText(o.type) as Question['type'] };
  });
};

const servedMetaValue = (v: unknown): MetaValue =>
  v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : servedText(v);

const servedFile = (caseId: string) => (v: unknown, at: number): CaseFile => {
  const o = objectOf(v, `file ${at + 1} of case ${caseId}`);
  return {
    uuid: servedText(o.uuid),
    originalFilename: servedText(o.originalFilename),
    contentType: servedText(o.contentType),
    size: servedCount(o.size),
    createdAt: servedText(o.createdAt),
  };
};

export const servedCase = (v: unknown): Case => {
  const o = objectOf(v, 'a case');
  const id = servedText(o.id);
  const metadata: Record<string, MetaValue> = {};
  if (isObject(o.metadata)) for (const [k, value] of Object.entries(o.metadata)) metadata[k] = servedMetaValue(value);
  return {
    id,
    shortId: servedText(o.shortId),
    externalId: servedTextOrNull(o.externalId),
    entityExternalId: servedTextOrNull(o.entityExternalId),
    orderId: servedTextOrNull(o.orderId),
    metadata,
    files: listOf(o.files, `the files of case ${id}`, servedFile(id)),
  };
};

export const servedSubmission = (v: unknown): Submission => {
  const o = objectOf(v, 'a submission');
  const reader = isObject(o.reader) ? { id: servedText(o.reader.id), name: servedText(o.reader.name) } : { id: servedText(o.reader), name: '' };
  return {
    id: servedText(o.id),
    caseId: servedText(o.caseId),
    reader,
    status: servedText(o.status) as Submission['status'],
    submittedAt: servedTextOrNull(o.submittedAt),
    answers: isObject(o.answers) ? (o.answers as Submission['answers']) : {},
  };
};

export const servedAnnotation = (v: unknown): Annotation => {
  const o = objectOf(v, 'an annotation');
  return { fileUuid: servedText(o.fileUuid), submissionId: servedText(o.submissionId), shapes: Array.isArray(o.shapes) ? (o.shapes as Annotation['shapes']) : [] };
};

export const servedExecutionSummary = (v: unknown): ExecutionSummary => {
  const o = objectOf(v, 'an execution');
  return {
    id: servedText(o.id),
    workflowId: servedText(o.workflowId),
    status: servedText(o.status) as ExecutionSummary['status'],
    startedAt: servedText(o.startedAt),
    finishedAt: servedTextOrNull(o.finishedAt),
    ...(o.workflowName === undefined ? {} : { workflowName: servedText(o.workflowName) }),
  };
};

const servedStep = (v: unknown, at: number): Step => {
  const o = objectOf(v, `step ${at + 1} of an execution`);
  const iteration = servedCount(o.iteration);
  return {
    id: servedText(o.id),
    name: servedText(o.name),
    status: servedText(o.status) as Step['status'],
    iteration: iteration >= 1 ? iteration : 1,
    startedAt: servedText(o.startedAt),
    finishedAt: servedTextOrNull(o.finishedAt),
    outputSize: servedCount(o.outputSize),
  };
};

export const servedExecution = (v: unknown): Execution => {
  const o = objectOf(v, 'an execution');
  const workflow = isObject(o.workflow) ? { id: servedText(o.workflow.id), name: servedText(o.workflow.name) } : { id: '', name: servedText(o.workflow) };
  return {
    id: servedText(o.id),
    workflow,
    status: servedText(o.status) as Execution['status'],
    startedAt: servedText(o.startedAt),
    finishedAt: servedTextOrNull(o.finishedAt),
    steps: listOf(o.steps, 'the steps of an execution', servedStep),
  };
};
