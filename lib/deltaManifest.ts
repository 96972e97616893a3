/**
 * The compact binary form of a manifest (what a complete export held, lib/delta.ts), small enough
 * for 500,000 files in IndexedDB (about 38 bytes a file on the reference platform; the unit test
 * measures it).
 *
 * Files (`WEF1`): a varint count, then per file one flags byte and
 * - the uuid: 16 bytes when it is a lower-case UUID (flag 1), else a varint length and its UTF-8;
 * - the SHA-256's first 20 bytes (flag 2), absent when unknown;
 * - the ETag: when it is `"` + the first n hex digits of that SHA-256 + `"` (the reference
 *   platform's form) one byte n (flag 4); any other ETag as a varint length and its UTF-8 (flag 8).
 *
 * Submissions (`WES1`): a varint count, then per submission one flags byte, the id as above and
 * its 8-byte fingerprint.
 *
 * Decoding checks every length against the buffer: a damaged manifest throws, never reads past.
 */
import { SHA_PREFIX_HEX, shaKey, type FileRecord, type HeldFiles, type HeldSubmissions, type SubmissionRecord } from './delta';
import { hexInto, hexOf } from './hex';

const FILES_MAGIC = [0x57, 0x45, 0x46, 0x31]; // WEF1
const SUBMISSIONS_MAGIC = [0x57, 0x45, 0x53, 0x31]; // WES1
const F_UUID = 1;
const F_SHA = 2;
const F_ETAG_SHA = 4;
const F_ETAG_TEXT = 8;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA_BYTES = SHA_PREFIX_HEX / 2;

class Writer {
  private buf = new Uint8Array(1024);
  private n = 0;
  private room(k: number) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.n++] = b;
  }
  bytes(b: ArrayLike<number>) {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  varint(v: number) {
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }
  text(s: string) {
    const b = encoder.encode(s);
    this.varint(b.length);
    this.bytes(b);
  }
  hex(h: string) {
    this.room(h.length / 2);
    this.n += hexInto(h, this.buf, this.n);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
  /** The bytes written so far, not copied (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

class Reader {
  at = 0;
  constructor(private readonly buf: Uint8Array) {}
  private need(k: number) {
    if (this.at + k > this.buf.length) throw new Error('The stored manifest is cut short.');
  }
  byte(): number {
    this.need(1);
    return this.buf[this.at++];
  }
  bytes(k: number): Uint8Array {
    this.need(k);
    const b = this.buf.subarray(this.at, this.at + k);
    this.at += k;
    return b;
  }
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new Error('The stored manifest has a bad number.');
  }
  text(): string {
    return decoder.decode(this.bytes(this.varint()));
  }
  hex(k: number): string {
    return hexOf(this.bytes(k));
  }
  get end(): boolean {
    return this.at === this.buf.length;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function magic(w: Writer, m: number[]) {
  w.bytes(m);
}
function checkMagic(r: Reader, m: number[], what: string) {
  const got = r.bytes(4);
  if (m.some((b, i) => got[i] !== b)) throw new Error(`This is not a stored ${what} manifest.`);
}

/** A SHA-256 as kept: its {@link shaKey} (a full hex digest) or an already kept prefix; else null. */
function keptSha(sha: string | null | undefined): string | null {
  if (typeof sha !== 'string') return null;
  return shaKey(sha) ?? (/^[0-9a-f]{40}$/.test(sha) ? sha : null);
}

/** The files' manifest in binary form. */
export function encodeFiles(records: Iterable<FileRecord>): Uint8Array {
  const list = [...records];
  const w = new Writer();
  magic(w, FILES_MAGIC);
  w.varint(list.length);
  for (const r of list) writeFile(w, r);
  return w.done();
}

function writeFile(w: Writer, r: FileRecord) {
  const sha = keptSha(r.sha);
  const etagHex = r.etag && sha ? /^"([0-9a-f]{1,40})"$/.exec(r.etag)?.[1] : undefined;
  const etagFromSha = etagHex !== undefined && sha!.startsWith(etagHex);
  const uuid = UUID_RE.test(r.uuid);
  const flags = (uuid ? F_UUID : 0) | (sha ? F_SHA : 0) | (etagFromSha ? F_ETAG_SHA : r.etag ? F_ETAG_TEXT : 0);
  w.byte(flags);
  if (uuid) w.hex(r.uuid.replace(/-/g, ''));
  else w.text(r.uuid);
  if (sha) w.hex(sha);
  if (etagFromSha) w.byte(etagHex!.length);
  else if (r.etag) w.text(r.etag);
}

const uuidText = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;

/** One file record at the reader's position. */
function readFile(r: Reader): FileRecord {
  const flags = r.byte();
  if (flags & ~(F_UUID | F_SHA | F_ETAG_SHA | F_ETAG_TEXT)) throw new Error('The stored manifest has unknown flags.');
  const uuid = flags & F_UUID ? uuidText(r.hex(16)) : r.text();
  const sha = flags & F_SHA ? r.hex(SHA_BYTES) : null;
  let etag: string | null = null;
  if (flags & F_ETAG_SHA) {
    const n = r.byte();
    if (!sha || n < 1 || n > SHA_PREFIX_HEX) throw new Error('The stored manifest has a bad ETag.');
    etag = `"${sha.slice(0, n)}"`;
  } else if (flags & F_ETAG_TEXT) etag = r.text();
  return { uuid, sha, etag };
}

/** Each file record with its offset in `bytes` (throws when the manifest is damaged). */
function* filesWithOffsets(bytes: Uint8Array): Generator<[FileRecord, number]> {
  const r = new Reader(bytes);
  checkMagic(r, FILES_MAGIC, 'files');
  const count = r.varint();
  for (let i = 0; i < count; i++) {
    const at = r.at;
    yield [readFile(r), at];
  }
  if (!r.end) throw new Error('The stored manifest has bytes after its last file.');
}

/** The files of a binary manifest (throws when it is damaged). */
export function* decodeFiles(bytes: Uint8Array): Generator<FileRecord> {
  for (const [record] of filesWithOffsets(bytes)) yield record;
}

/**
 * The files a manifest holds, looked up by uuid without unpacking them: only a map of uuid →
 * offset is kept beside the bytes (for 500,000 files some 40 MB rather than three times that).
 */
export class FileIndex implements HeldFiles {
  private readonly at = new Map<string, number>();
  constructor(private readonly bytes: Uint8Array) {
    for (const [record, offset] of filesWithOffsets(bytes)) this.at.set(record.uuid, offset);
  }
  get size(): number {
    return this.at.size;
  }
  get(uuid: string): FileRecord | undefined {
    const offset = this.at.get(uuid);
    if (offset === undefined) return undefined;
    const r = new Reader(this.bytes);
    r.at = offset;
    return readFile(r);
  }
}

/** The submissions' manifest in binary form. */
export function encodeSubmissions(records: Iterable<SubmissionRecord>): Uint8Array {
  const list = [...records];
  const w = new Writer();
  magic(w, SUBMISSIONS_MAGIC);
  w.varint(list.length);
  for (const s of list) writeSubmission(w, s);
  return w.done();
}

function writeSubmission(w: Writer, s: SubmissionRecord) {
  if (!/^[0-9a-f]{16}$/.test(s.fingerprint)) throw new Error(`Bad fingerprint ${JSON.stringify(s.fingerprint)}.`);
  const uuid = UUID_RE.test(s.id);
  w.byte(uuid ? F_UUID : 0);
  if (uuid) w.hex(s.id.replace(/-/g, ''));
  else w.text(s.id);
  w.hex(s.fingerprint);
}

/** Each submission's id with the offset of its fingerprint in `bytes` (throws when damaged). */
function* submissionsWithOffsets(bytes: Uint8Array): Generator<[string, number, Reader]> {
  const r = new Reader(bytes);
  checkMagic(r, SUBMISSIONS_MAGIC, 'submissions');
  const count = r.varint();
  for (let i = 0; i < count; i++) {
    const flags = r.byte();
    if (flags & ~F_UUID) throw new Error('The stored manifest has unknown flags.');
    const id = flags & F_UUID ? uuidText(r.hex(16)) : r.text();
    const at = r.at;
    r.bytes(8);
    yield [id, at, r];
  }
  if (!r.end) throw new Error('The stored manifest has bytes after its last submission.');
}

/** The submissions of a binary manifest (throws when it is damaged). */
export function* decodeSubmissions(bytes: Uint8Array): Generator<SubmissionRecord> {
  for (const [id, at] of submissionsWithOffsets(bytes)) {
    const r = new Reader(bytes);
    r.at = at;
    yield { id, fingerprint: r.hex(8) };
  }
}

/** The submissions a manifest holds, by id, without unpacking them (a map of id → offset). */
export class SubmissionIndex implements HeldSubmissions {
  private readonly at = new Map<string, number>();
  constructor(private readonly bytes: Uint8Array) {
    for (const [id, offset] of submissionsWithOffsets(bytes)) this.at.set(id, offset);
  }
  get size(): number {
    return this.at.size;
  }
  fingerprintOf(id: string): string | undefined {
    const offset = this.at.get(id);
    if (offset === undefined) return undefined;
    const r = new Reader(this.bytes);
    r.at = offset;
    return r.hex(8);
  }
}

/**
 * What an export held, encoded as it goes (memory: the encoded bytes only). The exporters record
 * each listed file or submission once; one recorded twice decodes to its last record.
 */
export class ManifestBuilder {
  private readonly fileBytes = new Writer();
  private readonly submissionBytes = new Writer();
  fileCount = 0;
  submissionCount = 0;
  file(uuid: string, sha256: string | null, etag: string | null) {
    writeFile(this.fileBytes, { uuid, sha: keptSha(sha256), etag });
    this.fileCount++;
  }
  keep(record: FileRecord) {
    writeFile(this.fileBytes, record);
    this.fileCount++;
  }
  submission(id: string, fingerprint: string) {
    writeSubmission(this.submissionBytes, { id, fingerprint });
    this.submissionCount++;
  }
  encode(): { files?: Uint8Array; submissions?: Uint8Array } {
    // One copy of the records (a manifest of 500,000 files is some 20 MB): header and body into one array.
    const whole = (magicBytes: number[], count: number, body: Writer) => {
      const head = new Writer();
      magic(head, magicBytes);
      head.varint(count);
      const h = head.view();
      const b = body.view();
      const out = new Uint8Array(h.byteLength + b.byteLength);
      out.set(h);
      out.set(b, h.byteLength);
      return out;
    };
    return {
      ...(this.fileCount ? { files: whole(FILES_MAGIC, this.fileCount, this.fileBytes) } : {}),
      ...(this.submissionCount ? { submissions: whole(SUBMISSIONS_MAGIC, this.submissionCount, this.submissionBytes) } : {}),
    };
  }
}
