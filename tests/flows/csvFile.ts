/**
 * Reading a CSV export as a second, independent reader: every field must be quoted (RFC 4180),
 * and no cell may be one a spreadsheet would run. (csv-parse, the first reader, is in the flows.)
 */

/**
 * The raw fields of a CSV, each required to be quoted (RFC 4180: `"…"`, `""` inside, then `,`,
 * CRLF or the end). Throws at the first field that is not.
 */
export function quotedFields(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') throw new Error(`unquoted field at offset ${i} (row ${rows.length + 1}): ${JSON.stringify(text.slice(i, i + 40))}`);
    let j = i + 1;
    let value = '';
    for (;;) {
      const q = text.indexOf('"', j);
      if (q < 0) throw new Error(`unterminated quoted field at offset ${i}`);
      value += text.slice(j, q);
      if (text[q + 1] === '"') {
        value += '"';
        j = q + 2;
      } else {
        j = q + 1;
        break;
      }
    }
    row.push(value);
    if (text[j] === ',') i = j + 1;
    else if (text.startsWith('\r\n', j) || j === text.length) {
      rows.push(row);
      row = [];
      i = j + 2;
    } else throw new Error(`after the field at offset ${i}: ${JSON.stringify(text.slice(j, j + 20))}, not a separator`);
  }
  return rows;
}

/** A cell a spreadsheet would run: a leading tab/CR/LF, or `=`, `+`, `-`, `@` (or full-width forms) after blanks. */
export const RUNNABLE = /^[\t\r\n]|^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@＝＋－＠﹦﹢﹣﹫]/u;

/** `name`, or the name a browser gives a repeated download of it: Chromium `x (1).csv`, Firefox `x(1).csv`. */
export function isNameOrRepeat(base: string, name: string): boolean {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  return base === name || (base.startsWith(stem) && new RegExp(`^ ?\\(\\d+\\)${ext.replace(/\./g, '\\.')}$`).test(base.slice(stem.length)));
}
