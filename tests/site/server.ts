/**
 * The reference platform: a node:http server implementing `site-contract.md` with generated data.
 *
 *   npx tsx tests/site/server.ts [--port 4400] [--seed 1] [--plain-names] [--scale-cases 100000] ...
 *
 * Test hooks (no session needed): POST /__admin/config (JSON patch), GET /__admin/stats,
 * POST /__admin/stats/reset, POST /__admin/expire-sessions, POST /__admin/executions/{eid}/finish,
 * POST /__admin/executions/{eid}/run, POST /__admin/files/{uuid}/delete, POST /__admin/files/{uuid}/restore,
 * POST /__admin/files/{uuid}/change (other bytes, same size: a new SHA-256 and ETag),
 * POST /__admin/workflows/{wid}/add (new cases, files, submissions, re-submissions: tests/site/additions.ts).
 *
 * File content answers `If-None-Match` (RFC 9110 §13.1.2): 304 when it holds the file's ETag.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { TlsMaterial } from './tls.ts';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type Case,
  type Execution,
  type ExecutionStatus,
  type ExecutionSummary,
  type Me,
  type Page,
  type Workflow,
  isExecutionFinished,
  MAX_PAGE_LIMIT,
} from '../../lib/platform.ts';
import { configFromArgs, DATA_KNOBS, defaultConfig, mergeConfig, type SiteConfig } from './config.ts';
import { fileSize, hash32, mulberry32, readFileRange, sha256Of } from './content.ts';
import {
  BadRequest,
  caseJson,
  type Dataset,
  generateData,
  pageByCase,
  pageFlat,
  type SiteExecution,
  type SiteFile,
  type SiteUser,
  type SiteWorkflow,
  stepJson,
} from './data.ts';
import { Additions, type Added, type AddSpec } from './additions.ts';
import { errorPage, executionPage, executionsPage, fullPage, homePage, loginPage, type RenderedPage, workflowPage } from './pages.ts';

export interface SiteStats {
  /** Requests to /api/v1/files/{uuid}/content (every one, faulted or not). */
  fileRequests: number;
  /** Body bytes written for file content. */
  fileBytesSent: number;
  inFlightFileRequests: number;
  maxInFlightFileRequests: number;
  /** File bodies sent to the end. */
  fileResponsesCompleted: number;
  /** File bodies sent to the end, by file uuid (a resumed export fetches none of its kept files again). */
  completedByFile: Record<string, number>;
  /** File bodies the client abandoned before the end. */
  fileResponsesAborted: number;
  rangeRequests: number;
  /** Range requests whose `If-Range` no longer matched (the file changed): answered 200, whole. */
  ifRangeMismatches: number;
  /** Files changed after a cut body (changeOnCut). */
  filesChanged: number;
  /** File content requests answered 304 Not Modified (`If-None-Match` held the file's ETag). */
  notModified: number;
  faultsInjected: { fail500: number; fail429: number; fail503: number; failCut: number };
  apiRequests: number;
  /** 401 answers of the API. */
  unauthenticated: number;
  /** Requests by route, e.g. `GET /api/v1/workflows/:wid/cases`. */
  requestsByPath: Record<string, number>;
  /** Requests by HTTP version (`1.1`, `2.0`): over HTTPS, what the client negotiated. */
  requestsByHttpVersion: Record<string, number>;
  /**
   * File content requests the client has open at once, each from its arrival (before `latencyMs`)
   * to the end of its answer: how many files the client fetches at once.
   */
  openFileRequests: number;
  maxOpenFileRequests: number;
}

export interface SiteHandle {
  /** e.g. `http://localhost:4400` */
  url: string;
  port: number;
  /** The live config (mutated by setConfig and /__admin/config). */
  config: SiteConfig;
  /** Patch faults, session, latency; size knobs, seed or plainNames regenerate the data. */
  setConfig(patch: Partial<SiteConfig>): void;
  stats(): SiteStats;
  resetStats(): void;
  /** Every session answers 401 until a new sign-in. */
  expireSessions(): void;
  /** Turn an unfinished execution to `status` (default success). */
  finishExecution(eid: string, status?: ExecutionStatus): boolean;
  /** The current dataset (regenerated when data knobs change). */
  data(): Dataset;
  /** Adds cases, files and submissions to workflow `wid` (as POST /__admin/workflows/{wid}/add). */
  addData(wid: string, spec: AddSpec): Added;
  /** Gives file `uuid` other bytes of the same size (as POST /__admin/files/{uuid}/change). */
  changeFile(uuid: string): boolean;
  close(): Promise<void>;
}

const emptyStats = (): SiteStats => ({
  fileRequests: 0,
  fileBytesSent: 0,
  inFlightFileRequests: 0,
  maxInFlightFileRequests: 0,
  fileResponsesCompleted: 0,
  completedByFile: {},
  fileResponsesAborted: 0,
  rangeRequests: 0,
  ifRangeMismatches: 0,
  filesChanged: 0,
  notModified: 0,
  faultsInjected: { fail500: 0, fail429: 0, fail503: 0, failCut: 0 },
  apiRequests: 0,
  unauthenticated: 0,
  requestsByPath: {},
  requestsByHttpVersion: {},
  openFileRequests: 0,
  maxOpenFileRequests: 0,
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(html);
}

function redirect(res: ServerResponse, status: 302 | 303, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { Location: location, 'Content-Length': '0', 'Cache-Control': 'no-store', ...headers });
  res.end();
}

async function readBody(req: IncomingMessage, max = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > max) throw new HttpError(413, 'too_large', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Same-origin path for a post-login redirect, else `/`. */
function safeNext(next: string | null | undefined): string {
  if (!next || !/^\/(?![/\\])/.test(next) || /[\u0000-\u001f\\]/.test(next)) return '/';
  return next;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, 'bad_request', 'Malformed path.');
  }
}

function parseLimit(q: URLSearchParams): number {
  const raw = q.get('limit');
  if (raw === null || raw === '') return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new HttpError(400, 'bad_request', 'limit must be a positive integer.');
  return Math.min(Number(raw), MAX_PAGE_LIMIT);
}

/** `bytes=N-`, `bytes=N-M`, `bytes=-N` → inclusive range, null for none/unsupported, 'unsatisfiable'. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // multiple or malformed ranges: ignored (full body)
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** RFC 5987 `filename*` value. */
const contentDisposition = (name: string) =>
  `inline; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;

/** Encodes the images of the small workflows now (about a second) rather than on the first request. */
function warmUp(data: Dataset): void {
  for (const w of data.workflows) {
    if (w.id === '3') continue;
    for (let i = 0; i < w.caseCount; i++) caseJson(w.caseAt(i));
  }
}

interface Session {
  userId: string;
  expiresAt: number | null;
}

/** `tls`: serve HTTPS (HTTP/2, and HTTP/1.1 for clients that ask for it) with this key and certificate (tests/site/tls.ts). */
export interface SiteOptions {
  tls?: TlsMaterial;
}

export async function startSite(partial: Partial<SiteConfig> = {}, options: SiteOptions = {}): Promise<SiteHandle> {
  const config: SiteConfig = mergeConfig(defaultConfig, partial);
  /** What the admin endpoint added (kept when the data is regenerated). */
  const additions = new Additions();
  let data = additions.over(generateData(config));
  warmUp(data);
  const sessions = new Map<string, Session>();
  const execState = new Map<string, { status: ExecutionStatus; at: number }>();
  /** The pending finish of each running execution: one per execution, replaced when it runs again. */
  const timers = new Map<string, NodeJS.Timeout>();
  const deletedFiles = new Set<string>();
  let stats = emptyStats();
  let faultCounter = 0;
  /** changeOnCut: files changed since the data was generated, and how often. */
  const fileVersions = new Map<string, number>();
  /** A file as it is now: a changed one has other bytes (same size), so another checksum and ETag. */
  const versionOf = <F extends SiteFile | undefined>(file: F): F => {
    const v = file ? fileVersions.get(file.uuid) : undefined;
    if (!file || !v || file.content.kind !== 'blocks') return file;
    return { ...file, content: { ...file.content, seed: (file.content.seed + v * 0x9e3779b1) >>> 0 } };
  };

  // ----- executions ---------------------------------------------------------------------------

  /** The execution as it is now (the running one finishes). */
  function current(e: SiteExecution): SiteExecution {
    const st = execState.get(e.id);
    if (!st || st.status === e.status) return e;
    if (isExecutionFinished(st.status) && !isExecutionFinished(e.status)) {
      if (e.finished) {
        const steps = st.status === 'success' ? e.finished.steps : e.steps.map((s) => (s.status === 'running' ? { ...s, status: 'failed' as const, finishedAt: e.finished!.finishedAt } : s));
        return { ...e, status: st.status, finishedAt: e.finished.finishedAt, steps };
      }
      return { ...e, status: st.status, finishedAt: new Date(Math.max(Date.parse(e.startedAt), st.at)).toISOString() };
    }
    return { ...e, status: st.status };
  }

  function scheduleFinish(eid: string): void {
    clearTimeout(timers.get(eid));
    timers.delete(eid);
    if (config.runningExecutionSec <= 0) return;
    const timer = setTimeout(() => {
      timers.delete(eid);
      const e = data.execution(eid);
      if (e && !isExecutionFinished(current(e).status)) execState.set(eid, { status: 'success', at: Date.now() });
    }, config.runningExecutionSec * 1000);
    timer.unref();
    timers.set(eid, timer);
  }

  function finishExecution(eid: string, status: ExecutionStatus = 'success'): boolean {
    const e = data.execution(eid);
    if (!e) return false;
    execState.set(eid, { status, at: Date.now() });
    return true;
  }

  for (const e of data.executions) if (e.status === 'running') scheduleFinish(e.id);

  // ----- sessions and access ------------------------------------------------------------------

  function userOf(req: IncomingMessage): SiteUser | null {
    const token = parseCookies(req.headers.cookie).session;
    if (!token) return null;
    const s = sessions.get(token);
    if (!s) return null;
    if (s.expiresAt !== null && Date.now() > s.expiresAt) {
      sessions.delete(token);
      return null;
    }
    return data.users.find((u) => u.id === s.userId) ?? null;
  }

  const visibleWorkflows = (u: SiteUser) => data.workflows.filter((w) => !w.deniedUserIds.includes(u.id));

  function workflowFor(u: SiteUser, wid: string): SiteWorkflow {
    const w = data.workflow(wid);
    if (!w) throw new HttpError(404, 'not_found', `No workflow ${wid}.`);
    if (w.deniedUserIds.includes(u.id)) throw new HttpError(403, 'forbidden', 'You have no access to this workflow.');
    return w;
  }

  function executionFor(u: SiteUser, eid: string): { w: SiteWorkflow; e: SiteExecution } {
    const e0 = data.execution(eid);
    if (!e0) throw new HttpError(404, 'not_found', `No execution ${eid}.`);
    return { w: workflowFor(u, e0.workflowId), e: current(e0) };
  }

  function orderParam(w: SiteWorkflow, q: URLSearchParams, required: boolean) {
    const order = q.get('order');
    if (order === null || order === '') {
      if (required) throw new HttpError(400, 'order_required', 'The order parameter is required.');
      return w.casesOfOrder(null)!;
    }
    const list = w.casesOfOrder(order);
    if (!list) throw new HttpError(404, 'not_found', `No order ${order} in workflow ${w.id}.`);
    return list;
  }

  const summary = (e: SiteExecution, withName?: string): ExecutionSummary => ({
    id: e.id,
    workflowId: e.workflowId,
    status: e.status,
    startedAt: e.startedAt,
    finishedAt: e.finishedAt,
    ...(withName !== undefined ? { workflowName: withName } : {}),
  });

  const count = (key: string) => {
    stats.requestsByPath[key] = (stats.requestsByPath[key] ?? 0) + 1;
  };

  // ----- API ----------------------------------------------------------------------------------

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    stats.apiRequests++;
    if (/^\/api\/v1\/files\/[^/]+\/content$/.test(url.pathname)) {
      const counted = stats;
      counted.openFileRequests++;
      counted.maxOpenFileRequests = Math.max(counted.maxOpenFileRequests, counted.openFileRequests);
      res.once('close', () => counted.openFileRequests--);
    }
    if (config.latencyMs > 0) await sleep(config.latencyMs);
    const parts = url.pathname.slice('/api/v1/'.length).split('/').map(decodeSegment);
    const method = req.method ?? 'GET';
    const route = (tpl: string) => count(`${method} /api/v1/${tpl}`);
    const user = userOf(req);
    if (!user) {
      route(parts.map((p, i) => (i % 2 ? ':id' : p)).join('/'));
      stats.unauthenticated++;
      throw new HttpError(401, 'unauthenticated', 'Sign in to use the API (no session or the session has expired).');
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here.`, { Allow: 'GET, HEAD' });
    const q = url.searchParams;
    const [a, b, c, d, e] = parts;
    const n = parts.length;

    if (n === 1 && a === 'me') {
      route('me');
      return sendJson(res, 200, { id: user.id, name: user.name, email: user.email } satisfies Me);
    }
    if (a === 'workflows') {
      if (n === 1) {
        route('workflows');
        const all = visibleWorkflows(user).map((w): Workflow => ({ id: w.id, name: w.name, orders: w.orders }));
        return sendJson(res, 200, pageFlat(all, q.get('cursor'), parseLimit(q)) satisfies Page<Workflow>);
      }
      const w = workflowFor(user, b);
      if (n === 2) {
        route('workflows/:wid');
        return sendJson(res, 200, { id: w.id, name: w.name, orders: w.orders } satisfies Workflow);
      }
      if (n === 3) {
        const limit = () => parseLimit(q);
        switch (c) {
          case 'questions':
            route('workflows/:wid/questions');
            return sendJson(res, 200, w.questions);
          case 'cases': {
            route('workflows/:wid/cases');
            const list = orderParam(w, q, false);
            const page: Page<Case> = pageByCase(list, (i) => [caseJson(w.caseAt(i))], q.get('cursor'), limit());
            return sendJson(res, 200, page);
          }
          case 'submissions': {
            route('workflows/:wid/submissions');
            const list = orderParam(w, q, false);
            return sendJson(res, 200, pageByCase(list, (i) => w.submissionsOf(i), q.get('cursor'), limit()));
          }
          case 'annotations': {
            route('workflows/:wid/annotations');
            const list = orderParam(w, q, true);
            return sendJson(res, 200, pageByCase(list, (i) => w.annotationsOf(i), q.get('cursor'), limit()));
          }
          case 'executions': {
            route('workflows/:wid/executions');
            const all = w.executions.map((x) => summary(current(x)));
            return sendJson(res, 200, pageFlat(all, q.get('cursor'), limit()) satisfies Page<ExecutionSummary>);
          }
        }
      }
    }
    if (a === 'executions') {
      if (n === 1) {
        route('executions');
        const visible = new Map(visibleWorkflows(user).map((w) => [w.id, w]));
        const all = data.executions.filter((x) => visible.has(x.workflowId)).map((x) => summary(current(x), visible.get(x.workflowId)!.name));
        return sendJson(res, 200, pageFlat(all, q.get('cursor'), parseLimit(q)) satisfies Page<ExecutionSummary>);
      }
      const { w, e: ex } = executionFor(user, b);
      if (n === 2) {
        route('executions/:eid');
        const body: Execution = {
          id: ex.id,
          workflow: { id: w.id, name: w.name },
          status: ex.status,
          startedAt: ex.startedAt,
          finishedAt: ex.finishedAt,
          steps: ex.steps.map(stepJson),
        };
        return sendJson(res, 200, body);
      }
      if (n === 5 && c === 'steps' && e === 'output') {
        route('executions/:eid/steps/:sid/output');
        const step = ex.steps.find((s) => s.id === d);
        if (!step) throw new HttpError(404, 'not_found', `No step ${d} in execution ${ex.id}.`);
        const text = step.output();
        res.writeHead(200, {
          'Content-Type': 'text/markdown; charset=utf-8',
          'Content-Length': String(Buffer.byteLength(text)),
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        res.end(method === 'HEAD' ? undefined : text);
        return;
      }
    }
    if (a === 'files' && n === 3 && c === 'content') {
      route('files/:uuid/content');
      return fileContent(req, res, user, b);
    }
    route('(unknown)');
    throw new HttpError(404, 'not_found', `No such endpoint: ${url.pathname}`);
  }

  async function fileContent(req: IncomingMessage, res: ServerResponse, user: SiteUser, uuid: string): Promise<void> {
    stats.fileRequests++;
    const file = versionOf(data.file(uuid));
    if (!file || deletedFiles.has(uuid)) throw new HttpError(404, 'not_found', `No file ${uuid} (it may have been deleted).`);
    workflowFor(user, file.workflowId);

    // Fault injection: one seeded draw per request, reproducible from the request counter.
    const r = mulberry32(hash32(config.seed, 'fault', faultCounter++))();
    let fault: keyof SiteStats['faultsInjected'] | null = null;
    let acc = 0;
    for (const k of ['fail500', 'fail429', 'fail503', 'failCut'] as const) {
      acc += config[k];
      if (fault === null && r < acc) fault = k;
    }
    const retry = { 'Retry-After': String(config.retryAfterSeconds) };
    if (fault === 'fail500') {
      stats.faultsInjected.fail500++;
      throw new HttpError(500, 'internal_error', 'Injected fault: internal server error.');
    }
    if (fault === 'fail429') {
      stats.faultsInjected.fail429++;
      throw new HttpError(429, 'rate_limited', 'Injected fault: too many requests.', retry);
    }
    if (fault === 'fail503') {
      stats.faultsInjected.fail503++;
      throw new HttpError(503, 'unavailable', 'Injected fault: service unavailable.', retry);
    }

    const size = fileSize(file);
    const sha = await sha256Of(file);
    const version = fileVersions.get(file.uuid) ?? 0;
    const headers: Record<string, string> = {
      'Content-Type': file.contentType,
      ETag: `"${sha.slice(0, 40)}"`,
      ...(config.omitChecksum ? {} : { 'X-Checksum-Sha256': sha }),
      'Accept-Ranges': 'bytes',
      'Last-Modified': new Date(Date.parse(file.createdAt) + version * 1000).toUTCString(),
      'Content-Disposition': contentDisposition(file.originalFilename),
      'Cache-Control': 'private, no-store',
    };
    // If-None-Match (RFC 9110 §13.1.2): the client holds this version already.
    const ifNoneMatch = req.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === headers.ETag || t.trim() === '*')) {
      stats.notModified++;
      const { 'Content-Type': _type, 'Content-Disposition': _disp, ...kept } = headers;
      res.writeHead(304, kept);
      res.end();
      return;
    }
    let range = parseRange(req.headers.range, size);
    // If-Range (RFC 9110 §13.1.5): the range only if the file is still the version the client has.
    const ifRange = req.headers['if-range'];
    if (range && ifRange !== undefined && ifRange !== headers.ETag && ifRange !== headers['Last-Modified']) {
      stats.ifRangeMismatches++;
      range = null;
    }
    if (range === 'unsatisfiable') {
      stats.rangeRequests++;
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
      res.end();
      return;
    }
    const start = range ? range.start : 0;
    const end = range ? range.end : size - 1;
    const length = Math.max(0, end - start + 1);
    if (range) {
      stats.rangeRequests++;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = String(length);
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const cutAt = fault === 'failCut' ? Math.max(1, Math.floor(length / 2)) : Infinity;
    if (fault === 'failCut') stats.faultsInjected.failCut++;
    if (fault === 'failCut' && config.changeOnCut && file.content.kind === 'blocks') {
      // The file changes once the body is cut: the resumed request finds a new version.
      fileVersions.set(file.uuid, version + 1);
      stats.filesChanged++;
    }

    stats.inFlightFileRequests++;
    stats.maxInFlightFileRequests = Math.max(stats.maxInFlightFileRequests, stats.inFlightFileRequests);
    let closed = false;
    const onClose = () => {
      closed = true;
    };
    res.on('close', onClose);
    try {
      let sent = 0;
      for (const chunk0 of readFileRange(file, start, end)) {
        if (closed || res.destroyed) break;
        let chunk = chunk0;
        if (sent + chunk.length >= cutAt) {
          chunk = chunk.subarray(0, cutAt - sent);
          stats.fileBytesSent += chunk.length;
          await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
          res.destroy();
          closed = true;
          break;
        }
        sent += chunk.length;
        stats.fileBytesSent += chunk.length;
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
        }
      }
      if (!closed && !res.destroyed) {
        res.end();
        stats.fileResponsesCompleted++;
        stats.completedByFile[uuid] = (stats.completedByFile[uuid] ?? 0) + 1;
      } else if (fault !== 'failCut') stats.fileResponsesAborted++;
    } finally {
      res.off('close', onClose);
      stats.inFlightFileRequests--;
    }
  }

  // ----- admin --------------------------------------------------------------------------------

  function setConfig(patch: Partial<SiteConfig> | Record<string, unknown>): void {
    const next = mergeConfig(config, patch);
    const regenerate = DATA_KNOBS.some((k) => next[k] !== config[k]);
    Object.assign(config, next);
    if (regenerate) {
      data = additions.over(generateData(config));
      fileVersions.clear();
      warmUp(data);
      execState.clear();
    }
  }

  /** Other bytes of the same size for a file of generated blocks (a new SHA-256 and ETag). */
  function changeFile(uuid: string): boolean {
    const f = data.file(uuid);
    if (!f || f.content.kind !== 'blocks') return false;
    fileVersions.set(uuid, (fileVersions.get(uuid) ?? 0) + 1);
    return true;
  }

  function resetStats(): void {
    const inFlight = stats.inFlightFileRequests;
    stats = emptyStats();
    stats.inFlightFileRequests = inFlight;
    faultCounter = 0;
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').slice(2).map(decodeSegment);
    const method = req.method ?? 'GET';
    const key = parts.join('/');
    if (key === 'config') {
      if (method === 'POST') {
        const text = await readBody(req);
        let patch: Record<string, unknown>;
        try {
          patch = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          throw new HttpError(400, 'bad_request', 'Body must be a JSON object.');
        }
        try {
          setConfig(patch);
        } catch (err) {
          throw new HttpError(400, 'bad_config', (err as Error).message);
        }
      }
      return sendJson(res, 200, config);
    }
    if (key === 'stats' && method === 'GET') return sendJson(res, 200, stats);
    if (key === 'stats/reset' && method === 'POST') {
      resetStats();
      return sendJson(res, 200, stats);
    }
    if (key === 'expire-sessions' && method === 'POST') {
      sessions.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (parts[0] === 'executions' && parts.length === 3 && method === 'POST' && (parts[2] === 'finish' || parts[2] === 'run')) {
      const e = data.execution(parts[1]);
      if (!e) throw new HttpError(404, 'not_found', `No execution ${parts[1]}.`);
      if (parts[2] === 'finish') {
        const text = await readBody(req);
        let status: ExecutionStatus = 'success';
        try {
          status = (text.trim() ? (JSON.parse(text) as { status?: ExecutionStatus }).status : undefined) ?? 'success';
        } catch {
          throw new HttpError(400, 'bad_request', 'Body must be empty or {"status": "success"|"failed"|"cancelled"}.');
        }
        finishExecution(e.id, status);
      } else {
        if (isExecutionFinished(e.status)) throw new HttpError(409, 'conflict', `Execution ${e.id} is not one that runs (only 1006 and 3003 are).`);
        execState.delete(e.id);
        if (e.status === 'running') scheduleFinish(e.id);
      }
      return sendJson(res, 200, summary(current(e)));
    }
    if (parts[0] === 'files' && parts.length === 3 && method === 'POST' && parts[2] === 'change') {
      if (!changeFile(parts[1])) throw new HttpError(404, 'not_found', `No file ${parts[1]} whose bytes can change.`);
      return sendJson(res, 200, { ok: true });
    }
    if (parts[0] === 'workflows' && parts.length === 3 && method === 'POST' && parts[2] === 'add') {
      const text = await readBody(req);
      let spec: AddSpec;
      try {
        spec = text.trim() ? (JSON.parse(text) as AddSpec) : {};
      } catch {
        throw new HttpError(400, 'bad_request', 'Body must be a JSON object (tests/site/additions.ts AddSpec).');
      }
      try {
        return sendJson(res, 200, additions.add(data, parts[1], spec));
      } catch (err) {
        throw new HttpError(400, 'bad_request', (err as Error).message);
      }
    }
    if (parts[0] === 'files' && parts.length === 3 && method === 'POST' && (parts[2] === 'delete' || parts[2] === 'restore')) {
      if (parts[2] === 'delete') deletedFiles.add(parts[1]);
      else deletedFiles.delete(parts[1]);
      return sendJson(res, 200, { ok: true });
    }
    throw new HttpError(404, 'not_found', `No admin endpoint ${method} ${url.pathname}`);
  }

  // ----- pages --------------------------------------------------------------------------------

  async function pages(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;

    if (path === '/login') {
      if (method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        const username = form.get('username') ?? '';
        const u = data.users.find((x) => x.username === username && x.password === (form.get('password') ?? ''));
        const next = form.get('next') ?? url.searchParams.get('next') ?? '';
        if (!u) return sendHtml(res, 401, loginPage({ error: 'Invalid username or password.', next, username }));
        const token = randomBytes(24).toString('base64url');
        sessions.set(token, { userId: u.id, expiresAt: config.sessionLifetimeSec > 0 ? Date.now() + config.sessionLifetimeSec * 1000 : null });
        return redirect(res, 303, safeNext(next), { 'Set-Cookie': `session=${token}; HttpOnly; SameSite=Lax; Path=/` });
      }
      return sendHtml(res, 200, loginPage({ next: url.searchParams.get('next') ?? '' }));
    }
    if (path === '/logout') {
      const token = parseCookies(req.headers.cookie).session;
      if (token) sessions.delete(token);
      return redirect(res, 303, '/login', { 'Set-Cookie': 'session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0' });
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }

    const partial = req.headers['x-partial'] === '1';
    const user = userOf(req);
    if (!user) {
      if (partial) return sendJson(res, 401, { error: 'unauthenticated', message: 'Sign in again.' });
      return redirect(res, 302, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'Method not allowed.');

    const render = (): RenderedPage => {
      try {
        if (path === '/') {
          const visible = new Set(visibleWorkflows(user).map((w) => w.id));
          return homePage({ user, workflows: visibleWorkflows(user) }, data.executions.filter((e) => visible.has(e.workflowId)).slice(0, 10).map(current));
        }
        let m = /^\/develop\/workflows\/([^/]+)$/.exec(path);
        if (m) {
          const w = workflowFor(user, decodeSegment(m[1]));
          const order = url.searchParams.get('order');
          return workflowPage(w, order && w.casesOfOrder(order) ? order : null);
        }
        m = /^\/workflows\/([^/]+)\/executions$/.exec(path);
        if (m) {
          const w = workflowFor(user, decodeSegment(m[1]));
          return executionsPage(w, w.executions.map(current));
        }
        m = /^\/workflows\/([^/]+)\/executions\/([^/]+)$/.exec(path);
        if (m) {
          const w = workflowFor(user, decodeSegment(m[1]));
          const { e } = executionFor(user, decodeSegment(m[2]));
          if (e.workflowId !== w.id) throw new HttpError(404, 'not_found', 'No such execution in this workflow.');
          return executionPage(w, e);
        }
        return errorPage(404, 'Page not found', `Nothing at ${path}.`);
      } catch (err) {
        if (err instanceof HttpError) return errorPage(err.status, err.status === 403 ? 'No access' : 'Not found', err.message);
        throw err;
      }
    };
    const page = render();
    const status = page.status ?? 200;
    if (partial) return sendJson(res, status, { title: page.title, main: page.main }, { Vary: 'X-Partial' });
    return sendHtml(res, status, fullPage({ user, workflows: visibleWorkflows(user) }, page), { Vary: 'X-Partial' });
  }

  // ----- server -------------------------------------------------------------------------------

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    stats.requestsByHttpVersion[req.httpVersion] = (stats.requestsByHttpVersion[req.httpVersion] ?? 0) + 1;
    const url = new URL(req.url ?? '/', 'http://platform.local');
    const handler = url.pathname.startsWith('/api/v1/') ? api : url.pathname.startsWith('/__admin/') ? admin : pages;
    handler(req, res, url).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.code, message: err.message }, err.headers);
      if (err instanceof BadRequest) return sendJson(res, 400, { error: err.code, message: err.message });
      console.error('[site] internal error', err);
      sendJson(res, 500, { error: 'internal_error', message: String((err as Error)?.message ?? err) });
    });
  };
  // HTTPS (options.tls): HTTP/2 with HTTP/1.1 for clients that do not offer it (ALPN), as real
  // platforms serve it. The compatibility API gives the same request and response objects' methods.
  const server = options.tls
    ? http2.createSecureServer({ key: options.tls.key, cert: options.tls.cert, allowHTTP1: true }, onRequest as never)
    : http.createServer(onRequest);
  if (server instanceof http.Server) server.keepAliveTimeout = 5000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const local = ['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1'].includes(config.host);
  const url = `${options.tls ? 'https' : 'http'}://${local ? 'localhost' : config.host}:${port}`;

  return {
    url,
    port,
    config,
    setConfig,
    stats: () => structuredClone(stats),
    resetStats,
    expireSessions: () => sessions.clear(),
    finishExecution,
    data: () => data,
    addData: (wid, spec) => additions.add(data, wid, spec),
    changeFile,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers.values()) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// ----- main ---------------------------------------------------------------------------------

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  let config: SiteConfig;
  try {
    // --https: HTTPS with HTTP/2, a fresh self-signed certificate (tests/site/tls.ts).
    config = configFromArgs(process.argv.slice(2).filter((a) => a !== '--https'), process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const https = process.argv.includes('--https');
  const tls = https ? (await import('./tls.ts')).makeTlsMaterial() : undefined;
  const site = await startSite(config, { tls });
  if (tls) console.log(`HTTPS (HTTP/2) with a self-signed certificate; Chromium trusts it with ${(await import('./tls.ts')).chromiumTrustFlag(tls)}`);
  const demo = site.data().users[0];
  console.log(`Reference platform on ${site.url} (user ${demo.username} / password ${demo.password})`);
  const stop = async (signal: string) => {
    console.log(`\n${signal}: closing the reference platform`);
    await site.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
