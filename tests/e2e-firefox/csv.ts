/** CSV helpers of the Firefox-only tests (session-pause): start an export with the defaults, check the file. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { FIREFOX_PORT, ORIGIN, clickInExporter, type Session } from './session';
import { expectedCsv, platformData } from '../csvExpect';
import { resultsCsvName } from '../../lib/naming';
import { RUNNABLE, quotedFields } from '../flows/csvFile';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { apiClient } = await import('../e2e/harness');

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
  assert.deepEqual(quotedFields(bytes.toString('utf8')), rows);
  const cells = rows.flat();
  for (const c of cells) assert.doesNotMatch(c, RUNNABLE, 'no cell a spreadsheet would run');
  return { cells, rows, data };
}
