/**
 * Results as CSV (product spec 1a): every rule as a named pure function. No DOM, no Node APIs; runs
 * in the worker and in Node. The exporter (`workers/csv.ts`) streams pages through these; these
 * functions decide what goes in each cell, as a {@link CsvValue} (text, number or boolean), and
 * `lib/csvEscape.ts` writes it (quoting, formula guard: the one cell function of every CSV).
 *
 * What the spec leaves open, decided here:
 * - **Header names.** Long layout: `workflow name, order name, case id, short id, external id,
 *   submission id, reader id, reader name, status, submitted at`, then one column per question
 *   named by its **key** (stable and unique, unlike labels), then `meta.<key>`.
 *   Wide layout: the five case columns, then numbered groups `s1.submission id, s1.reader id, …,
 *   s1.<question key>, s2.…`, then `meta.<key>`. The number of groups is the largest number of
 *   selected submissions of any one case (0 groups when no case has any).
 * - **order name** is the name of the case's own order (so an export of all cases still says which
 *   order each row belongs to); empty when the case has none.
 * - **external id** is the platform's "External ID" (entity external id, else case external id,
 *   else short id), the same value as `CASE_EXTERNAL_ID` in the ZIP's file names, so rows join to files.
 * - **Values.** `null` (and a missing answer) → empty cell; booleans → `true` / `false`; numbers
 *   as-is (JavaScript's shortest round-trip text, `12.5`, `-3`); multichoice → items joined with
 *   `; ` (an empty list is an empty cell); any other shape (an object the contract does not allow)
 *   → its JSON.
 * - **Dates** (`submitted at`) → ISO 8601 in UTC with milliseconds, `2025-05-12T10:30:00.000Z`
 *   (`Date#toISOString`); a date without a zone is read as UTC; text that is not a date is kept.
 * - **Formula escaping** (OWASP "CSV injection"): every text cell, header cells included (keys are
 *   user content), goes through `escapeFormula` of `lib/csvEscape.ts` when it is written (a
 *   leading `'` for `=`, `+`, `-`, `@`, also after leading spaces, tab, CR, LF, NUL). Numbers and
 *   booleans stay values and are never escaped (`-3` stays a number); a date is written as its ISO
 *   text, which starts with a digit.
 * - **Meta key order**: first seen, over the cases in the platform's order and, within a case, in
 *   its JSON key order. Since the header needs the union over all cases before the first row, the
 *   exporter lists the cases first and keeps only a compact {@link CaseRecord} per case.
 * - **latest** = per (case, reader) pair, the submitted submission with the newest `submittedAt`;
 *   on a tie the greater submission id wins (so the result never depends on page order); drafts
 *   never count. In a stream (submissions are not guaranteed sorted by case) this needs a first
 *   pass that keeps one {@link LatestEntry} (id and time) per pair: memory grows with the number of
 *   pairs, never with answers; the second pass writes the rows of the winners.
 * - **submitted** = every submission whose status is `submitted`; **all** includes drafts.
 * - Submissions within a case (wide groups) keep the platform's order.
 */
import type { Answer, Case, MetaValue, Question, Submission, Workflow } from './platform';
import type { CsvValue } from './csvEscape';
import { jsonText } from './jsonText';
import { servedText } from './servedData';

export type SubmissionsOption = 'all' | 'submitted' | 'latest';
export type LayoutOption = 'long' | 'wide';

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

/** Separator of the items of a multichoice answer. */
export const MULTICHOICE_SEPARATOR = '; ';

/**
 * One answer or metadata value as a cell: null/undefined → '', booleans `true`/`false`, a finite
 * number stays a number (NaN, ±Infinity → ''), lists joined with `; ` (text), text as is, anything
 * else as its JSON (text). Text is formula-escaped when written (`lib/csvEscape.ts`).
 */
export function formatValue(value: Answer | MetaValue | undefined | unknown): CsvValue {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(servedText).join(MULTICHOICE_SEPARATOR);
  return jsonText(value);
}

/** An answer's cell (multichoice joined with `; `). */
export const formatAnswer = (answer: Answer | undefined): CsvValue => formatValue(answer);
/** A metadata value's cell. */
export const formatMetaValue = (value: MetaValue | undefined): CsvValue => formatValue(value);

/**
 * A platform timestamp as ISO 8601 in UTC (`2025-05-12T10:30:00.000Z`); null → ''. A date-time
 * without a zone is read as UTC; text that is not a date is kept (text: formula-escaped when written).
 */
export function formatTimestamp(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  if (isCanonicalUtc(value)) return value;
  const text = value.trim();
  const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  const date = new Date(zoneless ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether `text` is already what {@link formatTimestamp} makes of it (performance only): ISO 8601
 * in UTC with milliseconds, every field in range (a day past its month's end, which `Date` would
 * roll over, is not). The platform sends most times so, and they skip the date parsing.
 */
export function isCanonicalUtc(text: string): boolean {
  const m = CANONICAL_UTC.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** The platform's "External ID": entity external id, else case external id, else short id. */
export function caseExternalId(c: Pick<Case, 'entityExternalId' | 'externalId' | 'shortId'>): string {
  const has = (s: string | null): s is string => s !== null && s.trim() !== '';
  return has(c.entityExternalId) ? c.entityExternalId : has(c.externalId) ? c.externalId : c.shortId;
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

/** The case's columns, first in both layouts. */
export const CASE_COLUMNS = ['workflow name', 'order name', 'case id', 'short id', 'external id'] as const;
/** A submission's own columns, before its answers. */
export const SUBMISSION_COLUMNS = ['submission id', 'reader id', 'reader name', 'status', 'submitted at'] as const;

/** `meta.<key>`. */
export const metaColumnName = (key: string): string => `meta.${key}`;
/** Wide layout: the column `name` of submission group `n` (1-based): `s1.submission id`. */
export const groupColumnName = (n: number, name: string): string => `s${n}.${name}`;

/**
 * The union of metadata keys, in first-seen order. Keys only ever get appended, so a key's index
 * is stable: a case recorded before a key appeared simply has no value there.
 */
export class MetaKeys {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();

  /** Adds the keys of one case's metadata; returns the value cells aligned to {@link keys}. */
  add(metadata: Record<string, MetaValue> | null | undefined): CsvValue[] {
    return this.cellsInto([], 0, metadata);
  }

  /** Writes the aligned meta cells into `out` from `at` on (the array gets exactly the length it needs). */
  cellsInto(out: CsvValue[], at: number, metadata: Record<string, MetaValue> | null | undefined): CsvValue[] {
    if (!metadata) return out;
    let width = 0;
    const found: [number, CsvValue][] = [];
    for (const key in metadata) {
      if (!Object.prototype.hasOwnProperty.call(metadata, key)) continue;
      let i = this.index.get(key);
      if (i === undefined) {
        i = this.keys.length;
        this.keys.push(key);
        this.index.set(key, i);
      }
      found.push([i, formatMetaValue(metadata[key])]);
      width = Math.max(width, i + 1);
    }
    for (let i = out.length; i < at + width; i++) out.push('');
    for (const [i, cell] of found) out[at + i] = cell;
    return out;
  }
}

/** The metadata keys of `cases` (the union, first-seen order). */
export function metaColumns(cases: Iterable<Pick<Case, 'metadata'>>): string[] {
  const keys = new MetaKeys();
  for (const c of cases) keys.add(c.metadata);
  return keys.keys;
}

/** The header row (text cells, formula-escaped when written). `groups` is the number of submission groups of the wide layout. */
export function csvColumns(layout: LayoutOption, questions: readonly Pick<Question, 'key'>[], metaKeys: readonly string[], groups = 0): string[] {
  const perSubmission = [...SUBMISSION_COLUMNS, ...questions.map((q) => q.key)];
  const middle =
    layout === 'long' ? perSubmission : Array.from({ length: groups }, (_, g) => perSubmission.map((name) => groupColumnName(g + 1, name))).flat();
  return [...CASE_COLUMNS, ...middle, ...metaKeys.map(metaColumnName)];
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

/**
 * What a row needs of a case, already as cells, in one flat array of exactly the size it needs:
 * `[order name, case id, short id, external id, ...meta cells]`, the meta cells aligned to the
 * {@link MetaKeys} seen so far (later keys are padded when the row is made). The rest of the case
 * (its files) is dropped, so a case costs a few hundred bytes, whatever its files.
 */
export type CaseRecord = readonly CsvValue[];
/** The number of case cells before the meta cells in a {@link CaseRecord}. */
export const CASE_RECORD_CELLS = 4;

/** The order names of a workflow by id, for {@link caseRecord}. */
export const orderNames = (workflow: Pick<Workflow, 'orders'>): Map<string, string> => new Map(workflow.orders.map((o) => [o.id, o.name]));

/** The compact record of one case; adds its metadata keys to `metaKeys`. */
export function caseRecord(c: Case, orders: ReadonlyMap<string, string>, metaKeys: MetaKeys): CaseRecord {
  const orderName = c.orderId !== null ? (orders.get(c.orderId) ?? '') : '';
  const out: CsvValue[] = [orderName, c.id, c.shortId, caseExternalId(c)];
  return metaKeys.cellsInto(out, CASE_RECORD_CELLS, c.metadata);
}

/** The record of a case the case list did not hold (e.g. added while exporting): its id only. */
export function unknownCaseRecord(caseId: string): CaseRecord {
  return ['', caseId, '', ''];
}

/** What every row shares: the workflow, the questions (column order) and the meta keys. */
export interface CsvTable {
  workflowName: string;
  questions: readonly Pick<Question, 'key'>[];
  metaKeys: readonly string[];
}

/** The cells of one submission: its own columns, then one per question in the platform's order. */
export function submissionCells(s: Submission, questions: readonly Pick<Question, 'key'>[]): CsvValue[] {
  const cells: CsvValue[] = [s.id, s.reader?.id ?? '', s.reader?.name ?? '', s.status, formatTimestamp(s.submittedAt)];
  const answers = s.answers ?? {};
  for (const q of questions) cells.push(formatAnswer(Object.prototype.hasOwnProperty.call(answers, q.key) ? answers[q.key] : null));
  return cells;
}

/** The case cells of a record (order name, case id, short id, external id). */
export const caseCells = (record: CaseRecord): CsvValue[] => record.slice(0, CASE_RECORD_CELLS);

/** The meta cells of a case, padded to every known key. */
export function metaCells(record: CaseRecord, metaKeyCount: number): CsvValue[] {
  const cells = record.slice(CASE_RECORD_CELLS, CASE_RECORD_CELLS + metaKeyCount);
  while (cells.length < metaKeyCount) cells.push('');
  return cells;
}

/** Long layout: the row of one submission. */
export function longRow(table: CsvTable, record: CaseRecord, s: Submission): CsvValue[] {
  return [table.workflowName, ...caseCells(record), ...submissionCells(s, table.questions), ...metaCells(record, table.metaKeys.length)];
}

/** Wide layout: the row of one case, its submissions' cells (from {@link submissionCells}) side by side in `groups` groups. */
export function wideRow(table: CsvTable, record: CaseRecord, submissions: readonly CsvValue[][], groups: number): CsvValue[] {
  const width = SUBMISSION_COLUMNS.length + table.questions.length;
  const row: CsvValue[] = [table.workflowName, ...caseCells(record)];
  for (let g = 0; g < groups; g++) {
    const cells = submissions[g];
    if (cells) for (const cell of cells) row.push(cell); // no spread: any number of questions
    else for (let i = 0; i < width; i++) row.push('');
  }
  for (const cell of metaCells(record, table.metaKeys.length)) row.push(cell); // no spread: any number of metadata keys
  return row;
}

// ---------------------------------------------------------------------------------------------
// Selecting submissions
// ---------------------------------------------------------------------------------------------

/** Whether a submission can be selected at all under `option` (drafts only with `all`). */
export function passesStatus(s: Pick<Submission, 'status'>, option: SubmissionsOption): boolean {
  return option === 'all' || s.status === 'submitted';
}

const timeOf = (submittedAt: string | null): number => {
  if (submittedAt === null) return Number.NEGATIVE_INFINITY;
  const t = Date.parse(submittedAt);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

/** What "latest" keeps per (case, reader) pair while it reads the stream. */
export interface LatestEntry {
  id: string;
  time: number;
}

/** Whether `a` is newer than `b` under the rules of "latest": later `submittedAt`, then greater id. */
export function isNewerSubmission(a: LatestEntry, b: LatestEntry): boolean {
  return a.time !== b.time ? a.time > b.time : a.id > b.id;
}

/** The key of a (case, reader) pair. */
export const pairKey = (s: Pick<Submission, 'caseId' | 'reader'>): string => `${s.caseId}\u0000${s.reader?.id ?? ''}`;

/**
 * "Latest per reader", in one pass over any order of submissions: `offer` every submission, then
 * `isLatest` says whether one is its pair's winner. Keeps one {@link LatestEntry} per pair.
 */
export class LatestSubmissions {
  private readonly best = new Map<string, LatestEntry>();

  offer(s: Submission): void {
    if (s.status !== 'submitted') return;
    const key = pairKey(s);
    const entry = { id: s.id, time: timeOf(s.submittedAt) };
    const current = this.best.get(key);
    if (!current || isNewerSubmission(entry, current)) this.best.set(key, entry);
  }

  isLatest(s: Submission): boolean {
    return s.status === 'submitted' && this.best.get(pairKey(s))?.id === s.id;
  }

  /** The number of winners per case id. */
  countsByCase(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const key of this.best.keys()) {
      const caseId = key.slice(0, key.indexOf('\u0000'));
      counts.set(caseId, (counts.get(caseId) ?? 0) + 1);
    }
    return counts;
  }

  get pairs(): number {
    return this.best.size;
  }
}

/** The submissions an option keeps, in their order (all / submitted = no drafts / latest per reader and case). */
export function selectSubmissions<S extends Submission>(submissions: readonly S[], option: SubmissionsOption): S[] {
  if (option !== 'latest') return submissions.filter((s) => passesStatus(s, option));
  const latest = new LatestSubmissions();
  for (const s of submissions) latest.offer(s);
  return submissions.filter((s) => latest.isLatest(s));
}

// ---------------------------------------------------------------------------------------------
// Whole tables (small inputs, tests; the exporter streams the same functions)
// ---------------------------------------------------------------------------------------------

export interface ResultsInput {
  workflow: Workflow;
  questions: readonly Question[];
  /** The cases in the platform's order. */
  cases: readonly Case[];
  submissions: readonly Submission[];
}

function records(input: ResultsInput) {
  const orders = orderNames(input.workflow);
  const keys = new MetaKeys();
  const byId = new Map<string, CaseRecord>();
  for (const c of input.cases) byId.set(c.id, caseRecord(c, orders, keys));
  const table: CsvTable = { workflowName: input.workflow.name, questions: input.questions, metaKeys: keys.keys };
  const recordOf = (caseId: string) => {
    let r = byId.get(caseId);
    if (!r) byId.set(caseId, (r = unknownCaseRecord(caseId)));
    return r;
  };
  return { table, recordOf };
}

/** Long layout, header first: one row per selected submission, in the platform's order. */
export function longRows(input: ResultsInput, option: SubmissionsOption): CsvValue[][] {
  const { table, recordOf } = records(input);
  const rows = selectSubmissions(input.submissions, option).map((s) => longRow(table, recordOf(s.caseId), s));
  return [csvColumns('long', table.questions, table.metaKeys), ...rows];
}

/**
 * Wide layout, header first: one row per case (cases in the platform's order, then any case that
 * only the submissions named), its selected submissions side by side in the platform's order.
 */
export function wideRows(input: ResultsInput, option: SubmissionsOption): CsvValue[][] {
  const { table, recordOf } = records(input);
  const byCase = new Map<string, CsvValue[][]>(input.cases.map((c) => [c.id, []]));
  for (const s of selectSubmissions(input.submissions, option)) {
    recordOf(s.caseId);
    let list = byCase.get(s.caseId);
    if (!list) byCase.set(s.caseId, (list = []));
    list.push(submissionCells(s, table.questions));
  }
  let groups = 0;
  for (const l of byCase.values()) groups = Math.max(groups, l.length);
  const rows = [...byCase].map(([caseId, subs]) => wideRow(table, recordOf(caseId), subs, groups));
  return [csvColumns('wide', table.questions, table.metaKeys, groups), ...rows];
}

/** The UTF-8 byte order mark, for spreadsheet apps that need it to read UTF-8. */
export const UTF8_BOM = '\uFEFF';

// ---------------------------------------------------------------------------------------------
// The dialog's options (remembered between exports)
// ---------------------------------------------------------------------------------------------

export interface CsvOptions {
  submissions: SubmissionsOption;
  layout: LayoutOption;
  bom: boolean;
}

export const DEFAULT_CSV_OPTIONS: CsvOptions = { submissions: 'all', layout: 'long', bom: false };

/** Options read back from storage: anything missing or unknown falls back to the default. */
export function csvOptionsFrom(raw: unknown): CsvOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    submissions: o.submissions === 'all' || o.submissions === 'submitted' || o.submissions === 'latest' ? o.submissions : DEFAULT_CSV_OPTIONS.submissions,
    layout: o.layout === 'long' || o.layout === 'wide' ? o.layout : DEFAULT_CSV_OPTIONS.layout,
    bom: typeof o.bom === 'boolean' ? o.bom : DEFAULT_CSV_OPTIONS.bom,
  };
}
