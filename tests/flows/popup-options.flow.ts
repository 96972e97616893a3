/**
 * The popup and the options page (product spec 3, issue 5), in both browsers: the popup opened as
 * its extension page, its quick export of the last execution (checked against the platform's API),
 * the defaults and the history of the options page; favourites added, renamed, deleted, imported
 * in the options page that the case-files dialog lists and that survive a browser restart on the
 * same profile. (Origins added at runtime: origins.flow.ts.)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, apiClient, expectedArchive, readZip } from '../e2e/harness';
import type { Execution, ExecutionSummary } from '../../lib/platform';
import { planExecutionExport } from '../../lib/executionDocs';
import { executionArchiveFileName } from '../../lib/naming';
import { by, type Driver, type Flow, type Surface } from './driver';
import { eventually } from './wait';

const T_ORDER = '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/';
const T_FLAT = '{{ CASE_SHORT_ID }}_{{ FILE_COUNT }}{{ FILE_EXT }}';

const caseDialog = by('dialog', 'Export case files');
const templateBox = by('textbox', 'Folder path template', caseDialog);

async function openCaseFilesDialog(d: Driver) {
  await d.page.goto('/develop/workflows/1');
  await d.page.click(by('button', 'Export case files'));
  await d.page.expectState(caseDialog, { count: 1 });
}

const favs = by('region', 'Favourite templates');
const favTable = by('table', 'Favourite templates', favs);
/** The favourites' table rows (its header row is not one). */
const favRows = async (s: Surface) => (await s.uiTexts('table[aria-label="Favourite templates"] tbody tr')).length;

export const flows: Flow[] = [
  {
    name: 'popup: last execution, quick export in the default format, recent exports, history, sign-in notice',
    async run(d) {
      const api = await apiClient();
      // The newest execution starts out running, until the flow finishes it (not by a timer: a loaded machine
      // would see it finish before the popup first looks).
      d.site.setConfig({ runningExecutionSec: 0 });
      await fetch(`${d.origin}/__admin/executions/1006/run`, { method: 'POST' });
      const newest = ((await (await api.fetch('/api/v1/executions?limit=1')).json()) as { items: ExecutionSummary[] }).items[0];

      const popup = await d.openPopup();
      const last = by('region', 'Last execution');
      await popup.expectState(by('heading', 'Last execution', last), { count: 1 });
      await eventually(async () => assert.deepEqual(await popup.uiTexts('.we-workflow'), [newest.workflowName!]));
      await popup.waitForText(last, newest.status);
      await eventually(async () => assert.equal(await popup.cssAttribute('time', 'datetime'), newest.startedAt));
      // The newest execution of the reference platform is still running: nothing to export yet.
      assert.equal(newest.status, 'running');
      await popup.expectState(by('button', 'Export', last), { enabled: false });
      await popup.waitForText(last, 'once it has finished');

      // It finishes; the popup sees it (it looks again while the execution runs).
      await fetch(`${d.origin}/__admin/executions/${newest.id}/finish`, { method: 'POST' });
      await popup.waitForText(last, 'success', 20_000);
      await popup.expectState(by('button', 'Export', last), { enabled: true });
      await popup.waitForText(last, 'Markdown, as set in the options');

      // One click; the popup is closed and the export goes on in the background.
      const mark = await d.downloadMark();
      await popup.click(by('button', 'Export', last));
      await popup.expectState(by('listitem', 'Execution export'), { count: 1 });
      await popup.close();
      const file = await d.nextDownload(mark, 60_000);

      const execution = (await (await api.fetch(`/api/v1/executions/${newest.id}`)).json()) as Execution;
      const plan = planExecutionExport(execution, { format: 'markdown', combine: false });
      assert.equal(file, join(d.downloads, executionArchiveFileName(execution.workflow.name, execution.startedAt, execution.id)));
      const entries = await readZip(file);
      assert.deepEqual(
        entries.map((e) => e.path),
        plan.steps.map((p) => p.path),
      );
      for (const [i, step] of execution.steps.entries()) {
        const output = await (await api.fetch(`/api/v1/executions/${execution.id}/steps/${step.id}/output`)).text();
        const text = entries[i].bytes.toString('utf8');
        assert.ok(text.includes(`- **Status:** ${step.status}\n`), `${entries[i].path}: status`);
        assert.ok(text.includes(output), `${entries[i].path}: output`);
      }

      // The default format comes from the options: HTML, combined.
      const options = await d.openOptions();
      const format = by('group', 'Executions: format');
      await options.setChecked(by('radio', 'HTML', format));
      await options.waitForText(by('status', undefined, by('region', 'Export defaults')), 'Saved.');
      await options.setChecked(by('checkbox', 'Combine results into a single file', format));
      await options.expectState(by('checkbox', 'Combine results into a single file', format), { checked: true });
      await options.close();
      const popup2 = await d.openPopup();
      await popup2.waitForText(last, 'HTML, combined, as set in the options');
      const mark2 = await d.downloadMark();
      await popup2.click(by('button', 'Export', last));
      const file2 = await d.nextDownload(mark2, 60_000);
      const combined = planExecutionExport(execution, { format: 'html', combine: true });
      const entries2 = await readZip(file2);
      assert.deepEqual(
        entries2.map((e) => e.path),
        [combined.combinedPath],
      );
      assert.match(combined.combinedPath!, /\.html$/);
      for (const s of execution.steps) assert.ok(entries2[0].bytes.toString('utf8').includes(`<tr><th scope="row">Iteration</th><td>${s.iteration}</td></tr>`));

      // Recent exports: result (files, size, failures) and "Show in folder".
      const jobs = by('listitem', 'Execution export');
      await popup2.expectState(jobs, { count: 2 });
      await popup2.waitForText(by('listitem', 'Execution export', undefined, 0), 'Saved', 20_000);
      await popup2.waitForText(by('listitem', 'Execution export', undefined, 0), 'no failures');
      await popup2.waitForText(by('listitem', 'Execution export', undefined, 1), `${execution.steps.length} files`);
      const show = by('button', 'Show in folder', by('listitem', 'Execution export', undefined, 0));
      await popup2.expectState(show, { count: 1, enabled: true });
      // (Firefox would open a file manager on the test machine: the button is only checked there.)
      if (d.browser === 'chromium') {
        await popup2.click(show);
        await popup2.screenshot(join(ROOT, 'docs/popup.png'), { selector: 'main' });
      }

      // Both exports are in the history (IndexedDB), shown on the options page.
      const options2 = await d.openOptions();
      const history = by('table', 'Export history');
      await options2.expectState(by('row', undefined, history), { count: 3 });
      await options2.waitForText(history, 'Execution');
      await options2.close();
      assert.equal((await d.storedJobs()).filter((j) => j.request.kind === 'execution').length, 2);

      // Signed out: the popup says so and links to the sign-in page.
      await fetch(`${d.origin}/__admin/expire-sessions`, { method: 'POST' });
      await popup2.reload();
      await popup2.expectState(by('alert'), { text: `You are not signed in to ${d.origin}. Sign in` });
      await popup2.expectState(by('link', 'Sign in'), { count: 1 });
      assert.equal((await popup2.state(by('link', 'Sign in'))).attributes?.href, `${d.origin}/login`);
    },
  },
  {
    name: 'favourites: added in the options, imported, listed and preselected in the case-files dialog, kept across a browser restart',
    async run(d) {
      const options = await d.openOptions();
      const name = by('textbox', 'Name', favs);
      const template = by('textbox', 'Template', favs);
      const add = by('button', 'Add favourite', favs);
      const preview = by('region', 'Preview', favs);
      // Validated by the template engine, with a preview.
      await options.fill(name, 'By order');
      await options.fill(template, '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL }}/');
      await options.waitForText(by('alert', undefined, favs), 'CASE_EXTERNAL_ID');
      await options.expectState(add, { enabled: false });
      await options.fill(template, T_ORDER);
      await options.waitForText(preview, 'Batch 2/');
      await options.waitForText(preview, '0000PAT-7731_Chest X-ray study-Batch 2_1.jpg');
      await options.click(add);
      await options.expectState(by('row', /By order/, favs), { count: 1 });
      await options.fill(name, 'Flat');
      await options.fill(template, T_FLAT);
      await options.click(add);
      await options.expectState(by('row', /Flat/, favs), { count: 1 });
      await options.fill(name, 'Temporary');
      await options.fill(template, '{{ FILE_UUID }}{{ FILE_EXT }}');
      await options.click(add);
      await options.expectState(by('row', /Temporary/, favs), { count: 1 });
      // Duplicate names are refused.
      await options.fill(name, 'flat');
      await options.fill(template, '{{ CASE_ID }}/');
      await options.click(add);
      await options.waitForText(by('alert', undefined, favs), 'already exists');
      // Rename, delete, default.
      await options.click(by('button', 'Rename Temporary', favs));
      await options.fill(by('textbox', 'New name for Temporary', favs), 'By file id');
      await options.click(by('button', 'Save', favs));
      await options.expectState(by('row', /By file id/, favs), { count: 1 });
      await options.click(by('button', 'Delete By file id', favs));
      await options.expectState(by('row', /By file id/, favs), { count: 0 });
      await options.setChecked(by('radio', 'Default: Flat', favs));
      const defaultTemplate = await options.expectState(by('radio', 'Default: Flat', favs), { checked: true });
      assert.ok(defaultTemplate);
      await options.expectState(by('combobox', 'Default template'), { count: 1 });
      await eventually(async () => assert.ok((await options.state(by('combobox', 'Default template'))).value, 'a default template is selected'));
      // Parallel downloads: 1 to 16.
      const parallel = by('spinbutton', 'Parallel downloads');
      await options.fill(parallel, '17');
      await options.waitForText(by('alert', undefined, by('region', 'Export defaults')), '1 to 16');
      await options.fill(parallel, '4');
      await options.expectState(by('status', undefined, by('region', 'Export defaults')), { text: 'Saved.' });

      // Import: bad or foreign JSON is rejected with a message; nothing saved is lost.
      const foreign = join(d.dir, 'foreign.json');
      writeFileSync(foreign, JSON.stringify({ favourites: [{ name: 'x', template: '{{ CASE_ID }}' }] }));
      await options.setInputFile('#we-import', foreign);
      await options.waitForText(by('alert', undefined, favs), 'not a Workflow Exporter favourites file');
      const bad = join(d.dir, 'bad.json');
      writeFileSync(
        bad,
        JSON.stringify({ type: 'workflow-exporter/favourites', version: 1, favourites: [{ name: 'ok', template: '{{ CASE_ID }}/' }, { name: 'broken', template: '{{ NOPE }}' }] }),
      );
      await options.setInputFile('#we-import', bad);
      await options.waitForText(by('alert', undefined, favs), 'Favourite 2 ("broken")');
      assert.equal(await favRows(options), 2);
      const good = join(d.dir, 'good.json');
      writeFileSync(good, JSON.stringify({ type: 'workflow-exporter/favourites', version: 1, favourites: [{ name: 'Flat', template: T_FLAT }, { name: 'By case id', template: '{{ CASE_ID }}/' }] }));
      await options.setInputFile('#we-import', good);
      await options.expectState(by('status', undefined, favs), { text: 'Imported 1 favourite, 1 already saved (skipped).' });
      assert.equal(await favRows(options), 3);
      await options.expectState(favTable, { count: 1 });
      await options.fill(name, 'Per case');
      await options.fill(template, '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_SHORT_ID }}/{{ FILE_COUNT }}-{{ ORIGINAL_FILENAME }}');
      await options.waitForText(preview, 'C-1043/');
      if (d.browser === 'chromium') await options.screenshot(join(ROOT, 'docs/options.png'), { fullPage: true });
      await options.fill(name, '');
      await options.fill(template, '');

      // The case-files dialog lists them and opens with the default favourite.
      const select = by('combobox', 'Favourite templates', caseDialog);
      await openCaseFilesDialog(d);
      await d.page.expectState(select, { options: ['(none)', 'By order', 'Flat (default)', 'By case id'] });
      await d.page.expectState(templateBox, { value: T_FLAT });
      await d.page.selectOption(select, { label: 'By order' });
      await d.page.expectState(templateBox, { value: T_ORDER });
      const mark = await d.downloadMark();
      await d.page.click(by('button', 'Download files', caseDialog));
      const file = await d.nextDownload(mark, 120_000);
      const want = await expectedArchive('1', null, T_ORDER);
      assert.deepEqual(new Map((await readZip(file)).map((e) => [e.path, e.sha256])), want.expected);
      // The last template used for this workflow is preselected next time.
      await openCaseFilesDialog(d);
      await d.page.expectState(templateBox, { value: T_ORDER });

      // The export went with the parallel downloads of the settings (and into the history).
      const history = await d.storedJobs();
      assert.equal((history[0].request as { parallel?: number }).parallel, 4);

      // A browser restart on the same profile keeps everything.
      await d.restart();
      const options2 = await d.openOptions();
      await options2.expectState(by('table', 'Favourite templates'), { count: 1 });
      assert.equal(await favRows(options2), 3);
      await options2.expectState(by('radio', 'Default: Flat'), { checked: true });
      await options2.expectState(by('spinbutton', 'Parallel downloads'), { value: '4' });
      await openCaseFilesDialog(d);
      await d.page.expectState(select, { options: ['(none)', 'By order', 'Flat (default)', 'By case id'] });
      await d.page.expectState(templateBox, { value: T_ORDER });
    },
  },
];
