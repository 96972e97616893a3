/**
 * Only new since the last export (issue 16, point 2): the rules.
 *
 * - **What a complete export held** (its manifest): per case file its uuid, SHA-256 and ETag; per
 *   submission its id and a fingerprint of status, `submittedAt` and answers. Stored compactly
 *   (lib/deltaManifest.ts), recorded by the engine, marked complete once the job is `done`
 *   (lib/manifestStore.ts).
 * - **A file is new** when the last complete export did not hold its uuid, or held it with another
 *   SHA-256 ({@link fileIsNew}). **A submission is new** when the last complete export did not hold
 *   its id, or held it with another fingerprint ({@link submissionIsNew}).
 * - **A delta export's manifest** holds everything it compared (the files and submissions it
 *   listed, new or not, with their current hashes), so the next delta is relative to it: week 3
 *   gets what is new since week 2, not since week 1.
 * - **The download's name** gets {@link newSinceSuffix} (the UTC start of that last export) before
 *   its extension, within the 200-byte limit (lib/naming.ts).
 */
import { jsonText } from './jsonText';

/** JSON with object keys sorted at every level (arrays keep their order): one text per value, at any depth (lib/jsonText.ts). */
export const stableJson = (value: unknown): string => jsonText(value, { sortKeys: true });

/** A 64-bit hash (two 32-bit lanes, cyrb53-style mixing) of a string, as 16 hex digits. */
export function hash64(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** What of a submission makes it "changed": its status, its `submittedAt` and its answers. */
export interface SubmissionFacts {
  status: unknown;
  submittedAt: unknown;
  answers: unknown;
}

/** The submission's fingerprint: 64 bits of the stable JSON of status, `submittedAt` and answers. */
export function submissionFingerprint(s: SubmissionFacts): string {
  return hash64(stableJson([s.status ?? null, s.submittedAt ?? null, s.answers ?? null]));
}

/** Hex digits of the SHA-256 a manifest keeps (160 bits: enough to see a change, 20 bytes a file). */
export const SHA_PREFIX_HEX = 40;

/** A SHA-256 (hex) as a manifest keeps it: lower case, its first {@link SHA_PREFIX_HEX} digits; null if not a SHA-256. */
export function shaKey(sha256: string | null | undefined): string | null {
  if (typeof sha256 !== 'string') return null;
  const s = sha256.trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(s) ? s.slice(0, SHA_PREFIX_HEX) : null;
}

/** One file of a manifest. */
export interface FileRecord {
  uuid: string;
  /** {@link shaKey} of its SHA-256; null when it is not known (such a file always counts as changed). */
  sha: string | null;
  /** The ETag it was served with (for `If-None-Match`), null if none. */
  etag: string | null;
}

/** One submission of a manifest. */
export interface SubmissionRecord {
  id: string;
  /** {@link submissionFingerprint}. */
  fingerprint: string;
}

/** The files a complete export held, by uuid (lib/deltaManifest.ts FileIndex reads them from a manifest's bytes). */
export interface HeldFiles {
  readonly size: number;
  get(uuid: string): FileRecord | undefined;
}

/** The submissions a complete export held: id → fingerprint (lib/deltaManifest.ts SubmissionIndex). */
export interface HeldSubmissions {
  readonly size: number;
  fingerprintOf(id: string): string | undefined;
}

/** {@link HeldFiles} from records in memory. */
export class FileBase implements HeldFiles {
  private readonly byUuid = new Map<string, FileRecord>();
  constructor(records: Iterable<FileRecord>) {
    for (const r of records) this.byUuid.set(r.uuid, r);
  }
  get size(): number {
    return this.byUuid.size;
  }
  get(uuid: string): FileRecord | undefined {
    return this.byUuid.get(uuid);
  }
}

/** {@link HeldSubmissions} from records in memory. */
export class SubmissionBase implements HeldSubmissions {
  private readonly byId = new Map<string, string>();
  constructor(records: Iterable<SubmissionRecord>) {
    for (const r of records) this.byId.set(r.id, r.fingerprint);
  }
  get size(): number {
    return this.byId.size;
  }
  fingerprintOf(id: string): string | undefined {
    return this.byId.get(id);
  }
}

/**
 * Whether a file goes into a delta export: its uuid is not in the base, or its SHA-256 differs
 * from the one the base holds (an unknown hash on either side counts as a change: never lose a file).
 */
export function fileIsNew(base: HeldFiles, uuid: string, sha256: string | null): boolean {
  const held = base.get(uuid);
  if (!held) return true;
  const now = shaKey(sha256);
  return held.sha === null || now === null || held.sha !== now;
}

/** Whether a submission goes into a delta export: its id is not in the base, or its fingerprint changed. */
export function submissionIsNew(base: HeldSubmissions, s: SubmissionFacts & { id: string }): boolean {
  const held = base.fingerprintOf(s.id);
  return held === undefined || held !== submissionFingerprint(s);
}

/** `YYYY-MM-DD_HH-mm-ss` of an instant, in UTC. */
export function utcStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}_${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

/** `_new-since_<YYYY-MM-DD_HH-mm-ss>`: what a delta export's name gets before its extension. */
export function newSinceSuffix(startedAtMs: number): string {
  return `_new-since_${utcStamp(startedAtMs)}`;
}

/** The pattern of {@link newSinceSuffix} (lib/downloadName.ts accepts it before the extension). */
export const NEW_SINCE_PATTERN = /_new-since_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/;

/** The message of an export that found nothing new (the job ends `done`, no file written). */
export function nothingNewMessage(sinceMs: number, locale?: string): string {
  return `Nothing new since ${new Date(sinceMs).toLocaleString(locale)}: no file written.`;
}
