/**
 * Issue 14 in real Firefox ESR, results as CSV: the extension's "Export CSV" in Firefox, the file
 * that lands in the download folder read back with csv-parse (not papaparse, which wrote it) and
 * compared cell by cell with what the platform serves (tests/csvExpect.ts, written from the spec);
 * every cell quoted (checked by a scanner of its own, field by field), every cell a spreadsheet
 * would run guarded. (A session ending mid-export: session-pause.firefox.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { FIREFOX_PORT, ORIGIN, clickInExporter, dialogStatus } from './session';
import { filesIn, waitForNewFile, withFirefox, type Session } from './session';
import { expectedCsv, platformData } from '../csvExpect';
import { resultsCsvName } from '../../lib/naming';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { apiClient } = await import('../e2e/harness');

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

/** No cell a spreadsheet would run: a leading tab/CR/LF, or `=`, `+`, `-`, `@` after blanks. */
const RUNNABLE = /^[\t\r\n]|^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@＝＋－＠﹦﹢﹣﹫]/u;

/** Exports CSV with the dialog's defaults (All, One row per submission, no BOM). */
export async function startCsv(s: Session, workflowId: string) {
  await s.page.goto(`${ORIGIN}/develop/workflows/${workflowId}`);
  await clickInExporter(s.page, 'Export CSV');
  await clickInExporter(s.page, 'Download');
}

/** The downloaded CSV against the platform; returns its cells. */
export async function checkCsv(file: string, workflowId: string) {
  const data = await platformData(await apiClient(ORIGIN), workflowId, null);
  assert.ok(file.endsWith(`/${resultsCsvName(data.workflow, null)}`), `file name: ${file}`);
  const bytes = readFileSync(file);
  const rows = parse(bytes, { bom: true, relax_column_count: false }) as string[][];
  const want = expectedCsv(data, 'all', 'long');
  assert.equal(rows.length, want.length, 'rows');
  for (let r = 0; r < want.length; r++) assert.deepEqual(rows[r], want[r], `row ${r}`);
  // Every cell quoted, and the scanner reads the same cells as csv-parse.
  assert.deepEqual(quotedFields(bytes.toString('utf8')), rows);
  const cells = rows.flat();
  for (const c of cells) assert.doesNotMatch(c, RUNNABLE, 'no cell a spreadsheet would run');
  return { cells, rows, data };
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: CSV of workflow 1, every cell quoted and formula-guarded, read back equal to what the platform serves',
    fn: () =>
      withFirefox('csv', async (s) => {
        // The scanner does refuse a bare cell, and reads quoted ones.
        assert.throws(() => quotedFields('"a",b\r\n'), /unquoted field at offset 4/);
        assert.deepEqual(quotedFields('"a ""q""","x;=y"\r\n"",""'), [['a "q"', 'x;=y'], ['', '']]);
        const before = filesIn(s.downloads);
        await startCsv(s, '1');
        const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
        assert.match(status, /Saved/, `export status: ${status}`);
        const { cells, rows } = await checkCsv(await waitForNewFile(s.downloads, before), '1');
        // The hostile values went through, guarded or quoted: formulas (metadata `=1+1`, answers
        // `=SUM(…)`, `=HYPERLINK(…)`), a `;` (a `;`-separated Excel's separator) and commas,
        // quotes and line breaks inside cells.
        for (const guarded of ["'=1+1", "'=SUM(A1:A9)", `'=HYPERLINK("http://evil.example","click")`, "'\tleading tab", "'@reader please check"])
          assert.ok(cells.includes(guarded), `a cell ${JSON.stringify(guarded)}`);
        for (const [what, re] of [['a ;', /;/], ['a comma', /,/], ['a quote', /"/], ['a line break', /\n/]] as const)
          assert.ok(cells.some((c) => re.test(c)), `a cell with ${what}`);
        console.log(`  ${rows.length - 1} rows × ${rows[0].length} columns, every cell quoted and equal to the platform's`);
      }),
  },
];
