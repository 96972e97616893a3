/**
 * The message schema: one rule per message type of lib/messages.ts, saying where the message goes,
 * which kinds of sender may send it (lib/senders.ts) and the shape it must have. A message is used
 * only as the copy its shape returns (unknown keys dropped), never as it arrived.
 *
 * Who may send what (decision, from what each context really sends):
 * - content scripts (a platform tab): start an export of their own origin, cancel and list their own
 *   tab's exports, list the favourites and read/write the last template of their own origin: that is
 *   all the in-page dialogs use (they read and write their last choices in storage.local themselves);
 * - our pages (popup, options) also everything administrative: favourites add, rename, delete,
 *   set-default, import, export; history; settings get and set; origins add and remove;
 * - the engine host (the offscreen document) only its reports, and the job list (for its leftover
 *   sweep); the background only host commands
 *   and job updates.
 */
import type { AnnotatedCaseFilesRequest, CaseFilesRequest, CsvRequest, DeltaInfo, ExecutionRequest, ExportKind, ExportRequest, FailedFile, JobPhase, JobResult, JobState, Progress, ResumeInfo } from './jobs';
import type { ImagesMode, LabelFileOptions } from './annotatedOptions';
import type { AnyMessage } from './messages';
import type { DeltaKind } from './manifestStore';
import type { Settings } from './settings';
import type { StreamInfo, StreamState } from './streamDownload';
import { normalizeOrigin } from './settings';
import { allOf, arr, bool, count, nullable, num, objOf, optional, record, ShapeError, str, strictObjOf, union, type FieldsOf, type Shape } from './shapes';

/** Who sent a message (lib/senders.ts). */
export type SenderKind = 'content' | 'page' | 'host' | 'background';
export type Destination = AnyMessage['to'];
export type MessageType = AnyMessage['type'];
export type MessageOf<T extends MessageType> = Extract<AnyMessage, { type: T }>;
/** A message's fields besides `to` and `type`. */
export type BodyOf<T extends MessageType> = Omit<MessageOf<T>, 'to' | 'type'>;

export interface MessageRule<T extends MessageType> {
  to: MessageOf<T>['to'];
  from: readonly SenderKind[];
  /** One shape per field besides `to` and `type` (a field without one does not compile). */
  fields: FieldsOf<BodyOf<T>>;
}

// ---- field shapes, each written against its type (lib/jobs.ts): a new field or member must be added here ----

/** A normalised platform origin (`scheme://host[:port]`, as normalizeOrigin writes it). */
export const originShape: Shape<string> = (v, path) => {
  const s = str({ min: 1, max: 300 })(v, path);
  const n = normalizeOrigin(s);
  if (!n.ok || n.value !== s) throw new ShapeError(path, 'is not a platform origin (scheme://host[:port])');
  return s;
};

/** Job ids are made by the background with crypto.randomUUID(). */
export const jobIdShape = str({ pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ });
/** Platform ids (workflows, orders, executions): opaque text. */
const platformId = str({ min: 1, max: 200 });
const favouriteId = str({ min: 1, max: 200 });
/** A path template: the template engine judges it; here only its size is bounded. */
const template = str({ max: 10_000, multiline: true });
const parallel = num({ min: 1, max: 16, integer: true });
const submissions = allOf<CsvRequest['submissions']>()('all', 'submitted', 'latest');
const layout = allOf<CsvRequest['layout']>()('long', 'wide');
const format = allOf<ExecutionRequest['format']>()('markdown', 'html');
const images = allOf<ImagesMode>()('drawn', 'original');
const labels = objOf<LabelFileOptions>({ coco: bool, yolo: bool });
const deltaKind = allOf<DeltaKind>()('case-files', 'annotated-case-files', 'csv');
/** Ids a delta/count message may carry (the dialog sends a page of the listing at a time). */
export const DELTA_COUNT_BATCH = 5000;

const exportRequestShapes: { [K in ExportKind]: Shape<Extract<ExportRequest, { kind: K }>> } = {
  'case-files': objOf<CaseFilesRequest>({
    kind: allOf<'case-files'>()('case-files'),
    origin: originShape,
    workflowId: platformId,
    orderId: nullable(platformId),
    template,
    parallel: optional(parallel),
    labels: optional(labels),
    onlyNew: optional(bool),
  }),
  csv: objOf<CsvRequest>({
    kind: allOf<'csv'>()('csv'),
    origin: originShape,
    workflowId: platformId,
    orderId: nullable(platformId),
    submissions,
    layout,
    bom: bool,
    onlyNew: optional(bool),
  }),
  'annotated-case-files': objOf<AnnotatedCaseFilesRequest>({
    kind: allOf<'annotated-case-files'>()('annotated-case-files'),
    origin: originShape,
    workflowId: platformId,
    orderId: platformId,
    template,
    parallel: optional(parallel),
    images: optional(images),
    labels: optional(labels),
    onlyNew: optional(bool),
  }),
  execution: objOf<ExecutionRequest>({
    kind: allOf<'execution'>()('execution'),
    origin: originShape,
    executionId: platformId,
    format,
    combine: bool,
  }),
};
export const exportRequestShape: Shape<ExportRequest> = union('kind', exportRequestShapes);

const timeMs = num({ min: 0 });

/**
 * A progress figure, for display only: totals are sums of sizes the platform announced (hostile,
 * maybe fractional or missing), and a message turns NaN into null. Such a figure shows as 0 rather
 * than costing the update; anything but a number or null is still refused.
 */
const figure: Shape<number> = (v, path) => (v === null || (typeof v === 'number' && !Number.isFinite(v)) ? 0 : num()(v, path));

export const progressShape = objOf<Progress>({
  filesDone: figure,
  filesTotal: figure,
  bytesDone: figure,
  bytesTotal: figure,
  listingDone: bool,
  failed: figure,
  rate: figure,
  archiveBytes: figure,
  notVerified: optional(figure),
  paused: optional(nullable(allOf<'unauthenticated'>()('unauthenticated'))),
});

const failedFileShape = objOf<FailedFile>({
  path: str({ max: 10_000, multiline: true }),
  caseId: str({ max: 1000, multiline: true }),
  fileUuid: str({ max: 1000, multiline: true }),
  reason: str({ max: 10_000, multiline: true }),
  attempts: count,
  kept: optional(bool),
});

export const jobResultShape = objOf<JobResult>({
  filename: str({ min: 1, max: 1000 }),
  archiveMs: optional(timeMs),
  builtAt: optional(timeMs),
  stages: optional(record(str({ max: 100 }), num({ min: 0 }), { max: 100 })),
  archiveBytes: count,
  files: count,
  failed: arr(failedFileShape, { max: 1_000_000 }),
  warnings: optional(arr(str({ max: 10_000, multiline: true }), { max: 1000 })),
  resumed: optional(objOf<ResumeInfo>({ kept: count, restartReason: nullable(str({ max: 10_000, multiline: true })) })),
  delta: optional(objOf<DeltaInfo>({ since: timeMs, newCount: count, nothingNew: bool })),
});

export const jobStateShape = objOf<JobState>({
  id: jobIdShape,
  request: exportRequestShape,
  tabId: optional(count),
  phase: allOf<JobPhase>()('queued', 'running', 'saving', 'done', 'failed', 'cancelled'),
  filename: str({ max: 1000 }),
  startedAt: timeMs,
  finishedAt: optional(timeMs),
  progress: progressShape,
  result: optional(jobResultShape),
  error: optional(str({ max: 100_000, multiline: true })),
  downloadId: optional(count),
  resumes: optional(count),
  cancelRequested: optional(bool),
  stream: optional(
    objOf<StreamInfo>({
      name: str({ min: 1, max: 1000 }),
      state: allOf<StreamState>()('offered', 'open', 'broken'),
      reason: optional(str({ max: 10_000, multiline: true })),
      copyUrl: optional(str({ min: 1, max: 1000 })),
    }),
  ),
});

/** Everything the options may change but the origins (origins/add and origins/remove do that); any other key is refused. */
const settingsPatchShape = strictObjOf<Partial<Omit<Settings, 'origins'>>>({
  parallel: optional(parallel),
  csv: optional(objOf<Settings['csv']>({ submissions, layout, bom: bool })),
  execution: optional(objOf<Settings['execution']>({ format, combine: bool })),
});

const UI: readonly SenderKind[] = ['content', 'page'];
const PAGES: readonly SenderKind[] = ['page'];

/** Every message type: its destination, its senders, its fields. A type missing here does not compile. */
export const MESSAGE_RULES: { [T in MessageType]: MessageRule<T> } = {
  // ---- UI → background: exports ----
  'export/start': { to: 'background', from: UI, fields: { request: exportRequestShape } },
  'export/cancel': { to: 'background', from: UI, fields: { jobId: jobIdShape } },
  // The engine host asks too: its leftover sweep keeps the files of every live job (workers/opfs.ts).
  'jobs/list': { to: 'background', from: [...UI, 'host'], fields: {} },
  // ---- UI → background: storage the in-page dialogs use ----
  'favourites/list': { to: 'background', from: UI, fields: {} },
  'last-template/get': { to: 'background', from: UI, fields: { origin: originShape, workflowId: platformId } },
  'last-template/set': { to: 'background', from: UI, fields: { origin: originShape, workflowId: platformId, template } },
  'delta/last': {
    to: 'background',
    from: UI,
    fields: { kind: deltaKind, origin: originShape, workflowId: platformId, orderId: nullable(platformId) },
  },
  'delta/count': {
    to: 'background',
    from: UI,
    fields: {
      kind: deltaKind,
      origin: originShape,
      workflowId: platformId,
      orderId: nullable(platformId),
      jobId: str({ min: 1, max: 200 }),
      items: arr(objOf<{ id: string; fingerprint?: string }>({ id: str({ max: 1000, multiline: true }), fingerprint: optional(str({ pattern: /^[0-9a-f]{16}$/ })) }), { max: DELTA_COUNT_BATCH }),
    },
  },
  // ---- UI → background: administration, our pages only ----
  'favourites/add': { to: 'background', from: PAGES, fields: { name: str({ max: 1000 }), template } },
  'favourites/rename': { to: 'background', from: PAGES, fields: { id: favouriteId, name: str({ max: 1000 }) } },
  'favourites/delete': { to: 'background', from: PAGES, fields: { id: favouriteId } },
  'favourites/set-default': { to: 'background', from: PAGES, fields: { id: nullable(favouriteId) } },
  'favourites/import': { to: 'background', from: PAGES, fields: { json: str({ max: 10_000_000, multiline: true }) } },
  'favourites/export': { to: 'background', from: PAGES, fields: {} },
  'history/list': { to: 'background', from: PAGES, fields: { limit: optional(num({ min: 1, max: 10_000, integer: true })) } },
  'settings/get': { to: 'background', from: PAGES, fields: {} },
  'settings/set': { to: 'background', from: PAGES, fields: { patch: settingsPatchShape } },
  'origins/add': { to: 'background', from: PAGES, fields: { origin: str({ min: 1, max: 300 }) } },
  'origins/remove': { to: 'background', from: PAGES, fields: { origin: str({ min: 1, max: 300 }) } },
  // ---- background → UI ----
  'job/update': { to: 'ui', from: ['background', 'page'], fields: { job: jobStateShape } },
  // ---- background → engine host ----
  'host/run': { to: 'host', from: ['background'], fields: { job: jobStateShape } },
  'host/cancel': { to: 'host', from: ['background'], fields: { jobId: jobIdShape } },
  'host/cleanup': { to: 'host', from: ['background'], fields: { jobId: jobIdShape } },
  'host/stream-failed': { to: 'host', from: ['background'], fields: { jobId: jobIdShape, reason: str({ max: 10_000, multiline: true }) } },
  'host/ping': { to: 'host', from: ['background'], fields: {} },
  // ---- engine host → background ----
  'host/progress': { to: 'background', from: ['host'], fields: { jobId: jobIdShape, progress: progressShape } },
  'host/stream': { to: 'background', from: ['host'], fields: { jobId: jobIdShape, filename: str({ min: 1, max: 1000 }) } },
  'host/stream-open': { to: 'background', from: ['host'], fields: { jobId: jobIdShape } },
  'host/stream-broken': { to: 'background', from: ['host'], fields: { jobId: jobIdShape, reason: str({ max: 1000, multiline: true }) } },
  'host/ready': {
    to: 'background',
    from: ['host'],
    fields: {
      jobId: jobIdShape,
      url: str({ min: 1, max: 1000 }),
      result: jobResultShape,
      streamed: optional(bool),
      streamProblem: optional(str({ max: 10_000, multiline: true })),
    },
  },
  'host/failed': { to: 'background', from: ['host'], fields: { jobId: jobIdShape, error: str({ max: 100_000, multiline: true }) } },
  'host/cancelled': { to: 'background', from: ['host'], fields: { jobId: jobIdShape } },
};

export const MESSAGE_TYPES = Object.keys(MESSAGE_RULES) as MessageType[];

const isKnownType = (t: unknown): t is MessageType => typeof t === 'string' && Object.prototype.hasOwnProperty.call(MESSAGE_RULES, t);

/** Whether `raw` claims to be a message for `to` (a listener ignores the others without a reply). */
export function isAddressedTo(raw: unknown, to: Destination): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { to?: unknown }).to === to;
}

/** The rule of `raw`'s type, or why there is none. */
export function ruleOf(raw: unknown): { ok: true; type: MessageType; rule: MessageRule<MessageType> } | { ok: false; reason: string } {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (!isKnownType(type)) return { ok: false, reason: 'Unknown message type.' };
  return { ok: true, type, rule: MESSAGE_RULES[type] as unknown as MessageRule<MessageType> };
}

/** The checked copy of a message (shape and destination), or the first reason it is refused. */
export function parseMessage(raw: unknown): { ok: true; msg: AnyMessage } | { ok: false; reason: string } {
  const found = ruleOf(raw);
  if (!found.ok) return found;
  const { type, rule } = found;
  if ((raw as { to?: unknown }).to !== rule.to) return { ok: false, reason: `A ${type} message goes to the ${rule.to}.` };
  try {
    const fields = objOf<BodyOf<MessageType>>(rule.fields as FieldsOf<BodyOf<MessageType>>)(raw, '');
    return { ok: true, msg: { ...fields, to: rule.to, type } as AnyMessage };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, reason: `Malformed ${type} message: ${err.message}.` };
    throw err;
  }
}
