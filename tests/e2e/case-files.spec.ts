import { join } from 'node:path';
import { test, expect, ORIGIN, exporterUi, readZip, waitForDownload, filesIn, ROOT, expectedArchive } from './harness';

async function openCaseFilesDialog(page: Page) {
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await expect(dialog).toBeVisible();
  return dialog;
}
type Page = import('@playwright/test').Page;

test('default names: no order, no template', async ({ page, sw, profile }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  const ui = exporterUi(page);
  await expect(ui.getByRole('button', { name: 'Export CSV', exact: true })).toBeEnabled();
  await expect(ui.getByRole('button', { name: 'Export annotated case files', exact: true })).toBeDisabled();
  await expect(ui.getByRole('button', { name: 'Export annotated case files', exact: true })).toHaveAccessibleDescription(/Select a workflow order first/);
  await page.screenshot({ path: join(ROOT, 'docs/workflow-page.png') });

  const dialog = await openCaseFilesDialog(page);
  await expect(dialog.getByRole('textbox', { name: 'Folder path template' })).toHaveValue('');
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText('_1');
  await dialog.getByRole('button', { name: 'Download files' }).click();
  const item = await waitForDownload(sw);
  expect(item.state).toBe('complete');

  const want = await expectedArchive('1', null, '');
  expect(item.filename).toBe(join(profile.downloads, want.archiveName));
  await expect(dialog.getByRole('status')).toContainText('Saved');
  const entries = await readZip(item.filename);
  const got = new Map(entries.map((e) => [e.path, e.sha256]));
  expect(got).toEqual(want.expected);
  // Default names: at the root, <external id padded to 12>_<workflow name>_<count><ext>.
  for (const c of want.cases) {
    const padded = (c.entityExternalId ?? c.externalId ?? c.shortId).padStart(12, '0');
    c.files.forEach((f, i) => {
      const ext = /\.[^./\\]+$/.exec(f.originalFilename)?.[0] ?? '';
      const plain = /^[\w.-]+$/.test(padded + ext);
      const hit = [...got.keys()].filter((p) => p.startsWith(`${padded}_`) && p.endsWith(`_${i + 1}${ext}`));
      if (plain) expect(hit.length, `${padded} file ${i + 1}`).toBeGreaterThanOrEqual(1);
    });
  }
  for (const path of got.keys()) expect(path).not.toContain('/');
  expect(want.cases.reduce((n, c) => n + c.files.length, 0)).toBe(entries.length);
});

test('order selected and a template that makes folders', async ({ page, sw, profile }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  const select = page.locator('select#workflow-order-select');
  const orderId = await select.locator('option').nth(1).getAttribute('value');
  await select.selectOption(orderId!);

  const dialog = await openCaseFilesDialog(page);
  const input = dialog.getByRole('textbox', { name: 'Folder path template' });
  // An invalid template is rejected inline, pointing at the part, and blocks the download.
  await input.fill('{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL }}/');
  await expect(dialog.getByRole('alert')).toContainText('Did you mean CASE_EXTERNAL_ID');
  await expect(dialog.locator('mark')).toHaveText('CASE_EXTERNAL');
  await expect(dialog.getByRole('button', { name: 'Download files' })).toBeDisabled();
  // Chips insert variables at the cursor.
  await input.fill('{{ WORKFLOW_ORDER_NAME }}/');
  await input.press('End');
  await dialog.getByRole('button', { name: 'CASE_EXTERNAL_ID', exact: true }).click();
  await expect(input).toHaveValue('{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}');
  const template = '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/{{ FILE_COUNT }}-{{ ORIGINAL_FILENAME }}';
  await input.fill(template);
  await expect(dialog.getByRole('region', { name: 'Preview' }).locator('.we-folder').first()).toBeVisible();
  await page.screenshot({ path: join(ROOT, 'docs/case-files-dialog.png') });

  await dialog.getByRole('button', { name: 'Download files' }).click();
  const item = await waitForDownload(sw);
  expect(item.state).toBe('complete');
  const want = await expectedArchive('1', orderId, template);
  expect(item.filename).toBe(join(profile.downloads, want.archiveName));
  expect(want.archiveName).toContain(want.order!.name.slice(0, 3));
  const entries = await readZip(item.filename);
  expect(new Map(entries.map((e) => [e.path, e.sha256]))).toEqual(want.expected);
  for (const e of entries) expect(e.path.split('/').length).toBe(3);
  expect(want.cases.every((c) => c.orderId === orderId)).toBe(true);
  expect(filesIn(profile.downloads)).toEqual([want.archiveName]);
});
