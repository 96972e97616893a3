/**
 * The table shortcuts of the renderer (lib/markdownRender.ts), performance only: what they give is
 * byte for byte what marked gives without them (tests/unit/markdownRenderFast.test.ts renders every
 * table both ways). Most outputs' tables are numbers, and a 20 KB output of them spent most of its
 * time in marked's table rule (one regular expression over every row, each row split again) and in
 * its inline lexer.
 */
import { Tokenizer, type Token, type Tokens } from 'marked';

/**
 * Rule "plain table cells": a cell of letters, digits, spaces and `.,:%+-` alone, without `www.`,
 * is one plain text to marked's inline lexer (no emphasis, code, link, autolink, e-mail, escape or
 * break can start in it), so it becomes that one text token directly; the renderer escapes it as
 * any text.
 */
const PLAIN_CELL = /^[A-Za-z0-9 .,:%+-]*$/;
export const isPlainCell = (text: string): boolean => PLAIN_CELL.test(text) && !/www\./i.test(text);

/**
 * Rule "plain table rows": inside a table, a line that starts with `|` and holds only pipes and the
 * characters of plain cells (no `\`, so every pipe divides two cells) is a row to marked whatever
 * surrounds it (no other block starts with `|`), its cells plain. It is split here, as marked's
 * `splitCells` would, and never goes through marked's table rule.
 */
const PLAIN_ROW = /^\|[A-Za-z0-9 .,:%+|-]*$/;
export const isPlainRow = (line: string): boolean => PLAIN_ROW.test(line) && !/www\./i.test(line);

/** A row read by {@link plainRowsTable}: its line, not split until it is written (no cell tokens). */
export type PlainRow = Tokens.TableCell[] & { plainLine: string };
export const plainLineOf = (row: Tokens.TableCell[]): string | undefined => (row as Partial<PlainRow>).plainLine;

/**
 * A plain row as HTML: `<tr>`, its cells as marked's `splitCells` makes them (the empty text before
 * the first pipe and a blank one after the last are no cells; cut or padded to the header's
 * `cellTags.length`, each trimmed), each after its opening tag, then `</tr>` and a line end. The
 * cells' characters (see {@link isPlainRow}) hold nothing to escape.
 */
export function plainRowHtml(line: string, cellTags: readonly string[]): string {
  let html = '<tr>';
  let i = 0;
  for (let start = 1; i < cellTags.length; ) {
    const bar = line.indexOf('|', start);
    const end = bar < 0 ? line.length : bar;
    let a = start;
    let b = end;
    while (a < b && line.charCodeAt(a) === 32) a++;
    while (b > a && line.charCodeAt(b - 1) === 32) b--;
    if (bar < 0 && a === b) break;
    html += `${cellTags[i++]}${line.slice(a, b)}</td>`;
    if (bar < 0) break;
    start = bar + 1;
  }
  for (; i < cellTags.length; i++) html += `${cellTags[i]}</td>`;
  return `${html}</tr>\n`;
}

/** marked's table tokenizer, plain cells as one text token each (see {@link isPlainCell}). */
function plainCellsTable(tokenizer: Tokenizer, src: string): Tokens.Table | undefined {
  const lexer = tokenizer.lexer;
  const inline = lexer.inline;
  lexer.inline = (text: string, tokens?: Token[]) =>
    isPlainCell(text) ? (text ? [{ type: 'text', raw: text, text, escaped: false }] : []) : inline.call(lexer, text, tokens);
  try {
    return Tokenizer.prototype.table.call(tokenizer, src);
  } finally {
    lexer.inline = inline;
  }
}

/** Where the line starting at `pos` ends (its `\n`, or the end of the text). */
const lineEnd = (src: string, pos: number) => {
  const nl = src.indexOf('\n', pos);
  return nl < 0 ? src.length : nl;
};

/**
 * The table tokenizer with both shortcuts: marked reads the header and delimiter rows (and decides
 * whether this is a table at all); then plain rows are split here, and each stretch of other lines
 * goes to marked after the same header and delimiter, which says how many of them are rows (a
 * line's being a row depends on that line alone). The table ends where marked's rows end.
 */
export function plainRowsTable(this: Tokenizer, src: string): Tokens.Table | false {
  const first = src.indexOf('\n');
  const second = first < 0 ? -1 : src.indexOf('\n', first + 1);
  if (second < 0) return plainCellsTable(this, src) ?? false;
  const head = src.slice(0, second + 1);
  const table = plainCellsTable(this, head);
  if (!table) return false;
  let end = second;
  let pos = second + 1;
  while (pos < src.length) {
    let stop = lineEnd(src, pos);
    if (isPlainRow(src.slice(pos, stop))) {
      table.rows.push(Object.assign([], { plainLine: src.slice(pos, stop) }));
      end = stop;
      pos = stop + 1;
      continue;
    }
    // Other lines, up to the next plain row: marked says how many are rows.
    let lines = 1;
    while (stop < src.length) {
      const next = lineEnd(src, stop + 1);
      if (isPlainRow(src.slice(stop + 1, next))) break;
      stop = next;
      lines++;
    }
    const rows = plainCellsTable(this, head + src.slice(pos, stop))?.rows ?? [];
    table.rows.push(...rows);
    for (let i = 0; i < rows.length; i++) {
      end = lineEnd(src, pos);
      pos = end + 1;
    }
    if (rows.length < lines) break;
  }
  table.raw = src.slice(0, end);
  return table;
}
