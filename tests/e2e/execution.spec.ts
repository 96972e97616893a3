/**
 * Execution exports (product spec 2) in Chromium with the built extension: the execution page and the
 * executions list, both formats, combined and not; every name and every file's content checked
 * against the platform's API; every exported HTML file opened in Chromium to prove that nothing in a
 * step's output runs script or loads anything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { test, expect, ORIGIN, ROOT, TMP, apiClient, exporterUi, readZip, waitForDownload, listDownloads, type ZipEntry } from './harness';
import type { Execution } from '../../lib/platform';
import { collect, combinedDocument, planExecutionExport, stepDocument, type ExecutionFormat, type PlannedStep } from '../../lib/executionDocs';
import { stepFileName, stepNameCounts, utf8ByteLength } from '../../lib/naming';

type Options = { format: ExecutionFormat; combine: boolean };

/** What the platform serves for an execution, and the archive the extension must produce from it. */
async function expectedExport(eid: string, options: Options) {
  const api = await apiClient();
  const execution = (await (await api.fetch(`/api/v1/executions/${eid}`)).json()) as Execution;
  const outputs = new Map<string, string>();
  for (const s of execution.steps) {
    const res = await api.fetch(`/api/v1/executions/${eid}/steps/${s.id}/output`);
    expect(res.ok, `output of ${s.id}`).toBe(true);
    outputs.set(s.id, await res.text());
  }
  const plan = planExecutionExport(execution, options);
  const output = (p: PlannedStep) => ({ chunks: [outputs.get(p.step.id)!].values() as unknown as AsyncIterable<string>, failure: () => null });
  const files = new Map<string, string>();
  if (plan.combinedPath) {
    async function* steps() {
      for (const p of plan.steps) yield { planned: p, output: output(p) };
    }
    files.set(plan.combinedPath, await collect(combinedDocument(options.format, execution, steps(), plan.steps)));
  } else {
    for (const p of plan.steps) files.set(p.path, await collect(stepDocument(options.format, { execution, planned: p, output: output(p) })));
  }
  return { execution, outputs, plan, files };
}

/** Checks the ZIP against the platform: names (spec 2, independently derived), then every byte. */
function checkArchive(entries: ZipEntry[], want: Awaited<ReturnType<typeof expectedExport>>, options: Options) {
  const ext = options.format === 'html' ? '.html' : '.md';
  const { execution } = want;
  const got = new Map(entries.map((e) => [e.path, e.bytes.toString('utf8')]));
  expect([...got.keys()]).toEqual([...want.files.keys()]);
  if (options.combine) {
    const dt = execution.startedAt.replace(/\.\d+Z$|Z$/, '').replace('T', '_').replace(/:/g, '-');
    expect([...got.keys()][0]).toMatch(new RegExp(`_${dt}_${execution.id}\\${ext}$`));
  } else {
    // The names, by the rule of spec 2: the iteration only for names that occur more than once.
    const counts = stepNameCounts(execution.steps);
    const names = [...got.keys()];
    execution.steps.forEach((s, i) => {
      const plain = /^[\w ]+$/.test(s.name);
      if (plain) {
        const expected = counts.get(s.name)! > 1 ? `${s.name}_${s.iteration}_${s.status}${ext}` : `${s.name}_${s.status}${ext}`;
        expect(names[i]).toBe(expected);
      } else expect(names[i]).toBe(stepFileName(s, counts, ext));
      expect(utf8ByteLength(names[i])).toBeLessThanOrEqual(255);
    });
  }
  for (const [path, text] of got) {
    expect(text, path).toBe(want.files.get(path));
    // And, independently of the renderer: the details and the output are there.
    for (const s of execution.steps) {
      if (!options.combine && want.plan.steps.find((p) => p.step.id === s.id)!.path !== path) continue;
      if (options.format === 'markdown') {
        expect(text).toContain(`- **Iteration:** ${s.iteration}\n`);
        expect(text).toContain(`- **Status:** ${s.status}\n`);
        expect(text).toContain(want.outputs.get(s.id)!);
      } else {
        expect(text).toContain(`<tr><th scope="row">Iteration</th><td>${s.iteration}</td></tr>`);
        expect(text).toMatch(/^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy"/);
      }
    }
  }
  if (options.combine) {
    const text = [...got.values()][0];
    for (const p of want.plan.steps) expect(text).toContain(options.format === 'html' ? `<a href="#step-${p.index}">` : `](#step-${p.index})`);
  }
}

async function openDialog(page: Page, trigger: Locator) {
  await trigger.click();
  const dialog = page.getByRole('dialog', { name: 'Export execution' });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.we-scope')).toContainText('execution');
  return dialog;
}

async function choose(dialog: Locator, options: Options) {
  await dialog.getByRole('radio', { name: options.format === 'html' ? 'HTML' : 'Markdown', exact: true }).check();
  const box = dialog.getByRole('checkbox', { name: 'Combine results into a single file' });
  if (options.combine) await box.check();
  else await box.uncheck();
}

/** Exports with the dialog, waits for the download, checks it against the platform. */
async function exportAndCheck(page: Page, sw: Parameters<typeof waitForDownload>[0], dialog: Locator, eid: string, options: Options, downloads: string) {
  const before = (await listDownloads(sw)).reduce((n, d) => Math.max(n, d.id), -1);
  await choose(dialog, options);
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  const item = await waitForDownload(sw, { after: before, timeout: 120_000 });
  expect(item.state).toBe('complete');
  const want = await expectedExport(eid, options);
  // The archive's name (Chromium adds " (1)" when an earlier test run left one of that name).
  const stem = want.plan.archiveFileName.replace(/\.zip$/, '');
  expect([join(downloads, want.plan.archiveFileName), ...[1, 2, 3].map((n) => join(downloads, `${stem} (${n}).zip`))]).toContain(item.filename);
  await expect(dialog.getByRole('status')).toContainText('Saved');
  const entries = await readZip(item.filename);
  checkArchive(entries, want, options);
  return entries;
}

/**
 * Opens every HTML file in Chromium, from disk, as a user would; records every request and every
 * dialog (`alert`) and console message. Also opens each file with its CSP removed: the sanitiser
 * alone must already stop everything (the CSP is only defence in depth).
 */
async function expectHtmlInert(context: BrowserContext, entries: ZipEntry[]) {
  const dir = mkdtempSync(join(TMP, 'exec-html-'));
  // Control: the same probes do see a script run and a remote load in an unsafe file.
  {
    const file = join(dir, 'control.html');
    writeFileSync(file, '<!doctype html><img src="http://127.0.0.1:9/x.png"><script>alert("control")</script>');
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    await expect.poll(() => dialogs).toEqual(['control']);
    expect(requests).toContain('http://127.0.0.1:9/x.png');
    await page.close();
  }
  let opened = 0;
  for (const [i, e] of entries.entries()) {
    if (!e.path.endsWith('.html')) continue;
    const html = e.bytes.toString('utf8');
    const variants = [
      { name: `${i}.html`, html },
      { name: `${i}-no-csp.html`, html: html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '') },
    ];
    expect(variants[1].html).not.toContain('Content-Security-Policy');
    for (const v of variants) {
      const file = join(dir, v.name);
      writeFileSync(file, v.html);
      const page = await context.newPage();
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const url = pathToFileURL(file).href;
      await page.goto(url);
      await page.waitForLoadState('load');
      // Hover and click what could carry a handler or a URL (links are checked, not followed).
      for (const el of await page.locator('.raw-html, .unsafe-link, img').all()) await el.hover().catch(() => undefined);
      await page.waitForTimeout(150);
      const dom = await page.evaluate(() => ({
        scripts: document.scripts.length,
        frames: document.querySelectorAll('iframe, frame, object, embed, form, svg, base').length,
        handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
        badLinks: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!).filter((h) => !/^(https?:\/\/|mailto:|#)/.test(h)),
        remoteImages: [...document.images].map((img) => img.getAttribute('src') ?? '').filter((s) => !s.startsWith('data:')),
        stylesheets: document.styleSheets.length,
        charset: document.characterSet,
        shown: document.body.innerText.includes('<script>') || !document.body.innerText.includes('alert'),
      }));
      expect(dom, `${e.path} (${v.name})`).toEqual({
        scripts: 0,
        frames: 0,
        handlers: 0,
        badLinks: [],
        remoteImages: [],
        stylesheets: 1,
        charset: 'UTF-8',
        shown: true,
      });
      expect(dialogs, `${e.path}: no script ran`).toEqual([]);
      expect(requests, `${e.path}: no request but the document`).toEqual([url]);
      await page.close();
      opened++;
    }
  }
  expect(opened).toBeGreaterThan(0);
}


test('execution page: Markdown, one file per step; HTML combined and opened in Chromium', async ({ page, sw, profile, context }) => {
  await page.goto(`${ORIGIN}/workflows/1/executions/1005`);
  const ui = exporterUi(page);
  const button = ui.getByRole('button', { name: 'Export as', exact: true });
  await expect(button).toBeEnabled();
  await page.screenshot({ path: join(ROOT, 'docs/execution-page.png') });

  let dialog = await openDialog(page, button);
  await expect(dialog.getByRole('group', { name: 'Format' })).toBeVisible();
  await exportAndCheck(page, sw, dialog, '1005', { format: 'markdown', combine: false }, profile.downloads);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(dialog).toBeHidden();

  dialog = await openDialog(page, button);
  await choose(dialog, { format: 'html', combine: true });
  await page.screenshot({ path: join(ROOT, 'docs/execution-dialog.png') });
  const entries = await exportAndCheck(page, sw, dialog, '1005', { format: 'html', combine: true }, profile.downloads);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  // The last choice is remembered.
  dialog = await openDialog(page, button);
  await expect(dialog.getByRole('radio', { name: 'HTML', exact: true })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'Combine results into a single file' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  await expectHtmlInert(context, entries);
});

test('executions list: Download on finished rows; HTML per step opened in Chromium, Markdown combined', async ({ page, sw, profile, context, site }) => {
  // 1006 runs again: its row has no Download until it finishes, then gets one live.
  const api = await apiClient();
  await api.fetch('/__admin/executions/1006/run', { method: 'POST' });
  await page.goto(`${ORIGIN}/workflows/1/executions`);
  const row = (eid: string) => page.locator(`tr[data-execution-id="${eid}"]`);
  const download = (eid: string) => row(eid).locator('workflow-exporter').getByRole('button', { name: 'Download', exact: true });
  for (const eid of ['1005', '1004', '1003', '1002', '1001']) await expect(download(eid)).toBeVisible();
  await expect(row('1006')).toHaveAttribute('data-status', 'running');
  await expect(download('1006')).toHaveCount(0);

  let dialog = await openDialog(page, download('1005'));
  await expect(dialog.locator('.we-scope')).toContainText('1005');
  const entries = await exportAndCheck(page, sw, dialog, '1005', { format: 'html', combine: false }, profile.downloads);
  expect(entries.length).toBe(9);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expectHtmlInert(context, entries);

  // The huge (5 MB) output, combined into one Markdown file.
  dialog = await openDialog(page, download('1003'));
  await exportAndCheck(page, sw, dialog, '1003', { format: 'markdown', combine: true }, profile.downloads);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  site.finishExecution('1006');
  await expect(row('1006')).toHaveAttribute('data-status', 'success', { timeout: 10_000 });
  await expect(download('1006')).toBeVisible();
});

test('the other combinations: Markdown combined and HTML per step, with the 5 MB output', async ({ page, sw, profile }) => {
  await page.goto(`${ORIGIN}/workflows/1/executions/1003`);
  const button = exporterUi(page).getByRole('button', { name: 'Export as', exact: true });
  const dialog = await openDialog(page, button);
  const entries = await exportAndCheck(page, sw, dialog, '1003', { format: 'html', combine: false }, profile.downloads);
  expect(entries.find((e) => e.path.includes('_success.html') && e.bytes.length > 5 * 1024 * 1024)).toBeTruthy();
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await page.goto(`${ORIGIN}/workflows/1/executions`);
  const d2 = await openDialog(page, page.locator('tr[data-execution-id="1004"] workflow-exporter').getByRole('button', { name: 'Download', exact: true }));
  await exportAndCheck(page, sw, d2, '1004', { format: 'markdown', combine: false }, profile.downloads);
});

test('execution page: "Export as" is off while the execution runs and turns on live', async ({ page, site }) => {
  const api = await apiClient();
  await api.fetch('/__admin/executions/1006/run', { method: 'POST' });
  await page.goto(`${ORIGIN}/workflows/1/executions/1006`);
  const main = page.locator('main[data-page="execution"]');
  await expect(main).toHaveAttribute('data-status', 'running');
  const button = exporterUi(page).getByRole('button', { name: 'Export as', exact: true });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription('Available when the execution has finished.');
  const marker = await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 7));
  site.finishExecution('1006');
  await expect(main).toHaveAttribute('data-status', 'success', { timeout: 10_000 });
  await expect(button).toBeEnabled();
  await expect(button).not.toHaveAccessibleDescription('Available when the execution has finished.');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(marker);
  // The queued execution of workflow 3 stays off.
  await page.goto(`${ORIGIN}/workflows/3/executions/3003`);
  await expect(exporterUi(page).getByRole('button', { name: 'Export as', exact: true })).toBeDisabled();
});
