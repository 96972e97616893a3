/**
 * Every CSV we write (product spec 1a "RFC 4180 … cells that a spreadsheet would run as a formula
 * are escaped"; 5 "every CSV cell that a spreadsheet could split or run is quoted or escaped, in
 * every CSV we write"): the results CSV, both `export-report.csv`s, and any later one. One cell
 * function, {@link csvCell}; one row function, {@link csvRecord}. Nothing else in the code quotes
 * CSV. Pure: no DOM, no Node APIs.
 *
 * Decided here, where the spec is silent:
 * - **Every cell is quoted** (`"…"`, an embedded `"` doubled), empty cells too (`""`). A spreadsheet
 *   that splits on `;` or a tab (German Excel uses `;`) then finds every separator of ours, and every
 *   `;`, tab, edge space and line break of a value, inside quotes. The cost is two bytes a cell.
 * - **Formula guard** ({@link escapeFormula}, OWASP "CSV injection"): a text cell that a spreadsheet
 *   could run gets a leading `'`. It runs when (on the raw value, not normalised):
 *   - it starts with tab, CR or LF ({@link LEADING_CONTROL_TRIGGERS}), or
 *   - its first character after any leading invisible run is `=`, `+`, `-` or `@`, or a character
 *     whose NFKC form is one (`＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫`). The invisible run is every Unicode White_Space
 *     character (U+00A0, U+1680, U+2000–U+200A, U+2028/9, U+202F, U+205F, U+3000, U+0085…), U+FEFF,
 *     and every control (Cc) and format (Cf: U+200B–U+200F, bidi marks…) character: a spreadsheet
 *     may trim any of them before it looks at the first character, so ` =cmd`, `\u00a0=cmd` and
 *     `\u3000=cmd` are guarded as `=cmd` is;
 *   - or it holds a NUL anywhere (some readers end a line or a cell there).
 *   Text only: numbers and booleans are values, never guarded (`-3` stays a number, spec 1a as
 *   decided in `lib/csvResults.ts`). A guarded cell reads back as `'` + the value.
 * - **NUL** (U+0000) becomes U+FFFD in every cell: Python's `csv` (before 3.11) refuses a line
 *   holding one, C readers cut the text there. It is the only character we change; a reader gets
 *   back exactly the value otherwise (minus the guard's `'`).
 * - Records end with CRLF (RFC 4180), the last one too.
 *
 * - **Split guard** ({@link guardSplits}): quotes alone do not stop a reader that splits on `;` (Excel
 *   in German and other `;` locales opening our `,` file) but honours a `"` only at the start of a
 *   field, as Excel and Python's `csv` do: after our first `","` it reads the rest of the line as
 *   unquoted text, so a `;` inside a later cell starts a new field there. Every place inside a text
 *   value where such a reader could start a field, after a `;`, a tab, CR or LF, is guarded like
 *   the start of a cell: when what follows (after any invisible run and `"`s) is a formula trigger,
 *   a `'` goes right after the separator (`x;=cmd` → `x;'=cmd`). This is the one change to a
 *   value's text beyond the leading `'` and NUL, and it is made only before a formula trigger.
 */

/** RFC 4180 line break, after every record. */
export const CSV_NEWLINE = '\r\n';

/** Characters that make a spreadsheet run a cell as a formula when they start its visible text. */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@'];
/** Characters that make a spreadsheet run (or mis-read) a cell when they are its very first one (OWASP: tab, CR; LF too). */
export const LEADING_CONTROL_TRIGGERS: readonly string[] = ['\t', '\r', '\n'];

/** The invisible run a spreadsheet may skip before the first character: White_Space, U+FEFF, controls (Cc), format characters (Cf). */
const LEADING_INVISIBLE = /^[\s\u0085\p{Cc}\p{Cf}\p{Z}]+/u;

/** Whether a spreadsheet could run `text` as a formula (the rules in this module's comment). */
export function runsAsFormula(text: string): boolean {
  if (text === '') return false;
  if (text.includes('\u0000')) return true;
  if (LEADING_CONTROL_TRIGGERS.includes(text[0])) return true;
  const visible = text.replace(LEADING_INVISIBLE, '');
  if (visible === '') return false;
  const first = String.fromCodePoint(visible.codePointAt(0)!);
  return FORMULA_TRIGGERS.includes(first) || FORMULA_TRIGGERS.includes(first.normalize('NFKC'));
}

/** `'` before a text that a spreadsheet could run as a formula (OWASP); any other text unchanged. */
export function escapeFormula(text: string): string {
  return runsAsFormula(text) ? `'${text}` : text;
}

/** A separator a `;`-splitting reader may see inside a value, then what could make the field after it a formula. */
const SPLIT_BEFORE_FORMULA = /([;\t\r\n])(?=[\s\u0085\p{Cc}\p{Cf}\p{Z}"]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B])/gu;

/** `'` after every `;`, tab, CR or LF inside `text` that a formula trigger follows (the split guard above). */
export function guardSplits(text: string): string {
  return text.replace(SPLIT_BEFORE_FORMULA, "$1'");
}

/** What one cell holds: text (guarded), or a number or boolean (written as is); null/undefined is an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * The text a reader gets back for `value`: null/undefined → '', a finite number as JavaScript
 * writes it (`-3`, `12.5`, `1e+21`; NaN and ±Infinity → ''), booleans `true`/`false`, text with the
 * formula and split guards and every NUL replaced by U+FFFD.
 */
export function csvCellText(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return escapeFormula(guardSplits(String(value))).replace(/\u0000/g, '\uFFFD');
}

/**
 * Text that every rule above leaves as it is (performance only: the rules do not change). Its first
 * character is printable ASCII and neither a trigger nor `"`, so nothing is skipped before it and
 * no formula can start there; no `;`, tab, CR or LF (no split guard), no `"` (nothing doubled), no
 * NUL. Most cells (ids, names, numbers as text, dates) are such text: they skip the regexes.
 * A property test holds {@link csvCell} to the full rules for every text.
 */
const PLAIN_CELL = /^[!#-*,./0-9:<>?A-Z[\\\]^_`a-z{|}~][^";\t\r\n\u0000]*$/;

/** One cell as written: {@link csvCellText} in double quotes, embedded `"` doubled. */
export function csvCell(value: CsvValue): string {
  if (typeof value === 'string' && PLAIN_CELL.test(value)) return `"${value}"`;
  return `"${csvCellText(value).replace(/"/g, '""')}"`;
}

/** One record: every cell through {@link csvCell}, comma-separated, ending in CRLF. */
export function csvRecord(cells: readonly CsvValue[]): string {
  let out = cells.length ? csvCell(cells[0]) : '';
  for (let i = 1; i < cells.length; i++) out += ',' + csvCell(cells[i]);
  return out + CSV_NEWLINE;
}

/** Several records, one after the other (a page of rows, a whole small file). */
export function csvRecords(rows: Iterable<readonly CsvValue[]>): string {
  let out = '';
  for (const row of rows) out += csvRecord(row);
  return out;
}
