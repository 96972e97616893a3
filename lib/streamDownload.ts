/**
 * **One write in Chrome** (issue 17.1): the archive reaches the Downloads folder as it is built. The
 * service worker answers a hidden iframe's navigation (in the offscreen document) to
 * `/stream/<jobId>` with a Response whose body is the engine's stream, `Content-Disposition:
 * attachment`, so Chrome downloads it while the engine writes. The engine keeps its journaled copy
 * in the private file system all the same; only when the stream fails (the service worker stopped,
 * the download interrupted, a crash) is the finished archive offered from that copy, the old way.
 *
 * This module holds the rules, pure (Node runs them): the stream URL, the response's headers, and
 * the job's stream states — `offered` (the host asked, the background agreed), `open` (the service
 * worker answered the one navigation it accepts), `broken` (the stream failed: the copy is used).
 */
import type { JobState } from './jobs';
import { downloadNameFor } from './downloadName';

export const STREAM_PATH = '/stream/';

/** Where the engine's journaled copy of job `jobId`'s archive lives in the private file system (the stream worker reads it). */
export const ARCHIVES_DIR = 'exports';
export const outputNameOf = (jobId: string) => `${jobId}.part`;

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The extension path the offscreen document's iframe navigates to for job `jobId`. */
export const streamPathOf = (jobId: string) => `${STREAM_PATH}${jobId}`;

/**
 * The job id of a stream URL of this extension (`<baseUrl>stream/<uuid>`, nothing more: no query,
 * no fragment, no other path), or null for any other URL.
 */
export function jobIdOfStreamUrl(url: string, baseUrl: string): string | null {
  let u: URL;
  let base: URL;
  try {
    u = new URL(url);
    base = new URL(baseUrl);
  } catch {
    return null;
  }
  if (u.protocol !== base.protocol || u.host !== base.host || u.search || u.hash || u.username || u.password) return null;
  if (!u.pathname.startsWith(STREAM_PATH)) return null;
  const id = u.pathname.slice(STREAM_PATH.length);
  return JOB_ID.test(id) ? id : null;
}

/** The download's type, from its name (a slice of a disk-backed File stays on disk). */
export function mimeTypeOf(filename: string): string {
  if (/\.zip$/i.test(filename)) return 'application/zip';
  if (/\.csv$/i.test(filename)) return 'text/csv';
  return 'application/octet-stream';
}

/** RFC 5987 attr-char: everything else is percent-encoded (UTF-8). */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * `Content-Disposition: attachment` for `filename` (already a checked download name): an ASCII
 * `filename` (anything outside printable ASCII, quotes, backslashes and `%` become `_`) for old
 * readers, and the exact name in `filename*` (RFC 5987/6266), which Chrome prefers.
 */
export function contentDisposition(filename: string): string {
  const ascii = [...filename].map((c) => (/^[\x20-\x7e]$/.test(c) && !/["\\%]/.test(c) ? c : '_')).join('');
  let encoded = '';
  for (const byte of new TextEncoder().encode(filename)) {
    const c = String.fromCharCode(byte);
    encoded += byte < 0x80 && ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The headers of the stream's Response. */
export function streamHeaders(filename: string): Record<string, string> {
  return {
    'Content-Type': mimeTypeOf(filename),
    'Content-Disposition': contentDisposition(filename),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
}

export type StreamState = 'offered' | 'open' | 'broken';

export interface StreamInfo {
  /** The checked download name (lib/downloadName.ts) the stream is saved under. */
  name: string;
  state: StreamState;
  /** Why the stream was given up (state `broken`), in plain words. */
  reason?: string;
  /** The blob URL of the finished copy, once the engine is done (a fall-back after the end needs it). */
  copyUrl?: string;
}

/**
 * The host offers to stream job `j` as `filename`: taken once, for a running job not cancelled, on
 * its first run (a resumed archive's first bytes were written before the stop: it comes from the copy).
 * Mutates `j`; returns whether the stream may go ahead.
 */
export function offerStream(j: JobState, filename: string): boolean {
  if (j.phase !== 'running' || j.cancelRequested || j.stream || (j.resumes ?? 0) > 0) return false;
  j.stream = { name: downloadNameFor(filename, j.request.kind, j.id), state: 'offered' };
  return true;
}

/**
 * The service worker is asked for `/stream/<id>`: accepted once, for a running job whose stream was
 * offered. Mutates `j`; returns the download name, or null (refused).
 */
export function openStream(j: JobState): string | null {
  if (j.phase !== 'running' || j.cancelRequested || j.stream?.state !== 'offered') return null;
  j.stream.state = 'open';
  return j.stream.name;
}

/** The stream failed: the copy will be used. Mutates `j`; false when there was no live stream. */
export function breakStream(j: JobState, reason: string): boolean {
  if (!j.stream || j.stream.state === 'broken') return false;
  j.stream.state = 'broken';
  j.stream.reason = reason;
  return true;
}

/** The words the result carries when an archive that was to stream was saved from its copy. */
export const savedFromCopyWarning = (reason: string | undefined) =>
  `The archive could not be streamed to the Downloads folder (${reason ?? 'the stream did not start'}); it was saved from its copy in the browser's private storage.`;
