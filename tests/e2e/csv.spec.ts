/**
 * Results as CSV, end to end in Chromium: the extension's "Export CSV" dialog, every submissions
 * option in both layouts, with and without an order. Each downloaded file is parsed with csv-parse
 * (not papaparse, which wrote it) and every cell is compared with what the platform's API serves,
 * through expectations written here from the spec, independently of lib/csvResults.ts.
 */
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { test, expect, ORIGIN, ROOT, exporterUi, waitForDownload, apiClient, readFileSync, type DownloadItem } from './harness';
import { expectedCsv, platformData as platformDataOf, type Layout, type Submissions } from '../csvExpect';
import { resultsCsvName } from '../../lib/naming';

type Page = import('@playwright/test').Page;
type Worker = import('@playwright/test').Worker;

const SUBMISSION_LABELS: Record<Submissions, string> = { all: 'All', submitted: 'Submitted only', latest: 'Latest per reader' };
const LAYOUT_LABELS: Record<Layout, string> = { long: 'One row per submission', wide: 'One row per case' };

/** What the platform serves, read with the harness's own signed-in client. */
const platformData = async (workflowId: string, orderId: string | null) => platformDataOf(await apiClient(), workflowId, orderId);

// ----- driving the dialog -------------------------------------------------------------------------

async function openCsvDialog(page: Page) {
  await exporterUi(page).getByRole('button', { name: 'Export CSV', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export CSV' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function choose(dialog: ReturnType<Page['getByRole']>, submissions: Submissions, layout: Layout, bom: boolean) {
  await dialog.getByRole('group', { name: 'Submissions' }).getByRole('radio', { name: SUBMISSION_LABELS[submissions], exact: true }).check();
  await dialog.getByRole('group', { name: 'Layout' }).getByRole('radio', { name: LAYOUT_LABELS[layout], exact: true }).check();
  await dialog.getByRole('checkbox', { name: 'Add UTF-8 BOM for Excel', exact: true }).setChecked(bom);
}

async function exportAndCheck(page: Page, sw: Worker, opts: { orderId: string | null; submissions: Submissions; layout: Layout; bom: boolean; after: number }) {
  const dialog = await openCsvDialog(page);
  await choose(dialog, opts.submissions, opts.layout, opts.bom);
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();
  const item: DownloadItem = await waitForDownload(sw, { after: opts.after });
  expect(item.state).toBe('complete');
  await expect(dialog.getByRole('status')).toContainText('Saved');

  const data = await platformData('1', opts.orderId);
  const order = opts.orderId ? data.workflow.orders.find((o) => o.id === opts.orderId)! : null;
  const name = resultsCsvName(data.workflow, order);
  // Repeated downloads of one name get " (1)", " (2)"… from Chromium.
  const base = basename(item.filename);
  const stem = name.slice(0, -'.csv'.length);
  expect(base === name || (base.startsWith(`${stem} (`) && base.endsWith(').csv')), base).toBe(true);
  const bytes = readFileSync(item.filename);
  expect([...bytes.subarray(0, 3)].join(',') === '239,187,191', 'BOM').toBe(opts.bom);
  const rows = parse(bytes, { bom: true, relax_column_count: false }) as string[][];
  expect(bytes.toString('utf8').replace(/^\uFEFF/, '').startsWith('"workflow name","order name","case id"'), 'every cell quoted').toBe(true);
  const want = expectedCsv(data, opts.submissions, opts.layout);
  expect(rows.length, `${opts.layout}/${opts.submissions} rows`).toBe(want.length);
  for (let r = 0; r < want.length; r++) expect(rows[r], `${opts.layout}/${opts.submissions}, order ${opts.orderId}, row ${r}`).toEqual(want[r]);
  // The awkward data went through: quotes, newlines, commas, formula escapes and Unicode.
  const cells = rows.flat();
  expect(cells.some((c) => c.includes('"'))).toBe(true);
  expect(cells.some((c) => c.includes(','))).toBe(true);
  expect(cells.some((c) => /^'[=+\-@\t\r\n]/.test(c))).toBe(true);
  expect(cells.some((c) => /[^\x00-\x7f]/.test(c))).toBe(true);
  if (!opts.orderId) expect(cells.some((c) => c.includes('\n'))).toBe(true);
  for (const c of cells) expect(c, 'no cell a spreadsheet would run').not.toMatch(/^[\t\r\n]|^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@]/u);
  if (opts.orderId) expect(data.cases.every((c) => c.orderId === opts.orderId)).toBe(true);

  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(dialog).toBeHidden();
  return item.id;
}

const OPTIONS: Submissions[] = ['all', 'submitted', 'latest'];

for (const layout of ['long', 'wide'] as Layout[])
  test(`${LAYOUT_LABELS[layout].toLowerCase()}: every submissions option, without and with an order`, async ({ page, sw }) => {
    await page.goto(`${ORIGIN}/develop/workflows/1`);
    let after = -1;
    for (const submissions of OPTIONS) after = await exportAndCheck(page, sw, { orderId: null, submissions, layout, bom: submissions === 'all' && layout === 'long', after });
    const select = page.locator('select#workflow-order-select');
    await select.selectOption('11');
    for (const submissions of OPTIONS) after = await exportAndCheck(page, sw, { orderId: '11', submissions, layout, bom: false, after });
  });

test('the dialog: names, remembered choices, screenshot, and the order it follows', async ({ page, sw }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  const ui = exporterUi(page);
  await expect(ui.getByRole('button', { name: 'Export CSV', exact: true })).toBeEnabled();
  await page.locator('select#workflow-order-select').selectOption('12');
  let dialog = await openCsvDialog(page);
  const radios = (group: string) => dialog.getByRole('group', { name: group }).getByRole('radio');
  await expect(radios('Submissions')).toHaveCount(3);
  await expect(radios('Layout')).toHaveCount(2);
  for (const label of Object.values(SUBMISSION_LABELS)) await expect(dialog.getByRole('radio', { name: label, exact: true })).toBeVisible();
  for (const label of Object.values(LAYOUT_LABELS)) await expect(dialog.getByRole('radio', { name: label, exact: true })).toBeVisible();
  // Defaults the first time.
  await expect(dialog.getByRole('radio', { name: 'All', exact: true })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'One row per submission', exact: true })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'Add UTF-8 BOM for Excel' })).not.toBeChecked();
  await expect(dialog).toContainText('Order <B>');

  await choose(dialog, 'latest', 'wide', true);
  await page.screenshot({ path: join(ROOT, 'docs/csv-dialog.png') });
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();
  const item = await waitForDownload(sw);
  expect(item.state).toBe('complete');
  await expect(dialog.getByRole('status')).toContainText('Saved');
  const data = await platformData('1', '12');
  expect(item.filename.endsWith(resultsCsvName(data.workflow, data.workflow.orders.find((o) => o.id === '12')!))).toBe(true);
  expect(parse(readFileSync(item.filename), { bom: true })).toEqual(expectedCsv(data, 'latest', 'wide'));

  // Remembered: after closing, and after a reload.
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  dialog = await openCsvDialog(page);
  await expect(dialog.getByRole('radio', { name: 'Latest per reader', exact: true })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'One row per case', exact: true })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'Add UTF-8 BOM for Excel' })).toBeChecked();
  await page.reload();
  dialog = await openCsvDialog(page);
  await expect(dialog.getByRole('radio', { name: 'Latest per reader', exact: true })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'One row per case', exact: true })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'Add UTF-8 BOM for Excel' })).toBeChecked();
  // The platform's own "Export CSV" button is still there, untouched.
  await expect(page.locator('.page-actions [data-platform-action="export-csv"]')).toHaveCount(1);
});
