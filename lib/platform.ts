/**
 * The platform adapter: the only module that knows the platform's routes, DOM anchors, endpoints
 * and JSON shapes (`site-contract.md`). Another platform version is this one file to change.
 * Pure: runs in content scripts, extension pages, workers and Node alike.
 *
 * Every id that goes into a route or an API path is checked against the platform's id alphabet
 * first (`lib/pageIds.ts`), wherever it was read: an id that is not one gives a clear error (or,
 * in a page URL, "not a platform page"), never a request. Answers about one object (a workflow, an
 * execution) must carry the id asked for. Every answer is rebuilt into the types below before it is
 * returned (`lib/servedData.ts`, rule "served data in the contract's types").
 */
import { checkedAnswerId, checkedPlatformId, isPlatformId } from './pageIds';
import {
  servedAnnotation,
  servedCase,
  servedExecution,
  servedExecutionSummary,
  servedMe,
  servedQuestions,
  servedSubmission,
  servedWorkflow,
} from './servedData';

// ---------------------------------------------------------------------------------------------
// JSON shapes
// ---------------------------------------------------------------------------------------------

export interface Me {
  id: string;
  name: string;
  email: string;
}

export interface Order {
  id: string;
  name: string;
}

export interface Workflow {
  id: string;
  name: string;
  orders: Order[];
}

export type QuestionType = 'text' | 'number' | 'boolean' | 'choice' | 'multichoice';
export interface Question {
  key: string;
  label: string;
  type: QuestionType;
}

export interface CaseFile {
  uuid: string;
  originalFilename: string;
  contentType: string;
  size: number;
  createdAt: string;
}

export type MetaValue = string | number | boolean | null;

export interface Case {
  id: string;
  shortId: string;
  externalId: string | null;
  entityExternalId: string | null;
  orderId: string | null;
  metadata: Record<string, MetaValue>;
  /** In upload order: that order gives FILE_COUNT. */
  files: CaseFile[];
}

export type Answer = string | number | boolean | string[] | null;
export interface Submission {
  id: string;
  caseId: string;
  reader: { id: string; name: string };
  status: 'submitted' | 'draft';
  submittedAt: string | null;
  answers: Record<string, Answer>;
}

export interface Shape {
  kind: 'box' | 'polygon' | 'polyline' | 'point';
  points: [number, number][];
  label: string;
  color: string | null;
}
export interface Annotation {
  fileUuid: string;
  submissionId: string;
  shapes: Shape[];
}

export type ExecutionStatus = 'queued' | 'running' | 'success' | 'failed' | 'cancelled';
export const FINISHED_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['success', 'failed', 'cancelled'];
export const isExecutionFinished = (status: string): boolean =>
  (FINISHED_EXECUTION_STATUSES as readonly string[]).includes(status);

export interface ExecutionSummary {
  id: string;
  workflowId: string;
  status: ExecutionStatus;
  startedAt: string;
  finishedAt: string | null;
  workflowName?: string;
}

export interface Step {
  id: string;
  name: string;
  status: 'success' | 'failed' | 'skipped' | 'running';
  iteration: number;
  startedAt: string;
  finishedAt: string | null;
  outputSize: number;
}

export interface Execution {
  id: string;
  workflow: { id: string; name: string };
  status: ExecutionStatus;
  startedAt: string;
  finishedAt: string | null;
  steps: Step[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Largest page the platform serves. */
export const MAX_PAGE_LIMIT = 500;

// ---------------------------------------------------------------------------------------------
// Routes and DOM anchors
// ---------------------------------------------------------------------------------------------

export type PlatformPage =
  | { kind: 'workflow'; workflowId: string }
  | { kind: 'executions'; workflowId: string }
  | { kind: 'execution'; workflowId: string; executionId: string };

/** One id segment of a route: decoded, and only when it is a platform id (else null). */
function routeId(segment: string): string | null {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return null; // malformed %-escape
  }
  return isPlatformId(id) ? id : null;
}

/**
 * Which platform page a URL shows (page type comes from the URL). A route whose ids are not
 * platform ids (`..`, `%2F`, spaces…) is no platform page: null, and no feature runs there.
 */
export function pageFromUrl(url: string | URL): PlatformPage | null {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  let m = /^\/develop\/workflows\/([^/]+)$/.exec(path);
  if (m) {
    const workflowId = routeId(m[1]);
    return workflowId === null ? null : { kind: 'workflow', workflowId };
  }
  m = /^\/workflows\/([^/]+)\/executions$/.exec(path);
  if (m) {
    const workflowId = routeId(m[1]);
    return workflowId === null ? null : { kind: 'executions', workflowId };
  }
  m = /^\/workflows\/([^/]+)\/executions\/([^/]+)$/.exec(path);
  if (m) {
    const workflowId = routeId(m[1]);
    const executionId = routeId(m[2]);
    return workflowId === null || executionId === null ? null : { kind: 'execution', workflowId, executionId };
  }
  return null;
}

/** An id as one path segment: checked (throws on anything but a platform id), then encoded. */
const seg = (id: string, what: string): string => encodeURIComponent(checkedPlatformId(id, what));

export const routes = {
  login: '/login',
  workflow: (wid: string) => `/develop/workflows/${seg(wid, 'workflow id')}`,
  executions: (wid: string) => `/workflows/${seg(wid, 'workflow id')}/executions`,
  execution: (wid: string, eid: string) => `/workflows/${seg(wid, 'workflow id')}/executions/${seg(eid, 'execution id')}`,
};

/** Every selector of the platform's DOM. */
export const selectors = {
  main: 'main[data-page]',
  workflowMain: 'main[data-page="workflow"][data-workflow-id]',
  executionsMain: 'main[data-page="executions"][data-workflow-id]',
  executionMain: 'main[data-page="execution"][data-execution-id]',
  toolbar: '.page-actions',
  orderSelect: 'select#workflow-order-select',
  executionRow: 'tr[data-execution-id][data-status]',
  rowActions: 'td.row-actions',
} as const;

/** The order selected in the page's order selector, or null for "no order". */
export function selectedOrderId(doc: ParentNode): string | null {
  const select = doc.querySelector<HTMLSelectElement>(selectors.orderSelect);
  return select && select.value !== '' ? select.value : null;
}

// ---------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------

export const API_PREFIX = '/api/v1';

/** The API paths; every id is checked ({@link checkedPlatformId}: throws on anything else) and encoded. */
export const endpoints = {
  me: () => `${API_PREFIX}/me`,
  workflow: (wid: string) => `${API_PREFIX}/workflows/${seg(wid, 'workflow id')}`,
  questions: (wid: string) => `${API_PREFIX}/workflows/${seg(wid, 'workflow id')}/questions`,
  cases: (wid: string) => `${API_PREFIX}/workflows/${seg(wid, 'workflow id')}/cases`,
  submissions: (wid: string) => `${API_PREFIX}/workflows/${seg(wid, 'workflow id')}/submissions`,
  annotations: (wid: string) => `${API_PREFIX}/workflows/${seg(wid, 'workflow id')}/annotations`,
  workflowExecutions: (wid: string) => `${API_PREFIX}/workflows/${seg(wid, 'workflow id')}/executions`,
  latestExecutions: () => `${API_PREFIX}/executions`,
  execution: (eid: string) => `${API_PREFIX}/executions/${seg(eid, 'execution id')}`,
  stepOutput: (eid: string, sid: string) => `${API_PREFIX}/executions/${seg(eid, 'execution id')}/steps/${seg(sid, 'step id')}/output`,
  fileContent: (uuid: string) => `${API_PREFIX}/files/${seg(uuid, 'file uuid')}/content`,
};

/** An order id for the `order` query: null stays null (no order); anything else must be a platform id. */
export const orderQuery = (orderId: string | null): string | null => (orderId === null ? null : checkedPlatformId(orderId, 'order id'));

/** Response header carrying the hex SHA-256 of a file's bytes. */
export const CHECKSUM_HEADER = 'X-Checksum-Sha256';

/** An error answer of the platform: `{"error": code, "message": text}` plus the HTTP status. */
export class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
  get unauthenticated(): boolean {
    return this.status === 401;
  }
  get transient(): boolean {
    return this.status === 429 || this.status === 503 || this.status === 500;
  }
}

export async function errorFromResponse(res: Response): Promise<PlatformError> {
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: string; message?: string };
    if (body.error) code = body.error;
    if (body.message) message = body.message;
  } catch {
    /* not JSON */
  }
  const ra = res.headers.get('Retry-After');
  const seconds = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra) : null;
  return new PlatformError(res.status, code, message, seconds);
}

/**
 * Listing bounds: no list is longer than ten million items (the largest workflows hold 100,000
 * cases, each with a few submissions), or than 100,000 pages (200 hold 100,000 items at the largest
 * page), and no cursor is longer than 1 KiB: the cursors seen stay under 100 MB even then.
 */
export const MAX_LISTED_ITEMS = 10_000_000;
export const MAX_LISTED_PAGES = 100_000;
export const MAX_CURSOR_LENGTH = 1024;

/** A listing the platform answered in a way that cannot end well (a repeated cursor, no end, a bad page). */
export class ListingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListingError';
  }
}

/** A cursor as an error message shows it: at most 40 characters, printable ASCII. */
const shortCursor = (c: string) => {
  const clean = c.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
};

export interface ClientOptions {
  /** The platform's origin, e.g. `http://localhost:4400`. */
  origin: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Wraps every request (the engine retries transient errors and waits out a 401 here). */
  wrap?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The listing bounds (default {@link MAX_LISTED_ITEMS}, {@link MAX_LISTED_PAGES}); tests lower them. */
  listingBounds?: { items: number; pages: number };
}

/** A typed client of the platform's API, sending the user's session cookie. */
export class PlatformClient {
  readonly origin: string;
  private readonly fetchImpl: typeof fetch;
  private readonly signal?: AbortSignal;
  private readonly wrap: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly bounds: { items: number; pages: number };

  constructor(opts: ClientOptions) {
    this.bounds = opts.listingBounds ?? { items: MAX_LISTED_ITEMS, pages: MAX_LISTED_PAGES };
    this.origin = opts.origin.replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? ((...args) => fetch(...args));
    this.signal = opts.signal;
    this.wrap = opts.wrap ?? ((fn) => fn());
  }

  url(path: string, query: Record<string, string | number | null | undefined> = {}): string {
    const u = new URL(path, this.origin);
    for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Raw request with the session; throws PlatformError on a non-2xx answer. */
  async request(path: string, init: RequestInit = {}, query: Record<string, string | number | null | undefined> = {}): Promise<Response> {
    const res = await this.fetchImpl(this.url(path, query), {
      credentials: 'include',
      cache: 'no-store',
      signal: this.signal,
      ...init,
    });
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  async json<T>(path: string, query: Record<string, string | number | null | undefined> = {}): Promise<T> {
    return this.wrap(async () => {
      const res = await this.request(path, { headers: { Accept: 'application/json' } }, query);
      return (await res.json()) as T;
    });
  }

  /**
   * Every item of a paged list, page by page, as the pages arrive. The platform's answer is checked
   * as it comes (**listing bounds**): a page that is not `{items: [...], nextCursor}`, a cursor that
   * repeats (the listing would loop) and a listing past {@link MAX_LISTED_ITEMS} items (one that never
   * ends) stop it with a clear {@link ListingError}. Memory: the cursors seen, strings only.
   */
  async *paged<T>(
    path: string,
    item: (v: unknown) => T,
    query: Record<string, string | number | null | undefined> = {},
    limit = MAX_PAGE_LIMIT,
  ): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let items = 0;
    let pages = 0;
    let cursor: string | null = null;
    do {
      const page = await this.json<Page<unknown>>(path, { ...query, limit, cursor });
      if (!page || typeof page !== 'object' || !Array.isArray(page.items))
        throw new ListingError(`The platform's listing ${path} answered a page without an items list.`);
      const next: unknown = page.nextCursor ?? null;
      if (next !== null && (typeof next !== 'string' || next.length > MAX_CURSOR_LENGTH))
        throw new ListingError(`The platform's listing ${path} answered a cursor that is not a string of at most ${MAX_CURSOR_LENGTH} characters.`);
      items += page.items.length;
      pages++;
      if (items > this.bounds.items || pages > this.bounds.pages)
        throw new ListingError(
          `The platform's listing ${path} did not end after ${items.toLocaleString('en')} items in ${pages.toLocaleString('en')} pages: stopped.`,
        );
      if (next !== null) {
        if (seen.has(next)) throw new ListingError(`The platform's listing repeated a page (cursor ${shortCursor(next)}): stopped instead of looping.`);
        seen.add(next);
      }
      yield page.items.map(item);
      cursor = next;
    } while (cursor);
  }

  me = async (): Promise<Me> => servedMe(await this.json(endpoints.me()));
  /** The workflow `wid`; an answer about another workflow is refused (MismatchedIdError). */
  workflow = async (wid: string): Promise<Workflow> => checkedAnswerId(servedWorkflow(await this.json(endpoints.workflow(wid))), wid, 'workflow');
  questions = async (wid: string): Promise<Question[]> => servedQuestions(await this.json(endpoints.questions(wid)));
  cases = (wid: string, orderId: string | null, limit?: number) => this.paged(endpoints.cases(wid), servedCase, { order: orderQuery(orderId) }, limit);
  /** The first `n` cases (n ≤ 500), for previews. */
  firstCases = async (wid: string, orderId: string | null, n: number): Promise<Case[]> => {
    const page = await this.json<Page<unknown>>(endpoints.cases(wid), { order: orderQuery(orderId), limit: n });
    return Array.isArray(page?.items) ? page.items.map(servedCase) : [];
  };
  submissions = (wid: string, orderId: string | null) => this.paged(endpoints.submissions(wid), servedSubmission, { order: orderQuery(orderId) });
  annotations = (wid: string, orderId: string) => this.paged(endpoints.annotations(wid), servedAnnotation, { order: checkedPlatformId(orderId, 'order id') });
  workflowExecutions = (wid: string) => this.paged(endpoints.workflowExecutions(wid), servedExecutionSummary);
  latestExecutions = async (n: number): Promise<ExecutionSummary[]> => {
    const page = await this.json<Page<unknown>>(endpoints.latestExecutions(), { limit: n });
    return Array.isArray(page?.items) ? page.items.map(servedExecutionSummary) : [];
  };
  /** The execution `eid`; an answer about another execution is refused (MismatchedIdError). */
  execution = async (eid: string): Promise<Execution> => checkedAnswerId(servedExecution(await this.json(endpoints.execution(eid))), eid, 'execution');
  stepOutput = (eid: string, sid: string) => this.wrap(async () => (await this.request(endpoints.stepOutput(eid, sid))).text());
  /** The request for a file's bytes (callers read the body as a stream). */
  fileContent = (uuid: string, init: RequestInit = {}) => this.request(endpoints.fileContent(uuid), init);
}

/** The sign-in page of an origin, for "Sign in again" links. */
export const signInUrl = (origin: string) => new URL(routes.login, origin).toString();
