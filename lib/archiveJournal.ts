/**
 * The archive journal: beside an archive being written into the private file system, one line per
 * complete entry (where it starts and ends, its size, CRC-32 and SHA-256, all its central-directory
 * record needs), each line sealed with a CRC-32 of its text. After a crash, the archive is cut back
 * to the last entry the journal holds and the export goes on from there (workers/storedZip.ts
 * `resume`); a journal that cannot be trusted means starting again from zero, never a corrupt archive.
 *
 * Rules (`readJournal`):
 * - the first line names the export (`key`): a journal of another export is not trusted;
 * - a last line cut short (the crash came mid-write) is dropped: the entry before it is the last;
 * - any other bad line, an entry that does not start where the previous one ended, a duplicate
 *   name or a malformed field: not trusted;
 * - an archive file shorter than the last entry's end: not trusted.
 */
/**
 * An entry as the archive holds it: all its central-directory record needs. `offset` is where its
 * local header starts, `end` where its bytes (and data descriptor) end. A journal of these lets a
 * later run go on after the last complete entry (`ZipOptions.resume`).
 */
export interface WrittenEntry {
  name: string;
  flags: number;
  crc32: number;
  size: number;
  offset: number;
  end: number;
  dosTime: number;
  dosDate: number;
  unixTime: number;
}

export const JOURNAL_VERSION = 1;

export interface JournalEntry extends WrittenEntry {
  /** SHA-256 of the entry's bytes, hex (for SHA256SUMS after a resume). */
  sha256: string;
}

export type JournalRead =
  | { trusted: true; entries: JournalEntry[]; end: number; droppedTail: boolean }
  | { trusted: false; reason: string };

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of bytes, in plain code (small inputs: journal lines, test images). */
export function crc32Of(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a string's UTF-8 bytes: the seal of each journal line. */
export const crc32Text = (text: string): number => crc32Of(new TextEncoder().encode(text));

const seal = (body: string) => `${body}\t${crc32Text(body).toString(16).padStart(8, '0')}\n`;

/** The journal's first line, naming the export it belongs to. */
export const journalHeader = (key: string) => seal(JSON.stringify({ v: JOURNAL_VERSION, key }));

/** One complete entry's line. */
export function journalLine(e: JournalEntry): string {
  const { name, flags, crc32, size, offset, end, dosTime, dosDate, unixTime, sha256 } = e;
  return seal(JSON.stringify([name, flags, crc32, size, offset, end, dosTime, dosDate, unixTime, sha256]));
}

function unseal(line: string): unknown {
  const tab = line.lastIndexOf('\t');
  if (tab < 0) return undefined;
  const body = line.slice(0, tab);
  if (line.slice(tab + 1) !== crc32Text(body).toString(16).padStart(8, '0')) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const u32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
const u53 = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function entryOf(v: unknown): JournalEntry | null {
  if (!Array.isArray(v) || v.length !== 10) return null;
  const [name, flags, crc32, size, offset, end, dosTime, dosDate, unixTime, sha256] = v;
  if (typeof name !== 'string' || !name || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return null;
  if (![flags, dosTime, dosDate].every((x) => u32(x) && x <= 0xffff) || !u32(crc32) || !u32(unixTime)) return null;
  if (![size, offset, end].every(u53) || end < offset + size) return null;
  return { name, flags, crc32, size, offset, end, dosTime, dosDate, unixTime, sha256 };
}

/**
 * The journal's rules (see the top of this file), one line at a time, so that a journal of a
 * million entries is checked as it is read, never held as one text. `trustedBytes`: the length
 * of the trusted part (header and good lines), where a resumed run goes on appending.
 */
export class JournalChecker {
  readonly entries: JournalEntry[] = [];
  trustedBytes = 0;
  private lines = 0;
  private end = 0;
  private readonly names = new Set<string>();
  /** A damaged line, forgiven only if it turns out to be the last one. */
  private damaged: number | null = null;
  private failure: string | null = null;

  constructor(private readonly key: string) {}

  /** One complete line, without its newline; `bytes`: its UTF-8 length with the newline. False: not trusted, stop. */
  line(text: string, bytes: number): boolean {
    if (this.failure) return false;
    if (this.damaged !== null) return this.fail(`journal line ${this.damaged + 1} is damaged`);
    const i = this.lines++;
    if (i === 0) {
      const head = unseal(text) as { v?: unknown; key?: unknown } | undefined;
      if (!head || head.v !== JOURNAL_VERSION || head.key !== this.key) return this.fail('the journal belongs to another export');
      this.trustedBytes += bytes;
      return true;
    }
    const entry = entryOf(unseal(text));
    if (!entry) {
      // Only the very last line may be torn (written in part before the crash).
      this.damaged = i;
      return true;
    }
    if (entry.offset !== this.end) return this.fail(`entry ${JSON.stringify(entry.name)} does not start where the previous one ended`);
    if (this.names.has(entry.name)) return this.fail(`entry ${JSON.stringify(entry.name)} is in the journal twice`);
    this.names.add(entry.name);
    this.entries.push(entry);
    this.end = entry.end;
    this.trustedBytes += bytes;
    return true;
  }

  private fail(reason: string): false {
    this.failure = reason;
    return false;
  }

  /** The verdict; `tornTail`: bytes followed the last newline (a line the crash cut short). */
  finish(tornTail: boolean, archiveSize: number): JournalRead {
    if (this.failure) return { trusted: false, reason: this.failure };
    if (this.lines === 0) return { trusted: false, reason: 'the journal is empty' };
    if (this.damaged !== null && tornTail) return { trusted: false, reason: `journal line ${this.damaged + 1} is damaged` };
    if (archiveSize < this.end) return { trusted: false, reason: `the archive holds ${archiveSize} bytes, the journal ${this.end}` };
    return { trusted: true, entries: this.entries, end: this.end, droppedTail: tornTail || this.damaged !== null };
  }
}

/** Reads a journal for the export `key`, against an archive file of `archiveSize` bytes. */
export function readJournal(text: string, key: string, archiveSize: number): JournalRead {
  const lines = text.split('\n');
  // A journal ends with a newline: what follows the last one is a line the crash cut short.
  const tail = lines.pop() ?? '';
  const checker = new JournalChecker(key);
  const encoder = new TextEncoder();
  for (const line of lines) if (!checker.line(line, encoder.encode(line).byteLength + 1)) break;
  return checker.finish(tail !== '', archiveSize);
}

/**
 * Checks a journal read as a stream of byte chunks (the file's `stream()`), line by line: the same
 * verdict as {@link readJournal} on its whole text, with the trusted part's length in bytes.
 */
export async function checkJournalStream(
  chunks: AsyncIterable<Uint8Array>,
  key: string,
  archiveSize: number,
): Promise<{ read: JournalRead; trustedBytes: number }> {
  const checker = new JournalChecker(key);
  const decoder = new TextDecoder();
  let carry = new Uint8Array(0);
  let stopped = false;
  for await (const chunk of chunks) {
    const buf = carry.byteLength ? concatBytes(carry, chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      if (!checker.line(decoder.decode(buf.subarray(start, nl)), nl - start + 1)) {
        stopped = true;
        break;
      }
      start = nl + 1;
    }
    if (stopped) break;
    carry = buf.slice(start);
  }
  return { read: checker.finish(!stopped && carry.byteLength > 0, archiveSize), trustedBytes: checker.trustedBytes };
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
