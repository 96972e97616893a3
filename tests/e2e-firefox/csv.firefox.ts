/**
 * Issue 14 in real Firefox ESR, results as CSV: the extension's "Export CSV" in Firefox, the file
 * that lands in the download folder read back with csv-parse (not papaparse, which wrote it) and
 * compared cell by cell with what the platform serves (tests/csvExpect.ts, written from the spec);
 * every cell quoted (checked by a scanner of its own, field by field), every cell a spreadsheet
 * would run guarded. And a session that ends mid-export pauses the CSV export ("Sign in again to
 * continue") until the user signs in again in another tab; then it completes, nothing lost.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { FIREFOX_PORT, ORIGIN, clickInExporter, dialogStatus, signIn } from './case-files.firefox';
import { filesIn, until, waitForNewFile, withFirefox, type Session } from './session';
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
async function startCsv(s: Session, workflowId: string) {
  await s.page.goto(`${ORIGIN}/develop/workflows/${workflowId}`);
  await clickInExporter(s.page, 'Export CSV');
  await clickInExporter(s.page, 'Download');
}

/** The downloaded CSV against the platform; returns its cells. */
async function checkCsv(file: string, workflowId: string) {
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
  {
    name: 'Firefox ESR: a session that ends mid-export pauses the CSV export, which completes after signing in again',
    fn: () =>
      withFirefox('csv-session', async (s) => {
        // 2,000 submissions of the scale workflow in pages of 500, each answer a second late.
        s.site.setConfig({ scaleCases: 500, scaleSubmissionsPerCase: 4, latencyMs: 1000 });
        const before = filesIn(s.downloads);
        s.site.resetStats();
        await startCsv(s, '3');
        const started = () => Object.entries(s.site.stats().requestsByPath).some(([k, n]) => k.includes('/submissions') && n > 0);
        await until('the first page of submissions asked for', started);
        s.site.expireSessions();
        const notice = await dialogStatus(s.page, /Sign in again to continue|Saved|failed/, 60_000);
        assert.match(notice, /Sign in again to continue/);
        const link = await s.page.evaluate(() =>
          document.querySelector('workflow-exporter')?.shadowRoot?.querySelector('[role=alert] a')?.getAttribute('href'),
        );
        assert.equal(link, `${ORIGIN}/login`);
        assert.deepEqual(filesIn(s.downloads), before, 'nothing saved while paused');
        // Signing in again in another tab: the export goes on by itself.
        s.site.setConfig({ latencyMs: 0 });
        await signIn(await s.browser.newPage());
        const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
        assert.match(status, /Saved/, `export status: ${status}`);
        const { rows } = await checkCsv(await waitForNewFile(s.downloads, before), '3');
        assert.equal(rows.length - 1, 2000, 'every submission');
        assert.ok(s.site.stats().unauthenticated > 0, 'the platform did answer 401');
        console.log(`  paused at "Sign in again to continue", then ${rows.length - 1} rows, equal to the platform's`);
      }),
  },
];
