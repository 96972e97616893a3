/**
 * Results as CSV (product spec 1a), in both browsers: the extension's "Export CSV" dialog, every
 * submissions option in both layouts, with and without an order. Each downloaded file is parsed with
 * csv-parse (not papaparse, which wrote it) and by a scanner of its own that requires every field
 * quoted, and every cell is compared with what the platform's API serves, through expectations
 * written from the spec (tests/csvExpect.ts), independently of lib/csvResults.ts.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ROOT, apiClient } from '../e2e/harness';
import { expectedCsv, platformData as platformDataOf, type Layout, type Submissions } from '../csvExpect';
import { resultsCsvName } from '../../lib/naming';
import { by, type Driver, type Flow } from './driver';
import { RUNNABLE, isNameOrRepeat, quotedFields } from './csvFile';

const SUBMISSION_LABELS: Record<Submissions, string> = { all: 'All', submitted: 'Submitted only', latest: 'Latest per reader' };
const LAYOUT_LABELS: Record<Layout, string> = { long: 'One row per submission', wide: 'One row per case' };
const OPTIONS: Submissions[] = ['all', 'submitted', 'latest'];

const dialog = by('dialog', 'Export CSV');
const radio = (group: 'Submissions' | 'Layout', label: string) => by('radio', label, by('group', group, dialog));
const bomBox = by('checkbox', 'Add UTF-8 BOM for Excel', dialog);

/** What the platform serves, read with the harness's own signed-in client. */
const platformData = async (workflowId: string, orderId: string | null) => platformDataOf(await apiClient(), workflowId, orderId);

async function openCsvDialog(d: Driver) {
  await d.page.click(by('button', 'Export CSV'));
  await d.page.expectState(dialog, { count: 1 });
}

async function choose(d: Driver, submissions: Submissions, layout: Layout, bom: boolean) {
  await d.page.setChecked(radio('Submissions', SUBMISSION_LABELS[submissions]));
  await d.page.setChecked(radio('Layout', LAYOUT_LABELS[layout]));
  await d.page.setChecked(bomBox, bom);
}

async function closeDialog(d: Driver) {
  await d.page.click(by('button', 'Close', dialog, -1));
  await d.page.expectState(dialog, { count: 0 });
}

async function exportAndCheck(d: Driver, opts: { orderId: string | null; submissions: Submissions; layout: Layout; bom: boolean }) {
  await openCsvDialog(d);
  await choose(d, opts.submissions, opts.layout, opts.bom);
  const mark = await d.downloadMark();
  await d.page.click(by('button', 'Download', dialog));
  const file = await d.nextDownload(mark);
  await d.page.waitForText(by('status', undefined, dialog), 'Saved');

  const what = `${opts.layout}/${opts.submissions}, order ${opts.orderId}`;
  const data = await platformData('1', opts.orderId);
  const order = opts.orderId ? data.workflow.orders.find((o) => o.id === opts.orderId)! : null;
  assert.ok(isNameOrRepeat(basename(file), resultsCsvName(data.workflow, order)), `${what}: file name ${basename(file)}`);
  const bytes = readFileSync(file);
  assert.equal([...bytes.subarray(0, 3)].join(',') === '239,187,191', opts.bom, `${what}: BOM`);
  const rows = parse(bytes, { bom: true, relax_column_count: false }) as string[][];
  // Every cell quoted, and the scanner reads the same cells as csv-parse.
  assert.deepEqual(quotedFields(bytes.toString('utf8').replace(/^\uFEFF/, '')), rows, `${what}: every cell quoted`);
  const want = expectedCsv(data, opts.submissions, opts.layout);
  assert.equal(rows.length, want.length, `${what}: rows`);
  for (let r = 0; r < want.length; r++) assert.deepEqual(rows[r], want[r], `${what}, row ${r}`);
  // The awkward data went through: quotes, newlines, commas, formula escapes and Unicode.
  const cells = rows.flat();
  assert.ok(cells.some((c) => c.includes('"')), 'a cell with a quote');
  assert.ok(cells.some((c) => c.includes(',')), 'a cell with a comma');
  assert.ok(cells.some((c) => /^'[=+\-@\t\r\n]/.test(c)), 'a guarded cell');
  assert.ok(cells.some((c) => /[^\x00-\x7f]/.test(c)), 'a cell beyond ASCII');
  if (!opts.orderId) {
    assert.ok(cells.some((c) => c.includes('\n')), 'a cell with a line break');
    // The hostile values went through, guarded: formulas (metadata `=1+1`, answers `=SUM(…)`,
    // `=HYPERLINK(…)`), a leading tab, a leading `@`; and a `;` (a `;`-separated Excel's separator).
    if (opts.submissions === 'all')
      for (const guarded of ["'=1+1", "'=SUM(A1:A9)", `'=HYPERLINK("http://evil.example","click")`, "'\tleading tab", "'@reader please check"])
        assert.ok(cells.includes(guarded), `${what}: a cell ${JSON.stringify(guarded)}`);
    assert.ok(cells.some((c) => c.includes(';')), 'a cell with a ;');
  }
  for (const c of cells) assert.doesNotMatch(c, RUNNABLE, `${what}: no cell a spreadsheet would run`);
  if (opts.orderId) assert.ok(data.cases.every((c) => c.orderId === opts.orderId));
  await closeDialog(d);
}

export const flows: Flow[] = [
  ...(['long', 'wide'] as Layout[]).map(
    (layout): Flow => ({
      name: `csv: ${LAYOUT_LABELS[layout].toLowerCase()}: every submissions option, without and with an order`,
      async run(d) {
        await d.page.goto('/develop/workflows/1');
        for (const submissions of OPTIONS) await exportAndCheck(d, { orderId: null, submissions, layout, bom: submissions === 'all' && layout === 'long' });
        await d.page.cssSelect('select#workflow-order-select', '11');
        for (const submissions of OPTIONS) await exportAndCheck(d, { orderId: '11', submissions, layout, bom: false });
      },
    }),
  ),
  {
    name: 'csv: the dialog: names, remembered choices, screenshot, and the order it follows',
    async run(d) {
      await d.page.goto('/develop/workflows/1');
      await d.page.expectState(by('button', 'Export CSV'), { enabled: true });
      await d.page.cssSelect('select#workflow-order-select', '12');
      await openCsvDialog(d);
      await d.page.expectState(by('radio', undefined, by('group', 'Submissions', dialog)), { count: 3 });
      await d.page.expectState(by('radio', undefined, by('group', 'Layout', dialog)), { count: 2 });
      for (const label of Object.values(SUBMISSION_LABELS)) await d.page.expectState(radio('Submissions', label), { count: 1 });
      for (const label of Object.values(LAYOUT_LABELS)) await d.page.expectState(radio('Layout', label), { count: 1 });
      // Defaults the first time.
      const defaults = async () => {
        await d.page.expectState(radio('Submissions', 'All'), { checked: true });
        await d.page.expectState(radio('Layout', 'One row per submission'), { checked: true });
        await d.page.expectState(bomBox, { checked: false });
      };
      await defaults();
      await d.page.waitForText(dialog, 'Order <B>');

      await choose(d, 'latest', 'wide', true);
      if (d.browser === 'chromium') await d.page.screenshot(join(ROOT, 'docs/csv-dialog.png'));
      const mark = await d.downloadMark();
      await d.page.click(by('button', 'Download', dialog));
      const file = await d.nextDownload(mark);
      await d.page.waitForText(by('status', undefined, dialog), 'Saved');
      const data = await platformData('1', '12');
      assert.equal(basename(file), resultsCsvName(data.workflow, data.workflow.orders.find((o) => o.id === '12')!));
      assert.deepEqual(parse(readFileSync(file), { bom: true }), expectedCsv(data, 'latest', 'wide'));

      // Remembered: after closing, and after a reload.
      const remembered = async () => {
        await d.page.expectState(radio('Submissions', 'Latest per reader'), { checked: true });
        await d.page.expectState(radio('Layout', 'One row per case'), { checked: true });
        await d.page.expectState(bomBox, { checked: true });
      };
      await closeDialog(d);
      await openCsvDialog(d);
      await remembered();
      await d.page.reload();
      await openCsvDialog(d);
      await remembered();
      // The platform's own "Export CSV" button is still there, untouched.
      assert.equal(await d.page.cssCount('.page-actions [data-platform-action="export-csv"]'), 1);
    },
  },
];
