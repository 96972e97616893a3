/**
 * File and folder naming rules (product spec 1b and 2), one function per rule.
 * Pure: no DOM, no Node APIs; runs in content scripts, extension pages, workers and Node.
 *
 * Two limits apply:
 * - a path segment inside a ZIP is at most {@link MAX_SEGMENT_BYTES} (255) UTF-8 bytes, the limit of
 *   ext4, APFS and NTFS;
 * - a downloaded file's own name is at most {@link MAX_DOWNLOAD_NAME_BYTES} (200) UTF-8 bytes, since
 *   Chromium cancels downloads whose name passes about 244 bytes (it appends `.crdownload`).
 */

import { newSinceSuffix } from './delta';
import { RESERVED_EXPORT_NAMES } from './reservedNames';
import { KeyTable } from './keyTable';

/** Largest path segment (file or folder name) inside a ZIP, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Largest name of a downloaded file (archive, CSV), in UTF-8 bytes. */
export const MAX_DOWNLOAD_NAME_BYTES = 200;
/**
 * An extension longer than this (in UTF-8 bytes, dot included) is not "kept" when a name is cut to
 * its byte limit: the whole name is cut from its end instead, so a 300-byte "extension" can't eat
 * the whole stem.
 */
export const MAX_KEPT_EXTENSION_BYTES = 64;

// ---------------------------------------------------------------------------------------------
// UTF-8 helpers
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

/** Length of `s` in UTF-8 bytes (a lone surrogate counts as U+FFFD, 3 bytes, as TextEncoder writes it). */
export function utf8ByteLength(s: string): number {
  return encoder.encode(s).length;
}

function codePointBytes(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3; // lone surrogates included: encoded as U+FFFD
  return 4;
}

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes, cut on a code-point boundary. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (s.length * 3 <= maxBytes) return s; // fast path: every UTF-16 unit is at most 3 bytes
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const b = codePointBytes(ch.codePointAt(0)!);
    if (bytes + b > maxBytes) break;
    bytes += b;
    end += ch.length;
  }
  return s.slice(0, end);
}

// ---------------------------------------------------------------------------------------------
// Character classes
// ---------------------------------------------------------------------------------------------

/**
 * Invalid on Windows, macOS or Linux (`<>:"/\|?*`), C0 controls, DEL and C1 controls.
 * Every one of them is replaced with `_`.
 */
const INVALID_OR_CONTROL = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;
/**
 * Bidirectional control marks (ALM, LRM, RLM, LRE…RLO, LRI…PDI). They are REMOVED (replaced with
 * nothing), not replaced with `_`: they are invisible, and their only effect in a file name is to
 * disguise it (`invoice\u202Egpj.exe` displays as `invoiceexe.jpg`). Removing them shows the name
 * as it really is.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** A surrogate half without its partner: not encodable in UTF-8, replaced with `_`. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Windows strips these from the end of a name. */
const TRAILING_DOTS_AND_SPACES = /[\s.]+$/u;
const ONLY_DOTS_AND_SPACES = /^[\s.]+$/u;
/**
 * Windows reserved device names, case-insensitive, with or without extension (`NUL.txt`,
 * `com1.tar.gz`, `CON .txt`), including the superscript-digit forms (`COM¹`, `LPT³`) and `COM0`/`LPT0`.
 */
const RESERVED_NAME = /^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])(?=\s*(?:\.|$))/iu;

/** Whether `name` (one segment) is a Windows reserved device name, with or without extension. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAME.test(name);
}

/**
 * Characters that are not `/`, `\` or `:` but that an extractor may turn into one: compatibility
 * forms NFKC maps onto them (full-width `／ ＼ ：`, small `﹨ ﹕`, presentation `︓`; already
 * mapped by NFKC, listed so the rule reads whole), and look-alikes that Windows' "best fit"
 * conversion or a font shows as one (division slash `∕`, fraction slash `⁄`, set minus `∖`, reverse
 * solidus operator `⧵`, big solidi `⧸ ⧹`, box-drawing diagonals `╱ ╲`, ratio `∶`, modifier colon
 * `꞉`). Every one of them is replaced with `_`. Left alone: `¥` and `₩`, which some legacy code
 * pages also best-fit to `\`, since they are ordinary currency signs in Japanese and Korean names.
 */
const SEPARATOR_LOOKALIKES = /[\uff0f\uff3c\uff1a\ufe68\ufe55\ufe13\u2215\u2044\u2216\u29f5\u29f8\u29f9\u2571\u2572\u2236\ua789]/g;

/**
 * Character-level cleaning shared by every rule: lone surrogates replaced, then NFKC (so
 * compatibility forms such as full-width `／` are judged as what they stand for), bidi marks removed,
 * separator look-alikes and invalid characters replaced.
 */
function cleanCharacters(s: string): string {
  return s
    .replace(LONE_SURROGATE, '_')
    .normalize('NFKC')
    .replace(BIDI_CONTROLS, '')
    .replace(SEPARATOR_LOOKALIKES, '_')
    .replace(INVALID_OR_CONTROL, '_');
}

// ---------------------------------------------------------------------------------------------
// Segments and values
// ---------------------------------------------------------------------------------------------

/**
 * `{ stem, ext }` of a file name; `ext` includes the dot and is empty when there is none.
 * `.hidden` has no extension, nor has `a.`; an "extension" holding whitespace or a path separator
 * is not one (`Dr. Smith notes` has none).
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return { stem: name, ext: '' };
  const ext = name.slice(dot);
  if (/[\s/\\]/u.test(ext)) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext };
}

/** The extension kept when cutting a name, or '' when it has none or it is too long to keep. */
function keptExtension(name: string): { stem: string; ext: string } {
  const parts = splitExtension(name);
  if (parts.ext && utf8ByteLength(parts.ext) <= MAX_KEPT_EXTENSION_BYTES) return parts;
  return { stem: name, ext: '' };
}

/**
 * Cut a (sanitised) segment to `maxBytes` UTF-8 bytes, keeping its extension: the stem is cut on a
 * code-point boundary. Without an extension to keep, the name is cut from its end and trailing
 * dots and spaces trimmed again.
 */
export function limitSegmentBytes(name: string, maxBytes = MAX_SEGMENT_BYTES): string {
  if (utf8ByteLength(name) <= maxBytes) return name;
  const { stem, ext } = keptExtension(name);
  if (ext) return truncateUtf8(stem, maxBytes - utf8ByteLength(ext)) + ext;
  return truncateUtf8(name, maxBytes).replace(TRAILING_DOTS_AND_SPACES, '');
}

/** Appends `_` to a Windows reserved name's first part: `CON` → `CON_`, `NUL.txt` → `NUL_.txt`. */
export function avoidReservedName(name: string): string {
  return name.replace(RESERVED_NAME, '$1_');
}

/**
 * One path segment made safe on Windows, macOS and Linux (spec 1b, "sanitised, never rejected"):
 * - NFKC-normalised first (spec 5), so the rules below see `／` as the `/` it stands for;
 * - lone surrogates, characters invalid on any of them (`<>:"/\|?*`), separator look-alikes
 *   (`∕ ⁄ ∖ …`), C0/C1 controls and DEL are replaced with `_`; bidi control marks are removed;
 * - leading and trailing whitespace and trailing dots are trimmed;
 * - a segment made only of dots and spaces (`.`, `..`, `. .`) becomes `_`;
 * - Windows reserved names get `_` after their first part (`CON_`, `NUL_.txt`);
 * - at most 255 UTF-8 bytes, keeping the extension.
 * An empty (or whitespace-only) segment gives '' (callers drop empty segments).
 */
export function sanitizeSegment(s: string): string {
  let name = cleanCharacters(s).trim();
  if (name === '') return '';
  if (ONLY_DOTS_AND_SPACES.test(name)) return '_';
  name = name.replace(TRAILING_DOTS_AND_SPACES, '');
  name = avoidReservedName(name);
  return limitSegmentBytes(name, MAX_SEGMENT_BYTES);
}

/**
 * A variable's value: NFKC-normalised, then `/`, `\` and their look-alikes replaced with `_`, so a
 * value can't make folders, whatever an extractor does with `／` or `∕`. The segment it lands in is
 * sanitised as a whole after rendering.
 */
export function sanitizeValue(s: string): string {
  return s.normalize('NFKC').replace(/[/\\]/g, '_').replace(SEPARATOR_LOOKALIKES, '_');
}

// ---------------------------------------------------------------------------------------------
// Generated names (downloads, default file names, step files)
// ---------------------------------------------------------------------------------------------

/**
 * One part of a generated name (a workflow, order or step name, an id): a value (no separators),
 * with every invisible format character (`\p{Cf}`: bidi marks, zero-width joiners, BOM…) removed and
 * noncharacters replaced, since Chromium refuses download names holding them; trimmed, and without
 * leading dots, so no generated name is a hidden file.
 */
function cleanNamePart(s: string): string {
  return cleanCharacters(sanitizeValue(s))
    .replace(/\p{Cf}/gu, '')
    .replace(/\p{Noncharacter_Code_Point}/gu, '_')
    .trim()
    .replace(/^[\s.]+/u, '');
}

/**
 * Shorten `stem` (on code-point boundaries) so `stem + fixedSuffix` is at most `max` UTF-8 bytes,
 * and return `stem + fixedSuffix`. The suffix is never cut (when it alone passes `max`, the stem
 * is dropped and the result is the suffix).
 */
export function limitFileNameBytes(stem: string, fixedSuffix: string, max = MAX_DOWNLOAD_NAME_BYTES): string {
  return truncateUtf8(stem, max - utf8ByteLength(fixedSuffix)) + fixedSuffix;
}

/** `<workflow name>` or `<workflow name>-<order name>`; an order with an empty name counts as none. */
export function workflowOrderName(workflow: { name: string }, order: { name: string } | null): string {
  return order && order.name.trim() !== '' ? `${workflow.name}-${order.name}` : workflow.name;
}

/**
 * The cleaned `<workflow[-order]-name>` in at most `budget` UTF-8 bytes. Only the workflow and
 * order parts are shortened, the longer one first, so both stay recognisable: when both pass half
 * the budget, each gets half.
 */
function fitWorkflowOrderName(workflowName: string, orderName: string | null, budget: number): string {
  // A download name never starts with a space, a dot or a tilde (hidden or temporary files): those go
  // first, so a name made only of them falls back to "workflow" instead of leaving the suffix alone.
  const lead = (part: string) => part.replace(/^[\s.~]+/u, '');
  const w = lead(cleanNamePart(workflowName)) || 'workflow';
  const o = orderName === null ? '' : cleanNamePart(orderName);
  if (!o) return truncateUtf8(w, budget);
  const room = budget - 1; // the '-'
  const wb = utf8ByteLength(w);
  const ob = utf8ByteLength(o);
  if (wb + ob <= room) return `${w}-${o}`;
  const half = Math.floor(room / 2);
  let wf: string;
  let of: string;
  if (wb <= half) {
    wf = w;
    of = truncateUtf8(o, room - wb);
  } else if (ob <= half) {
    of = o;
    wf = truncateUtf8(w, room - ob);
  } else {
    of = truncateUtf8(o, half);
    wf = truncateUtf8(w, room - utf8ByteLength(of));
  }
  return of ? `${wf}-${of}` : wf;
}

/** Final safety pass of a generated download name (reserved names, leading `~`, trailing dots). */
function finishDownloadName(name: string): string {
  return sanitizeSegment(name.replace(/^[\s.~]+/u, ''));
}

function workflowOrderDownloadName(
  workflow: { name: string },
  order: { name: string } | null,
  suffix: string,
): string {
  const orderName = order && order.name.trim() !== '' ? order.name : null;
  const budget = MAX_DOWNLOAD_NAME_BYTES - utf8ByteLength(suffix);
  return finishDownloadName(fitWorkflowOrderName(workflow.name, orderName, budget) + suffix);
}

/**
 * The `_new-since_<YYYY-MM-DD_HH-mm-ss>` of a delta export (issue 16.2, lib/delta.ts), put before the
 * extension; `sinceMs` absent: none. The workflow and order parts are what shortens to keep 200 bytes.
 */
const since = (sinceMs: number | undefined) => (sinceMs === undefined ? '' : newSinceSuffix(sinceMs));

/** `<workflow[-order]-name>_case-files[_new-since_…].zip`, at most 200 UTF-8 bytes (spec 1b). */
export function caseFilesArchiveName(workflow: { name: string }, order: { name: string } | null, sinceMs?: number): string {
  return workflowOrderDownloadName(workflow, order, `_case-files${since(sinceMs)}.zip`);
}

/** `<workflow-order-name>_annotated-case-files[_new-since_…].zip`, at most 200 UTF-8 bytes (spec 1c). */
export function annotatedCaseFilesArchiveName(workflow: { name: string }, order: { name: string } | null, sinceMs?: number): string {
  return workflowOrderDownloadName(workflow, order, `_annotated-case-files${since(sinceMs)}.zip`);
}

/** `<workflow[-order]-name>_results[_new-since_…].csv`, at most 200 UTF-8 bytes (spec 1a). */
export function resultsCsvName(workflow: { name: string }, order: { name: string } | null, sinceMs?: number): string {
  return workflowOrderDownloadName(workflow, order, `_results${since(sinceMs)}.csv`);
}

/**
 * `YYYY-MM-DD_HH-mm-ss` in UTC. An ISO date-time without a zone designator is read as UTC (not as
 * local time, as `Date` would), so the name never depends on the machine's time zone. An
 * unparseable value gives its own text, cleaned.
 */
export function formatExecutionDateTime(startedAt: string | Date): string {
  let date: Date;
  if (startedAt instanceof Date) date = startedAt;
  else {
    const text = startedAt.trim();
    const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
    date = new Date(zoneless ? `${text.replace(' ', 'T')}Z` : text);
    // Not a date: its text, cut to 40 bytes (a served date as long as a name must not crowd out the rest).
    if (Number.isNaN(date.getTime())) return truncateUtf8(cleanNamePart(text).replace(/[\s:]/g, '-'), 40) || 'unknown-date';
  }
  if (Number.isNaN(date.getTime())) return 'unknown-date';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(date.getUTCFullYear(), 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}` +
    `_${p(date.getUTCHours())}-${p(date.getUTCMinutes())}-${p(date.getUTCSeconds())}`
  );
}

const ZIP_EXT = '.zip';

/**
 * `<workflow_name>_<YYYY-MM-DD_HH-mm-ss UTC>_<execution_id>`, without `.zip` (the combined file
 * inside the ZIP reuses it). Short enough that the `.zip` name stays within 200 UTF-8 bytes: only
 * the workflow name is shortened. The datetime and id are never cut, except as a last resort when
 * they alone pass the limit (an id over ~170 bytes): a cancelled download is worse than a cut id.
 */
export function executionArchiveName(workflowName: string, startedAt: string | Date, executionId: string): string {
  const budget = MAX_DOWNLOAD_NAME_BYTES - ZIP_EXT.length;
  const dt = formatExecutionDateTime(startedAt);
  const id = truncateUtf8(cleanNamePart(executionId), budget - utf8ByteLength(dt) - 2) || 'execution';
  const fixed = `_${dt}_${id}`;
  const w = truncateUtf8(cleanNamePart(workflowName) || 'workflow', budget - utf8ByteLength(fixed));
  return finishDownloadName(w + fixed);
}

/** {@link executionArchiveName} + `.zip`: the execution ZIP's download name (spec 2). */
export function executionArchiveFileName(workflowName: string, startedAt: string | Date, executionId: string): string {
  return executionArchiveName(workflowName, startedAt, executionId) + ZIP_EXT;
}

export interface StepLike {
  name: string;
  status: string;
  iteration: number;
}

/** How many times each step name occurs in an execution. */
export function stepNameCounts(steps: Iterable<{ name: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  return counts;
}

/**
 * A step's file name in the execution ZIP (spec 2): `<step_name>_<status><ext>`, or
 * `<step_name>_<iteration>_<status><ext>` when that step name occurs more than once in the
 * execution (names compared exactly). `ext` is `.md` or `.html` (the dot is added if missing).
 * Sanitised as in 1b; at most 255 UTF-8 bytes, shortening only the step name. Callers still pass
 * the names through a {@link PathDeduper}: two different names may sanitise alike.
 */
export function stepFileName(
  step: StepLike,
  steps: Iterable<{ name: string }> | ReadonlyMap<string, number>,
  ext: string,
): string {
  const counts = steps instanceof Map ? (steps as ReadonlyMap<string, number>) : stepNameCounts(steps as Iterable<{ name: string }>);
  const repeated = (counts.get(step.name) ?? 0) > 1;
  const dotExt = ext === '' || ext.startsWith('.') ? ext : `.${ext}`;
  const status = cleanNamePart(step.status) || 'unknown';
  const suffix = repeated ? `_${step.iteration}_${status}${dotExt}` : `_${status}${dotExt}`;
  return sanitizeSegment(limitFileNameBytes(cleanNamePart(step.name) || 'step', suffix, MAX_SEGMENT_BYTES));
}

/**
 * The default file name of spec 1b (`FILENAME`):
 * `<CASE_EXTERNAL_ID_PADDED>_<workflow[-order]-name>_<FILE_COUNT><FILE_EXT>`, one segment of at
 * most 255 UTF-8 bytes: only the workflow/order part is shortened.
 */
export function defaultCaseFileName(
  externalIdPadded: string,
  workflow: { name: string },
  order: { name: string } | null,
  fileCount: number,
  fileExt: string,
): string {
  const prefix = `${cleanNamePart(externalIdPadded)}_`;
  const suffix = `_${fileCount}${cleanCharacters(sanitizeValue(fileExt)).trim()}`;
  const orderName = order && order.name.trim() !== '' ? order.name : null;
  const budget = MAX_SEGMENT_BYTES - utf8ByteLength(prefix) - utf8ByteLength(suffix);
  return sanitizeSegment(prefix + fitWorkflowOrderName(workflow.name, orderName, Math.max(0, budget)) + suffix);
}

// ---------------------------------------------------------------------------------------------
// Deduplication
// ---------------------------------------------------------------------------------------------

/**
 * Full case folding (spec 5 "compared with full case folding"), approximated without a table:
 * NFKC, then `toUpperCase()` and `toLowerCase()` (locale-independent) repeated until nothing
 * changes, NFKC after each round. Upper-casing first applies the full, one-to-many mappings that
 * `toLowerCase` alone misses: `ß` → `SS` → `ss`, `ﬁ` → `FI` → `fi`, final `ς` and `σ` → `Σ` → `σ`
 * (JavaScript then applies the final-sigma rule to both alike), `ΐ` → `Ϊ́` → `ΐ`; the repeat takes
 * `ẞ` → `ß` → `ss`. So `ΟΔΟΣ` and `οδος`, `Straße` and `STRASSE`, `ﬁle` and `FILE` fold alike.
 * Compared with Unicode's CaseFolding.txt it can only fold more (e.g. Turkish `ı` with `i`,
 * compatibility forms with their base): for a collision key a false positive only costs a ` (2)`,
 * a false negative overwrites a file on unzip.
 */
export function caseFold(s: string): string {
  let folded = s.normalize('NFKC');
  for (let round = 0; round < 4; round++) {
    const next = folded.toUpperCase().toLowerCase().normalize('NFKC');
    if (next === folded) break;
    folded = next;
  }
  return folded;
}

/**
 * The key two paths collide on: {@link caseFold}. Case-insensitive file systems (NTFS, APFS, FAT,
 * ext4 with casefold) fold less than this; a false positive only costs a ` (2)`.
 */
export function pathKey(path: string): string {
  return caseFold(path);
}

/** `name (n)`, the counter before the extension (files) or at the end (folders), within 255 bytes. */
export function withCounter(name: string, n: number, isFile: boolean): string {
  const { stem, ext } = isFile ? keptExtension(name) : { stem: name, ext: '' };
  const suffix = ` (${n})${ext}`;
  return limitFileNameBytes(stem, suffix, MAX_SEGMENT_BYTES);
}

/**
 * Gives every file of one export a path of its own, so nothing is overwritten on unzip (spec 1b):
 * - a file landing on a path already taken, compared with {@link pathKey} (case-insensitively),
 *   gets ` (2)`, ` (3)`… before its extension; the new name is checked again, so it can't collide
 *   with an earlier file either;
 * - a file can't take a path that is already a folder (`a/b` then `a`): it gets ` (2)`;
 * - a folder can't take a path that is already a file (`a` then `a/b`): the folder is renamed
 *   `a (2)`, the same way for every later file under it;
 * - folders that differ only in case are one folder: later files reuse the first spelling;
 * - the names the export itself adds ({@link RESERVED_EXPORT_NAMES}: `export-report.csv`,
 *   `annotations.json`, …) are claimed before any user file, so a user's `Export-Report.csv` gets
 *   ` (2)` and ours keeps its name. Pass `[]` for a deduper that reserves nothing.
 * Every segment stays within 255 UTF-8 bytes. Paths are expected sanitised, `/`-separated.
 */
export class PathDeduper {
  /*
   * Memory: the keys are kept as 64-bit hashes (lib/keyTable.ts, 8 bytes a file), not as strings;
   * only folders keep their spelling, once each. A hash shared by two keys could only give a file a
   * ` (2)` it did not need (about one chance in 10⁸ for a million files).
   */
  /** Keys of claimed file paths. */
  private readonly files = new KeyTable();
  /** Key of a folder path → its spelling in the ZIP (an index in `spellings`). */
  private readonly folders = new KeyTable(true);
  /** Key of a folder path that collided with a file → the folder used instead (an index in `spellings`). */
  private readonly renamedFolders = new KeyTable(true);
  /** Key of a taken file path → next counter to try. */
  private readonly nextCounter = new KeyTable(true);
  private readonly spellings: string[] = [];

  constructor(reserved: Iterable<string> = RESERVED_EXPORT_NAMES) {
    for (const name of reserved) this.files.add(pathKey(name));
  }

  /** Claim `path` for one file; returns the path it gets (itself unless taken). */
  claim(path: string): string {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length === 0) segments.push('_');
    let parent = '';
    for (let i = 0; i < segments.length - 1; i++) parent = this.folder(parent, segments[i]);
    const name = segments[segments.length - 1];
    const wanted = join(parent, name);
    const wantedKey = pathKey(wanted);
    let result = wanted;
    let resultKey = wantedKey;
    if (this.taken(wantedKey)) {
      let n = this.nextCounter.get(wantedKey) ?? 2;
      for (;;) {
        const candidate = join(parent, withCounter(name, n, true));
        const candidateKey = pathKey(candidate);
        n++;
        if (!this.taken(candidateKey)) {
          result = candidate;
          resultKey = candidateKey;
          break;
        }
      }
      this.nextCounter.set(wantedKey, n);
    }
    this.files.add(resultKey);
    return result;
  }

  /** Whether `path` is taken: a file or folder holds it, or one of its folders is a file (claims nothing). */
  has(path: string): boolean {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length === 0) segments.push('_');
    let parent = '';
    for (let i = 0; i < segments.length - 1; i++) {
      const key = pathKey(join(parent, segments[i]));
      const existing = this.folderOf(key);
      if (existing === undefined) return this.files.has(key);
      parent = existing;
    }
    return this.taken(pathKey(join(parent, segments[segments.length - 1])));
  }

  private taken(key: string): boolean {
    return this.files.has(key) || this.folders.has(key);
  }

  /** The spelling of the folder (or of the one used instead) whose key is `key`. */
  private folderOf(key: string): string | undefined {
    const at = this.folders.get(key) ?? this.renamedFolders.get(key);
    return at === undefined ? undefined : this.spellings[at];
  }

  private spelling(path: string): number {
    this.spellings.push(path);
    return this.spellings.length - 1;
  }

  /** The folder `name` inside `parent` (both spelled as in the ZIP), registered. */
  private folder(parent: string, name: string): string {
    const path = join(parent, name);
    const key = pathKey(path);
    const existing = this.folderOf(key);
    if (existing !== undefined) return existing;
    if (!this.files.has(key)) {
      this.folders.set(key, this.spelling(path));
      return path;
    }
    for (let n = 2; ; n++) {
      const candidate = join(parent, withCounter(name, n, false));
      const candidateKey = pathKey(candidate);
      if (this.files.has(candidateKey)) continue;
      let at = this.folders.get(candidateKey);
      if (at === undefined) {
        at = this.spelling(candidate);
        this.folders.set(candidateKey, at);
      }
      this.renamedFolders.set(key, at);
      return this.spellings[at];
    }
  }
}

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
