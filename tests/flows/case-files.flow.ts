/**
 * Case files (product spec 1), in both browsers: the dialog's default names and a template that
 * makes folders, each ZIP that lands on disk checked as a user would (unzip, sha256sum -c) and read
 * with yauzl, path and SHA-256 compared with what the platform serves.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { ROOT, apiClient, expectedArchive, readZip } from '../e2e/harness';
import type { Workflow } from '../../lib/platform';
import { by, type Driver, type Flow } from './driver';

const dialog = by('dialog', 'Export case files');
const templateBox = by('textbox', 'Folder path template', dialog);
const download = by('button', 'Download files', dialog);

async function openCaseFilesDialog(d: Driver) {
  await d.page.click(by('button', 'Export case files'));
  await d.page.expectState(dialog, { count: 1 });
}

export const flows: Flow[] = [
  {
    name: 'case files: default names, no order, no template',
    async run(d) {
      await d.page.goto('/develop/workflows/1');
      await d.page.expectState(by('button', 'Export CSV'), { enabled: true });
      const annotated = await d.page.expectState(by('button', 'Export annotated case files'), { enabled: false });
      assert.match(annotated.description ?? '', /Select a workflow order first/);
      if (d.browser === 'chromium') await d.page.screenshot(join(ROOT, 'docs/workflow-page.png'));

      await openCaseFilesDialog(d);
      await d.page.expectState(templateBox, { value: '' });
      await d.page.waitForText(by('region', 'Preview', dialog), '_1');
      const mark = await d.downloadMark();
      await d.page.click(download);
      const file = await d.nextDownload(mark, 120_000);

      const want = await expectedArchive('1', null, '');
      assert.equal(file, join(d.downloads, want.archiveName));
      await d.page.waitForText(by('status', undefined, dialog), 'Saved');
      const entries = await readZip(file);
      const got = new Map(entries.map((e) => [e.path, e.sha256]));
      assert.deepEqual(got, want.expected);
      // Default names: at the root, <external id padded to 12>_<workflow name>_<count><ext>.
      for (const c of want.cases) {
        const padded = (c.entityExternalId ?? c.externalId ?? c.shortId).padStart(12, '0');
        c.files.forEach((f, i) => {
          const ext = /\.[^./\\]+$/.exec(f.originalFilename)?.[0] ?? '';
          const plain = /^[\w.-]+$/.test(padded + ext);
          const hit = [...got.keys()].filter((p) => p.startsWith(`${padded}_`) && p.endsWith(`_${i + 1}${ext}`));
          if (plain) assert.ok(hit.length >= 1, `${padded} file ${i + 1}`);
        });
      }
      for (const path of got.keys()) assert.ok(!path.includes('/'), path);
      assert.equal(entries.length, want.cases.reduce((n, c) => n + c.files.length, 0));
      assert.deepEqual(readdirSync(d.downloads), [want.archiveName]);
    },
  },
  {
    name: 'case files: order selected and a template that makes folders',
    async run(d) {
      const api = await apiClient();
      const workflow = (await (await api.fetch('/api/v1/workflows/1')).json()) as Workflow;
      const orderId = workflow.orders[0].id;
      await d.page.goto('/develop/workflows/1');
      await d.page.cssSelect('select#workflow-order-select', orderId);

      await openCaseFilesDialog(d);
      // An invalid template is rejected inline, pointing at the part, and blocks the download.
      await d.page.fill(templateBox, '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL }}/');
      await d.page.waitForText(by('alert', undefined, dialog), 'Did you mean CASE_EXTERNAL_ID');
      assert.deepEqual(await d.page.uiTexts('dialog mark'), ['CASE_EXTERNAL']);
      await d.page.expectState(download, { enabled: false });
      // Chips insert variables at the cursor.
      await d.page.fill(templateBox, '{{ WORKFLOW_ORDER_NAME }}/');
      await d.page.press(templateBox, 'End');
      await d.page.click(by('button', 'CASE_EXTERNAL_ID', dialog));
      await d.page.expectState(templateBox, { value: '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}' });
      const template = '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/{{ FILE_COUNT }}-{{ ORIGINAL_FILENAME }}';
      await d.page.fill(templateBox, template);
      await d.page.expectState(download, { enabled: true });
      assert.ok((await d.page.uiTexts('dialog .we-folder')).length > 0, 'the preview shows folders');
      if (d.browser === 'chromium') await d.page.screenshot(join(ROOT, 'docs/case-files-dialog.png'));

      const mark = await d.downloadMark();
      await d.page.click(download);
      const file = await d.nextDownload(mark, 120_000);
      const want = await expectedArchive('1', orderId, template);
      assert.equal(file, join(d.downloads, want.archiveName));
      assert.ok(want.archiveName.includes(want.order!.name.slice(0, 3)), want.archiveName);
      const entries = await readZip(file);
      assert.deepEqual(new Map(entries.map((e) => [e.path, e.sha256])), want.expected);
      for (const e of entries) assert.equal(e.path.split('/').length, 3, e.path);
      assert.ok(want.cases.every((c) => c.orderId === orderId));
      assert.deepEqual(readdirSync(d.downloads), [want.archiveName]);
    },
  },
];
