/**
 * The popup and the options page (product spec 3, issue 5) in Chromium with the built extension:
 * the popup opened as its extension page, its quick export of the last execution (checked against
 * the platform's API), favourites added in the options page that the case-files dialog lists and
 * that survive a browser restart on the same profile, and a platform origin added at runtime that
 * gets the Export buttons without a reinstall.
 */
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { startSite } from '../site/server';
import {
  test,
  expect,
  ORIGIN,
  ROOT,
  TMP,
  CHROMIUM,
  CHROMIUM_FLAGS,
  EXTENSION_DIR,
  allowDownloads,
  apiClient,
  exporterUi,
  expectedArchive,
  launchWithExtension,
  readZip,
  serviceWorkerOf,
  signIn,
  storedJobs,
  waitForDownload,
} from './harness';
import type { Execution, ExecutionSummary } from '../../lib/platform';
import { planExecutionExport } from '../../lib/executionDocs';
import { executionArchiveFileName } from '../../lib/naming';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const extensionId = (sw: Worker) => new URL(sw.url()).host;
const extensionPage = async (context: BrowserContext, sw: Worker, path: 'popup.html' | 'options.html', size = { width: 1000, height: 900 }) => {
  const p = await context.newPage();
  await p.setViewportSize(size);
  await p.goto(`chrome-extension://${extensionId(sw)}/${path}`);
  return p;
};

const T_ORDER = '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/';
const T_FLAT = '{{ CASE_SHORT_ID }}_{{ FILE_COUNT }}{{ FILE_EXT }}';

async function openCaseFilesDialog(page: Page) {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('popup: last execution, quick export in the default format, recent exports, sign-in notice', async ({ context, page, sw, profile, site }) => {
  const api = await apiClient();
  // Earlier tests in this worker may have finished it: the newest execution starts out running.
  await fetch(`${ORIGIN}/__admin/executions/1006/run`, { method: 'POST' });
  const newest = ((await (await api.fetch('/api/v1/executions?limit=1')).json()) as { items: ExecutionSummary[] }).items[0];

  const popup = await extensionPage(context, sw, 'popup.html', { width: 392, height: 600 });
  const last = popup.getByRole('region', { name: 'Last execution' });
  await expect(last.getByRole('heading', { name: 'Last execution' })).toBeVisible();
  await expect(last.locator('.we-workflow')).toHaveText(newest.workflowName!);
  await expect(last).toContainText(newest.status);
  await expect(last.locator('time')).toHaveAttribute('datetime', newest.startedAt);
  // The newest execution of the reference platform is still running: nothing to export yet.
  expect(newest.status).toBe('running');
  await expect(last.getByRole('button', { name: 'Export' })).toBeDisabled();
  await expect(last).toContainText('once it has finished');

  // It finishes; the popup sees it (it looks again while the execution runs).
  await fetch(`${ORIGIN}/__admin/executions/${newest.id}/finish`, { method: 'POST' });
  await expect(last).toContainText('success', { timeout: 20_000 });
  const button = last.getByRole('button', { name: 'Export' });
  await expect(button).toBeEnabled();
  await expect(last).toContainText('Markdown, as set in the options');

  // One click; the popup is closed at once and the export goes on in the background.
  await button.click();
  await expect(popup.getByRole('listitem', { name: 'Execution export' })).toBeVisible();
  await popup.close();
  const item = await waitForDownload(sw);
  expect(item.state).toBe('complete');

  const execution = (await (await api.fetch(`/api/v1/executions/${newest.id}`)).json()) as Execution;
  const plan = planExecutionExport(execution, { format: 'markdown', combine: false });
  expect(item.filename).toBe(join(profile.downloads, executionArchiveFileName(execution.workflow.name, execution.startedAt, execution.id)));
  const entries = await readZip(item.filename);
  expect(entries.map((e) => e.path)).toEqual(plan.steps.map((p) => p.path));
  for (const [i, step] of execution.steps.entries()) {
    const output = await (await api.fetch(`/api/v1/executions/${execution.id}/steps/${step.id}/output`)).text();
    const text = entries[i].bytes.toString('utf8');
    expect(text).toContain(`- **Status:** ${step.status}\n`);
    expect(text).toContain(output);
  }

  // The default format comes from the options: HTML, combined.
  const options = await extensionPage(context, sw, 'options.html');
  await options.getByRole('group', { name: 'Executions: format' }).getByLabel('HTML').check();
  await expect(options.getByRole('status')).toHaveText('Saved.');
  await options.getByRole('group', { name: 'Executions: format' }).getByLabel('Combine results into a single file').check();
  await expect(options.getByLabel('Combine results into a single file')).toBeChecked();
  await options.close();
  const popup2 = await extensionPage(context, sw, 'popup.html', { width: 392, height: 600 });
  const last2 = popup2.getByRole('region', { name: 'Last execution' });
  await expect(last2).toContainText('HTML, combined, as set in the options');
  await last2.getByRole('button', { name: 'Export' }).click();
  const item2 = await waitForDownload(sw, { after: item.id });
  expect(item2.state).toBe('complete');
  const combined = planExecutionExport(execution, { format: 'html', combine: true });
  const entries2 = await readZip(item2.filename);
  expect(entries2.map((e) => e.path)).toEqual([combined.combinedPath]);
  expect(combined.combinedPath).toMatch(/\.html$/);
  for (const s of execution.steps) expect(entries2[0].bytes.toString('utf8')).toContain(`<tr><th scope="row">Iteration</th><td>${s.iteration}</td></tr>`);

  // Recent exports: result (files, size, failures) and "Show in folder".
  const jobs = popup2.getByRole('listitem', { name: 'Execution export' });
  await expect(jobs).toHaveCount(2);
  await expect(jobs.first()).toContainText('Saved', { timeout: 20_000 });
  await expect(jobs.first()).toContainText('no failures');
  await expect(jobs.nth(1)).toContainText(`${execution.steps.length} files`);
  await expect(jobs.first().getByRole('button', { name: 'Show in folder' })).toBeVisible();
  await jobs.first().getByRole('button', { name: 'Show in folder' }).click();
  await popup2.locator('main').screenshot({ path: join(ROOT, 'docs/popup.png') });

  // Both exports are in the history (IndexedDB), shown on the options page.
  const options2 = await extensionPage(context, sw, 'options.html');
  const history = options2.getByRole('table', { name: 'Export history' });
  await expect(history.getByRole('row')).toHaveCount(3);
  await expect(history).toContainText('Execution');
  await options2.close();

  // Signed out: the popup says so and links to the sign-in page.
  await fetch(`${ORIGIN}/__admin/expire-sessions`, { method: 'POST' });
  await popup2.reload();
  await expect(popup2.getByRole('alert')).toHaveText(`You are not signed in to ${ORIGIN}. Sign in`);
  await expect(popup2.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', `${ORIGIN}/login`);
  void site;
  void page;
});

test('favourites: added in the options, listed and preselected in the case-files dialog, kept across a browser restart', async ({ context, page, sw, profile }) => {
  const options = await extensionPage(context, sw, 'options.html');
  const favs = options.getByRole('region', { name: 'Favourite templates' });
  const name = favs.getByLabel('Name', { exact: true });
  const template = favs.getByLabel('Template', { exact: true });
  // Validated by the template engine, with a preview.
  await name.fill('By order');
  await template.fill('{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL }}/');
  await expect(favs.getByRole('alert')).toContainText('CASE_EXTERNAL_ID');
  await expect(favs.getByRole('button', { name: 'Add favourite' })).toBeDisabled();
  await template.fill(T_ORDER);
  await expect(favs.getByRole('region', { name: 'Preview' })).toContainText('Batch 2/');
  await expect(favs.getByRole('region', { name: 'Preview' })).toContainText('0000PAT-7731_Chest X-ray study-Batch 2_1.jpg');
  await favs.getByRole('button', { name: 'Add favourite' }).click();
  await expect(favs.getByRole('row', { name: /By order/ })).toBeVisible();
  await name.fill('Flat');
  await template.fill(T_FLAT);
  await favs.getByRole('button', { name: 'Add favourite' }).click();
  await expect(favs.getByRole('row', { name: /Flat/ })).toBeVisible();
  await name.fill('Temporary');
  await template.fill('{{ FILE_UUID }}{{ FILE_EXT }}');
  await favs.getByRole('button', { name: 'Add favourite' }).click();
  await expect(favs.getByRole('row', { name: /Temporary/ })).toBeVisible();
  // Duplicate names are refused.
  await name.fill('flat');
  await template.fill('{{ CASE_ID }}/');
  await favs.getByRole('button', { name: 'Add favourite' }).click();
  await expect(favs.getByRole('alert')).toContainText('already exists');
  // Rename, delete, default.
  await favs.getByRole('button', { name: 'Rename Temporary' }).click();
  await favs.getByLabel('New name for Temporary').fill('By file id');
  await favs.getByRole('button', { name: 'Save' }).click();
  await expect(favs.getByRole('row', { name: /By file id/ })).toBeVisible();
  await favs.getByRole('button', { name: 'Delete By file id' }).click();
  await expect(favs.getByRole('row', { name: /By file id/ })).toHaveCount(0);
  await favs.getByLabel('Default: Flat').check();
  await expect(options.getByLabel('Default template')).toHaveValue(/.+/);
  // Parallel downloads: 1 to 16.
  const parallel = options.getByLabel('Parallel downloads');
  await parallel.fill('17');
  await expect(options.getByRole('alert')).toContainText('1 to 16');
  await parallel.fill('4');
  await expect(options.getByRole('region', { name: 'Export defaults' }).getByRole('status')).toHaveText('Saved.');

  // Import: bad or foreign JSON is rejected with a message; nothing saved is lost.
  mkdirSync(TMP, { recursive: true });
  const foreign = join(profile.dir, 'foreign.json');
  writeFileSync(foreign, JSON.stringify({ favourites: [{ name: 'x', template: '{{ CASE_ID }}' }] }));
  await options.locator('#we-import').setInputFiles(foreign);
  await expect(favs.getByRole('alert')).toContainText('not a Workflow Exporter favourites file');
  const bad = join(profile.dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ type: 'workflow-exporter/favourites', version: 1, favourites: [{ name: 'ok', template: '{{ CASE_ID }}/' }, { name: 'broken', template: '{{ NOPE }}' }] }));
  await options.locator('#we-import').setInputFiles(bad);
  await expect(favs.getByRole('alert')).toContainText('Favourite 2 ("broken")');
  await expect(favs.getByRole('table', { name: 'Favourite templates' }).locator('tbody tr')).toHaveCount(2);
  const good = join(profile.dir, 'good.json');
  writeFileSync(good, JSON.stringify({ type: 'workflow-exporter/favourites', version: 1, favourites: [{ name: 'Flat', template: T_FLAT }, { name: 'By case id', template: '{{ CASE_ID }}/' }] }));
  await options.locator('#we-import').setInputFiles(good);
  await expect(favs.getByRole('status')).toHaveText('Imported 1 favourite, 1 already saved (skipped).');
  await expect(favs.getByRole('table', { name: 'Favourite templates' }).locator('tbody tr')).toHaveCount(3);
  await name.fill('Per case');
  await template.fill('{{ WORKFLOW_ORDER_NAME }}/{{ CASE_SHORT_ID }}/{{ FILE_COUNT }}-{{ ORIGINAL_FILENAME }}');
  await expect(favs.getByRole('region', { name: 'Preview' })).toContainText('C-1043/');
  await options.screenshot({ path: join(ROOT, 'docs/options.png'), fullPage: true });
  await name.fill('');
  await template.fill('');

  // The case-files dialog lists them and opens with the default favourite.
  let dialog = await openCaseFilesDialog(page);
  const select = dialog.getByLabel('Favourite templates');
  await expect(select.locator('option')).toHaveText(['(none)', 'By order', 'Flat (default)', 'By case id']);
  await expect(dialog.getByRole('textbox', { name: 'Folder path template' })).toHaveValue(T_FLAT);
  await select.selectOption({ label: 'By order' });
  await expect(dialog.getByRole('textbox', { name: 'Folder path template' })).toHaveValue(T_ORDER);
  await dialog.getByRole('button', { name: 'Download files' }).click();
  const item = await waitForDownload(sw);
  expect(item.state).toBe('complete');
  const want = await expectedArchive('1', null, T_ORDER);
  expect(new Map((await readZip(item.filename)).map((e) => [e.path, e.sha256]))).toEqual(want.expected);
  // The last template used for this workflow is preselected next time.
  dialog = await openCaseFilesDialog(page);
  await expect(dialog.getByRole('textbox', { name: 'Folder path template' })).toHaveValue(T_ORDER);

  // The export went with the parallel downloads of the settings (and into the history).
  const history = await storedJobs(options);
  expect((history[0].request as { parallel?: number }).parallel).toBe(4);

  // A browser restart on the same profile keeps everything.
  await context.close();
  const again = await launchWithExtension(profile.profile);
  try {
    const sw2 = await serviceWorkerOf(again);
    const options2 = await extensionPage(again, sw2, 'options.html');
    const table = options2.getByRole('table', { name: 'Favourite templates' });
    await expect(table.locator('tbody tr')).toHaveCount(3);
    await expect(options2.getByLabel('Default: Flat')).toBeChecked();
    await expect(options2.getByLabel('Parallel downloads')).toHaveValue('4');
    const page2 = again.pages()[0] ?? (await again.newPage());
    await allowDownloads(page2);
    await signIn(page2);
    const dialog2 = await openCaseFilesDialog(page2);
    await expect(dialog2.getByLabel('Favourite templates').locator('option')).toHaveText(['(none)', 'By order', 'Flat (default)', 'By case id']);
    await expect(dialog2.getByRole('textbox', { name: 'Folder path template' })).toHaveValue(T_ORDER);
  } finally {
    await again.close();
  }
});

/**
 * Chromium asks the user before it grants a host permission, and that prompt can't be answered in
 * headless Chromium under Playwright: the only auto-accept is C++ test code
 * (`PermissionsRequestFunction::SetDialogActionForTests`, guarded by CHECK_IS_TEST), there is no
 * command-line switch, and CDP has no command for extension permissions. Chromium skips the prompt
 * only when the permission is already active (or was granted before and removed). So the test
 * (1) checks on the real build that the click does ask Chromium (the request stays pending on its
 * prompt, nothing is added), then (2) loads a copy of the build whose manifest also holds the new
 * origin's host permission, i.e. the state after the user clicked "Allow": `permissions.request`
 * answers true at once and everything after it is the real feature (the manifest's content script
 * still matches the build's origin only, so the buttons can only come from the runtime registration).
 */
test('an origin added at runtime gets the Export buttons without a reinstall', async ({ context, sw, profile }) => {
  const port = Number(process.env.E2E_PORT_2 ?? 4415);
  const second = await startSite({ port });
  const origin2 = `http://localhost:${port}`;
  try {
    // (1) The real build: the click asks Chromium for access; headless can't answer its prompt.
    const options = await extensionPage(context, sw, 'options.html');
    const origins = options.getByRole('region', { name: 'Platform origins' });
    const input = origins.getByRole('textbox', { name: 'Platform origin' });
    await input.fill(`localhost:${port}/develop`);
    await origins.getByRole('button', { name: 'Add origin' }).click();
    await expect(origins.getByRole('alert')).toContainText('without a path');
    await input.fill(`${origin2}/`);
    await origins.getByRole('button', { name: 'Add origin' }).click();
    await expect(origins.getByRole('status')).toHaveText(`Allow access to ${origin2} in the browser's prompt to add it.`);
    await options.waitForTimeout(1000);
    await expect(origins.getByRole('list', { name: 'Platform origins' })).not.toContainText(origin2);
    expect(await sw.evaluate((o) => chrome.permissions.contains({ origins: [`${o}/*`] }), origin2)).toBe(false);
    await options.close();

    // (2) A copy of the build with the permission already granted (the user said "Allow").
    const ext = join(profile.dir, 'extension-granted');
    cpSync(EXTENSION_DIR, ext, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8'));
    manifest.host_permissions.push(`${origin2}/*`);
    expect(JSON.stringify(manifest.content_scripts)).not.toContain(origin2);
    writeFileSync(join(ext, 'manifest.json'), JSON.stringify(manifest));
    const profile2 = join(profile.dir, 'profile-granted');
    mkdirSync(profile2, { recursive: true });
    const launch = () =>
      chromium.launchPersistentContext(profile2, {
        executablePath: CHROMIUM,
        headless: true,
        args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`],
        viewport: { width: 1280, height: 800 },
      });
    let ctx = await launch();
    try {
      const sw2 = await serviceWorkerOf(ctx);
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(`${origin2}/login`);
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${origin2}/`);
      await page.goto(`${origin2}/develop/workflows/1`);
      await expect(page.locator('.page-actions')).toBeVisible();
      await page.waitForTimeout(1500);
      await expect(exporterUi(page)).toHaveCount(0);

      const opts = await extensionPage(ctx, sw2, 'options.html');
      const region = opts.getByRole('region', { name: 'Platform origins' });
      await region.getByRole('textbox', { name: 'Platform origin' }).fill(origin2);
      await region.getByRole('button', { name: 'Add origin' }).click();
      await expect(region.getByRole('status')).toContainText(`Added ${origin2}`);
      await expect(region.getByRole('list', { name: 'Platform origins' })).toContainText(origin2);
      const registered = await sw2.evaluate(() => chrome.scripting.getRegisteredContentScripts());
      expect(registered.map((r) => r.matches)).toEqual([[`${origin2}/*`]]);

      // The tab already open got the buttons, and every page of the origin gets them from now on.
      await expect(exporterUi(page).getByRole('button', { name: 'Export case files', exact: true })).toBeVisible();
      await page.goto(`${origin2}/develop/workflows/2`);
      await expect(exporterUi(page).getByRole('button', { name: 'Export case files', exact: true })).toBeVisible();
      await opts.close();
    } finally {
      await ctx.close();
    }

    // Still there after a browser restart; removing the origin takes the buttons away.
    ctx = await launch();
    try {
      const sw2 = await serviceWorkerOf(ctx);
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(`${origin2}/login`);
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${origin2}/`);
      await page.goto(`${origin2}/develop/workflows/1`);
      await expect(exporterUi(page).getByRole('button', { name: 'Export case files', exact: true })).toBeVisible();
      const opts = await extensionPage(ctx, sw2, 'options.html');
      const region = opts.getByRole('region', { name: 'Platform origins' });
      await region.getByRole('button', { name: `Remove ${origin2}` }).click();
      await expect(region.getByRole('status')).toContainText(`Removed ${origin2}`);
      expect(await sw2.evaluate(() => chrome.scripting.getRegisteredContentScripts())).toEqual([]);
      await page.reload();
      await expect(page.locator('.page-actions')).toBeVisible();
      await page.waitForTimeout(1500);
      await expect(exporterUi(page)).toHaveCount(0);
    } finally {
      await ctx.close();
    }
  } finally {
    await second.close();
  }
});
