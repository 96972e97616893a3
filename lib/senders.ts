/**
 * Who sent a message, and may they (product spec 5: "messages are accepted only from our own
 * contexts and checked against a schema"). Every `runtime.onMessage` listener of the extension
 * calls {@link authorize} before it looks at a message: a platform tab's renderer may be
 * compromised, so a content script's message is as hostile as the page itself.
 *
 * Sender kinds, from what the browser says (`sender` is filled by the browser, not the sender):
 * - `content`: our content script in the top frame of a tab whose origin is a configured one;
 * - `page`: one of our own extension pages (popup, options), alone or as a whole tab;
 * - `host`: the engine host, the offscreen document (Chrome; Firefox runs it in the background);
 * - `background`: the service worker (Chrome) or background page (Firefox).
 * Anything else (another extension, a frame inside a page, an origin not configured) is refused.
 * Pure: runs in every context and in Node.
 */
import type { JobState } from './jobs';
import type { AnyMessage } from './messages';
import { MESSAGE_RULES, parseMessage, type SenderKind } from './messageSchema';
import { allOrigins, builtInOrigins, loadSettings, type SettingsArea } from './settings';

/** What the browser tells a listener about a sender (chrome.runtime.MessageSender, the parts we use). */
export interface MessageSenderLike {
  id?: string;
  url?: string;
  origin?: string;
  frameId?: number;
  tab?: { id?: number; url?: string };
}

/** What the receiving context knows about itself. */
export interface SenderContext {
  /** `runtime.id`. */
  extensionId: string;
  /** `runtime.getURL('/')`, e.g. `chrome-extension://<id>/`. */
  baseUrl: string;
  /** The offscreen document's URL (the host), or null where the host sends no messages (Firefox). */
  hostUrl: string | null;
  /** The background's URL (service worker script or background page), or null when unknown. */
  backgroundUrl: string | null;
  /** The configured platform origins (the build's and the user's). */
  origins: readonly string[];
}

export type Sender =
  | { kind: 'content'; tabId: number; origin: string }
  | { kind: 'page' }
  | { kind: 'host' }
  | { kind: 'background' };

export type Refusal = { ok: false; reason: string };

/** `scheme://host` of a URL of any scheme (WHATWG gives non-web schemes an opaque origin). */
function schemeAndHost(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function parse(url: string | undefined): URL | null {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The URL without query and fragment, to compare with a known page. */
const pageOf = (url: URL) => `${schemeAndHost(url)}${url.pathname}`;

/** Whether `origin` is one the extension serves (exact `scheme://host[:port]`; Firefox match patterns have no port, so the pattern alone is not enough). */
export function isConfiguredOrigin(origin: string, configured: readonly string[]): boolean {
  return configured.includes(origin);
}

/**
 * Whether the content script serves a page of `origin` (issue 14, point 6): the build's origins and
 * the user's from the settings; when the settings can't be read, the build's only. Anywhere else
 * the content script does nothing at all.
 */
export async function servesOrigin(origin: string, area: SettingsArea, builtIn: readonly string[] = builtInOrigins()): Promise<boolean> {
  const configured = await loadSettings(area).then(
    (settings) => allOrigins(settings, builtIn),
    () => [...builtIn],
  );
  return isConfiguredOrigin(origin, configured);
}

/** The kind of sender, or why it is refused. */
export function classifySender(sender: MessageSenderLike | undefined, ctx: SenderContext): { ok: true; sender: Sender } | Refusal {
  if (!sender || typeof sender !== 'object') return { ok: false, reason: 'No sender.' };
  if (sender.id !== ctx.extensionId) return { ok: false, reason: 'The message is not from this extension.' };
  const url = parse(sender.url);
  if (!url) return { ok: false, reason: 'The sender has no URL.' };
  const base = parse(ctx.baseUrl);
  const ours = base ? schemeAndHost(base) : null;
  const tab = sender.tab;
  if (sender.frameId !== undefined && sender.frameId !== 0 && tab) return { ok: false, reason: 'The sender is a frame inside a page.' };

  if (ours !== null && schemeAndHost(url) === ours) {
    if (sender.origin !== undefined && sender.origin !== ours) return { ok: false, reason: 'The sender\'s origin is not this extension\'s.' };
    if (tab) {
      // Our page as a tab of its own (options opened in a tab); never inside someone else's page.
      const tabUrl = parse(tab.url);
      if (tab.url !== undefined && (!tabUrl || schemeAndHost(tabUrl) !== ours)) return { ok: false, reason: 'The sender is our page inside another page.' };
      return { ok: true, sender: { kind: 'page' } };
    }
    if (ctx.hostUrl !== null && pageOf(url) === ctx.hostUrl) return { ok: true, sender: { kind: 'host' } };
    if (ctx.backgroundUrl !== null && pageOf(url) === ctx.backgroundUrl) return { ok: true, sender: { kind: 'background' } };
    return { ok: true, sender: { kind: 'page' } };
  }

  // A content script: the top frame of a tab of a configured platform origin.
  if (!tab || typeof tab.id !== 'number' || !Number.isInteger(tab.id) || tab.id < 0) return { ok: false, reason: 'The sender is neither our page nor a tab.' };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'The sending page is not a web page.' };
  const origin = url.origin;
  if (sender.origin !== undefined && sender.origin !== origin) return { ok: false, reason: 'The sender\'s origin does not match its URL.' };
  if (!isConfiguredOrigin(origin, ctx.origins)) return { ok: false, reason: `${origin} is not a configured platform origin.` };
  return { ok: true, sender: { kind: 'content', tabId: tab.id, origin } };
}

/**
 * Whether `url` is a blob URL made by our own extension (`blob:<our origin>/<uuid>`): the only
 * kind of URL the background hands to the downloads API (a forged one could make it download any
 * address with the user's cookies).
 */
export function isOwnBlobUrl(url: string, baseUrl: string): boolean {
  const u = parse(url);
  const base = parse(baseUrl);
  if (!u || !base || u.protocol !== 'blob:' || u.search || u.hash) return false;
  const inner = parse(u.pathname);
  if (!inner || inner.username || inner.password || inner.search || inner.hash) return false;
  return schemeAndHost(inner) === schemeAndHost(base) && /^\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(inner.pathname);
}

/** What a message may ask of its sender's scope, once its shape and sender kind are right. */
function checkScope(msg: AnyMessage, sender: Sender, ctx: SenderContext): Refusal | null {
  switch (msg.type) {
    case 'export/start':
      if (!isConfiguredOrigin(msg.request.origin, ctx.origins)) return { ok: false, reason: `${msg.request.origin} is not a configured platform origin.` };
      if (sender.kind === 'content' && msg.request.origin !== sender.origin) return { ok: false, reason: 'A page may only export from its own origin.' };
      return null;
    case 'last-template/get':
    case 'last-template/set':
    case 'delta/last':
    case 'delta/count':
      if (sender.kind === 'content' && msg.origin !== sender.origin) return { ok: false, reason: 'A page may only use the templates of its own origin.' };
      return null;
    case 'host/ready':
      if (!isOwnBlobUrl(msg.url, ctx.baseUrl)) return { ok: false, reason: 'The download URL is not a blob URL of this extension.' };
      return null;
    default:
      return null;
  }
}

/**
 * The one gate of every listener: the sender is one of ours and may send this type, the message
 * has its type's shape (the returned copy is all that is used) and stays in the sender's scope.
 */
export function authorize(raw: unknown, sender: MessageSenderLike | undefined, ctx: SenderContext): { ok: true; msg: AnyMessage; sender: Sender } | Refusal {
  const who = classifySender(sender, ctx);
  if (!who.ok) return who;
  return authorizeFrom(raw, who.sender, ctx);
}

/** {@link authorize} for a sender already known (Firefox's in-process engine host). */
export function authorizeFrom(raw: unknown, sender: Sender, ctx: SenderContext): { ok: true; msg: AnyMessage; sender: Sender } | Refusal {
  const parsed = parseMessage(raw);
  if (!parsed.ok) return parsed;
  const msg = parsed.msg;
  const allowed: readonly SenderKind[] = MESSAGE_RULES[msg.type].from;
  if (!allowed.includes(sender.kind)) return { ok: false, reason: `A ${msg.type} message is not accepted from ${describeKind(sender.kind)}.` };
  const refused = checkScope(msg, sender, ctx);
  return refused ?? { ok: true, msg, sender };
}

const describeKind = (k: SenderKind) =>
  ({ content: 'a platform page', page: 'an extension page', host: 'the export engine', background: 'the background' })[k];

// ---- jobs in the sender's scope ----

/** Whether `sender` may see or cancel `job`: our pages all, a content script its own tab's on its own origin. */
export function mayAccessJob(job: Pick<JobState, 'tabId' | 'request'>, sender: Sender): boolean {
  if (sender.kind !== 'content') return true;
  return job.tabId === sender.tabId && job.request.origin === sender.origin;
}

export const jobsVisibleTo = <J extends Pick<JobState, 'tabId' | 'request'>>(jobs: readonly J[], sender: Sender): J[] =>
  jobs.filter((j) => mayAccessJob(j, sender));

/** The parts of `runtime` a context's {@link SenderContext} is made from. */
export interface RuntimeLike {
  id: string;
  getURL(path: string): string;
  /** Absent in Chrome's offscreen document (its `runtime` has messaging, `id` and `getURL` only). */
  getManifest?(): { background?: { service_worker?: string }; permissions?: string[] };
}

/** The offscreen document (entrypoints/offscreen/index.html, built as /offscreen.html). */
export const OFFSCREEN_PATH = '/offscreen.html';
/** WXT's name for the background's script (Chrome's service worker). */
export const BACKGROUND_PATH = '/background.js';

/**
 * This context's {@link SenderContext}: the offscreen document is the host where the manifest asks
 * for `offscreen` (Chrome); the background is the manifest's service worker (Chrome; Firefox's
 * background page counts as one of our pages, which may send what the background sends to the UI).
 * Without a manifest to read, the context is Chrome's offscreen document itself.
 */
export function senderContextOf(runtime: RuntimeLike, origins: readonly string[] = []): SenderContext {
  const manifest = typeof runtime.getManifest === 'function' ? runtime.getManifest() : null;
  const worker = manifest ? manifest.background?.service_worker : BACKGROUND_PATH;
  const offscreen = manifest ? manifest.permissions?.includes('offscreen') : true;
  return {
    extensionId: runtime.id,
    baseUrl: runtime.getURL('/'),
    hostUrl: offscreen ? runtime.getURL(OFFSCREEN_PATH) : null,
    backgroundUrl: worker ? runtime.getURL(`/${worker.replace(/^\/+/, '')}`) : null,
    origins,
  };
}
