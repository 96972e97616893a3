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

/** Reads a journal for the export `key`, against an archive file of `archiveSize` bytes. */
export function readJournal(text: string, key: string, archiveSize: number): JournalRead {
  const lines = text.split('\n');
  // A journal ends with a newline: what follows the last one is a line the crash cut short.
  const tail = lines.pop() ?? '';
  let droppedTail = tail !== '';
  if (!lines.length) return { trusted: false, reason: 'the journal is empty' };
  const head = unseal(lines[0]) as { v?: unknown; key?: unknown } | undefined;
  if (!head || head.v !== JOURNAL_VERSION || head.key !== key) return { trusted: false, reason: 'the journal belongs to another export' };
  const entries: JournalEntry[] = [];
  const names = new Set<string>();
  let end = 0;
  for (let i = 1; i < lines.length; i++) {
    const entry = entryOf(unseal(lines[i]));
    if (!entry) {
      // Only the very last line may be torn (written in part before the crash).
      if (i === lines.length - 1 && !droppedTail) {
        droppedTail = true;
        break;
      }
      return { trusted: false, reason: `journal line ${i + 1} is damaged` };
    }
    if (entry.offset !== end) return { trusted: false, reason: `entry ${JSON.stringify(entry.name)} does not start where the previous one ended` };
    if (names.has(entry.name)) return { trusted: false, reason: `entry ${JSON.stringify(entry.name)} is in the journal twice` };
    names.add(entry.name);
    entries.push(entry);
    end = entry.end;
  }
  if (archiveSize < end) return { trusted: false, reason: `the archive holds ${archiveSize} bytes, the journal ${end}` };
  return { trusted: true, entries, end, droppedTail };
}
