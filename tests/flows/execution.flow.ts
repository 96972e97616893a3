/**
 * Execution exports (product spec 2), in both browsers: the execution page and the executions list,
 * both formats, combined and not; every name and every file's content checked against the
 * platform's API; every exported HTML file opened from disk in the browser under test (Chromium in
 * Chromium, Firefox in Firefox) to prove that nothing in a step's output runs script or loads
 * anything; "Export as" turning on live when an execution finishes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT, TMP, apiClient, readZip, type ZipEntry } from '../e2e/harness';
import type { Execution } from '../../lib/platform';
import { collect, combinedDocument, planExecutionExport, stepDocument, type ExecutionFormat, type PlannedStep } from '../../lib/executionDocs';
import { stepFileName, stepNameCounts, utf8ByteLength } from '../../lib/naming';
import { by, type Driver, type Flow, type Target } from './driver';
import { isNameOrRepeat } from './csvFile';
import { eventually } from './wait';

type Options = { format: ExecutionFormat; combine: boolean };

const dialog = by('dialog', 'Export execution');
const exportAs = by('button', 'Export as');
/** The Download button of a row of the executions list (each row has a shadow host of ours). */
const rowDownload = (eid: string): Target => ({ role: 'button', name: 'Download', host: `tr[data-execution-id="${eid}"] workflow-exporter` });
const closeButton = by('button', 'Close', dialog, -1);

/** What the platform serves for an execution, and the archive the extension must produce from it. */
export async function expectedExport(eid: string, options: Options) {
  const api = await apiClient();
  const execution = (await (await api.fetch(`/api/v1/executions/${eid}`)).json()) as Execution;
  const outputs = new Map<string, string>();
  for (const s of execution.steps) {
    const res = await api.fetch(`/api/v1/executions/${eid}/steps/${s.id}/output`);
    assert.ok(res.ok, `output of ${s.id}`);
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
  assert.deepEqual([...got.keys()], [...want.files.keys()]);
  if (options.combine) {
    const dt = execution.startedAt.replace(/\.\d+Z$|Z$/, '').replace('T', '_').replace(/:/g, '-');
    assert.match([...got.keys()][0], new RegExp(`_${dt}_${execution.id}\\${ext}$`));
  } else {
    // The names, by the rule of spec 2: the iteration only for names that occur more than once.
    const counts = stepNameCounts(execution.steps);
    const names = [...got.keys()];
    execution.steps.forEach((s, i) => {
      const plain = /^[\w ]+$/.test(s.name);
      if (plain) {
        const expected = counts.get(s.name)! > 1 ? `${s.name}_${s.iteration}_${s.status}${ext}` : `${s.name}_${s.status}${ext}`;
        assert.equal(names[i], expected);
      } else assert.equal(names[i], stepFileName(s, counts, ext));
      assert.ok(utf8ByteLength(names[i]) <= 255, names[i]);
    });
  }
  for (const [path, text] of got) {
    assert.ok(text === want.files.get(path), `${path}: the bytes the platform's data make`);
    // And, independently of the renderer: the details and the output are there.
    for (const s of execution.steps) {
      if (!options.combine && want.plan.steps.find((p) => p.step.id === s.id)!.path !== path) continue;
      if (options.format === 'markdown') {
        assert.ok(text.includes(`- **Iteration:** ${s.iteration}\n`), `${path}: iteration`);
        assert.ok(text.includes(`- **Status:** ${s.status}\n`), `${path}: status`);
        assert.ok(text.includes(want.outputs.get(s.id)!), `${path}: the output of ${s.id}`);
      } else {
        assert.ok(text.includes(`<tr><th scope="row">Iteration</th><td>${s.iteration}</td></tr>`), `${path}: iteration`);
        assert.match(text.slice(0, 200), /^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy"/);
      }
    }
  }
  if (options.combine) {
    const text = [...got.values()][0];
    for (const p of want.plan.steps) assert.ok(text.includes(options.format === 'html' ? `<a href="#step-${p.index}">` : `](#step-${p.index})`), `a link to step ${p.index}`);
  }
}

async function openDialog(d: Driver, trigger: Target) {
  await d.page.click(trigger);
  await d.page.expectState(dialog, { count: 1 });
  await scopeSays(d, /execution/);
}

/** The dialog's line on what it exports (it reads "Loading…" first). */
const scopeSays = (d: Driver, re: RegExp) => eventually(async () => assert.match((await d.page.uiTexts('dialog .we-scope')).join(' '), re));

async function choose(d: Driver, options: Options) {
  await d.page.setChecked(by('radio', options.format === 'html' ? 'HTML' : 'Markdown', dialog));
  await d.page.setChecked(by('checkbox', 'Combine results into a single file', dialog), options.combine);
}

async function closeDialog(d: Driver) {
  await d.page.click(closeButton);
  await d.page.expectState(dialog, { count: 0 });
}

/** Exports with the dialog, waits for the download, checks it against the platform. */
async function exportAndCheck(d: Driver, eid: string, options: Options) {
  const mark = await d.downloadMark();
  await choose(d, options);
  await d.page.click(by('button', 'Export', dialog));
  const file = await d.nextDownload(mark, 120_000);
  const want = await expectedExport(eid, options);
  // The archive's name (" (1)", "(1)" when an earlier export of the test left one of that name).
  assert.ok(isNameOrRepeat(basename(file), want.plan.archiveFileName), `archive name ${basename(file)}, want ${want.plan.archiveFileName}`);
  assert.equal(join(d.downloads, basename(file)), file);
  await d.page.waitForText(by('status', undefined, dialog), 'Saved');
  const entries = await readZip(file);
  checkArchive(entries, want, options);
  return entries;
}

/** In the page opened from disk: what could run, load or point elsewhere. */
const DOM_PROBE = `(() => ({
  scripts: document.scripts.length,
  frames: document.querySelectorAll('iframe, frame, object, embed, form, svg, base').length,
  handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
  badLinks: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => !/^(https?:\\/\\/|mailto:|#)/.test(h)),
  remoteImages: [...document.images].map((img) => img.getAttribute('src') || '').filter((s) => !s.startsWith('data:')),
  stylesheets: document.styleSheets.length,
  charset: document.characterSet,
  shown: document.body.innerText.includes('<script>') || !document.body.innerText.includes('alert'),
}))()`;

/**
 * Opens every HTML file from disk in the browser under test, as a user would; records every request
 * and every dialog (`alert`). Also opens each file with its CSP removed: the sanitiser alone must
 * already stop everything (the CSP is only defence in depth).
 */
async function expectHtmlInert(d: Driver, entries: ZipEntry[]) {
  const dir = mkdtempSync(join(TMP, 'exec-html-'));
  // Control: the same probes do see a script run and a remote load in an unsafe file.
  const control = join(dir, 'control.html');
  const remote = `${d.origin}/__probe/x.png`;
  writeFileSync(control, `<!doctype html><img src="${remote}"><img src="missing.png"><script>alert("control")</script>`);
  await eventually(async () => {
    const got = await d.openFile(control, { evaluate: 'true' });
    assert.deepEqual(got.dialogs, ['control'], `${d.browser}: the control's script ran`);
    assert.ok(got.requests.includes(remote), `${d.browser}: the control's request seen: ${JSON.stringify(got.requests)}`);
    assert.ok(got.requests.some((u) => u.startsWith('file:') && u.endsWith('/missing.png')), `${d.browser}: the control's file load seen: ${JSON.stringify(got.requests)}`);
  }, 20_000);
  let opened = 0;
  for (const [i, e] of entries.entries()) {
    if (!e.path.endsWith('.html')) continue;
    const html = e.bytes.toString('utf8');
    const variants = [
      { name: `${i}.html`, html },
      { name: `${i}-no-csp.html`, html: html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '') },
    ];
    assert.ok(!variants[1].html.includes('Content-Security-Policy'));
    for (const v of variants) {
      const file = join(dir, v.name);
      writeFileSync(file, v.html);
      // Hover what could carry a handler or a URL (links are checked, not followed).
      const got = await d.openFile(file, { evaluate: DOM_PROBE, hover: '.raw-html, .unsafe-link, img' });
      assert.deepEqual(
        got.result,
        { scripts: 0, frames: 0, handlers: 0, badLinks: [], remoteImages: [], stylesheets: 1, charset: 'UTF-8', shown: true },
        `${e.path} (${v.name}) in ${d.browser}`,
      );
      assert.deepEqual(got.dialogs, [], `${e.path}: no script ran`);
      assert.deepEqual(got.requests, [], `${e.path}: no request but the document`);
      opened++;
    }
  }
  assert.ok(opened > 0);
}

export const flows: Flow[] = [
  {
    name: 'execution page: Markdown, one file per step; HTML combined and opened in the browser',
    async run(d) {
      await d.page.goto('/workflows/1/executions/1005');
      await d.page.expectState(exportAs, { enabled: true });
      if (d.browser === 'chromium') await d.page.screenshot(join(ROOT, 'docs/execution-page.png'));

      await openDialog(d, exportAs);
      await d.page.expectState(by('group', 'Format', dialog), { count: 1 });
      await exportAndCheck(d, '1005', { format: 'markdown', combine: false });
      await closeDialog(d);

      await openDialog(d, exportAs);
      await choose(d, { format: 'html', combine: true });
      if (d.browser === 'chromium') await d.page.screenshot(join(ROOT, 'docs/execution-dialog.png'));
      const entries = await exportAndCheck(d, '1005', { format: 'html', combine: true });
      await closeDialog(d);
      // The last choice is remembered.
      await openDialog(d, exportAs);
      await d.page.expectState(by('radio', 'HTML', dialog), { checked: true });
      await d.page.expectState(by('checkbox', 'Combine results into a single file', dialog), { checked: true });
      await closeDialog(d);

      await expectHtmlInert(d, entries);
    },
  },
  {
    name: 'executions list: Download on finished rows; HTML per step opened in the browser, Markdown combined',
    async run(d) {
      // 1006 runs again: its row has no Download until it finishes, then gets one live.
      const api = await apiClient();
      await api.fetch('/__admin/executions/1006/run', { method: 'POST' });
      await d.page.goto('/workflows/1/executions');
      for (const eid of ['1005', '1004', '1003', '1002', '1001']) await d.page.expectState(rowDownload(eid), { count: 1 });
      assert.equal(await d.page.cssAttribute('tr[data-execution-id="1006"]', 'data-status'), 'running');
      await d.page.expectState(rowDownload('1006'), { count: 0 });

      await openDialog(d, rowDownload('1005'));
      await scopeSays(d, /1005/);
      const entries = await exportAndCheck(d, '1005', { format: 'html', combine: false });
      assert.equal(entries.length, 9);
      await closeDialog(d);
      await expectHtmlInert(d, entries);

      // The huge (5 MB) output, combined into one Markdown file.
      await openDialog(d, rowDownload('1003'));
      await exportAndCheck(d, '1003', { format: 'markdown', combine: true });
      await closeDialog(d);

      d.site.finishExecution('1006');
      await eventually(async () => assert.equal(await d.page.cssAttribute('tr[data-execution-id="1006"]', 'data-status'), 'success'), 10_000);
      await d.page.expectState(rowDownload('1006'), { count: 1 });
    },
  },
  {
    name: 'executions: the other combinations: HTML per step with the 5 MB output, Markdown per step from the list',
    async run(d) {
      await d.page.goto('/workflows/1/executions/1003');
      await openDialog(d, exportAs);
      const entries = await exportAndCheck(d, '1003', { format: 'html', combine: false });
      assert.ok(entries.find((e) => e.path.includes('_success.html') && e.bytes.length > 5 * 1024 * 1024), 'the 5 MB step');
      await closeDialog(d);
      await d.page.goto('/workflows/1/executions');
      await openDialog(d, rowDownload('1004'));
      await exportAndCheck(d, '1004', { format: 'markdown', combine: false });
    },
  },
  {
    name: 'execution page: "Export as" is off while the execution runs and turns on live',
    async run(d) {
      const api = await apiClient();
      await api.fetch('/__admin/executions/1006/run', { method: 'POST' });
      await d.page.goto('/workflows/1/executions/1006');
      const main = 'main[data-page="execution"]';
      assert.equal(await d.page.cssAttribute(main, 'data-status'), 'running');
      await d.page.expectState(exportAs, { enabled: false, description: 'Available when the execution has finished.' });
      const marker = await d.page.evaluate<number>('window.__noReload = 7');
      d.site.finishExecution('1006');
      await eventually(async () => assert.equal(await d.page.cssAttribute(main, 'data-status'), 'success'), 10_000);
      const on = await d.page.expectState(exportAs, { enabled: true });
      assert.notEqual(on.description, 'Available when the execution has finished.');
      assert.equal(await d.page.evaluate('window.__noReload'), marker, 'no reload');
      // The queued execution of workflow 3 stays off.
      await d.page.goto('/workflows/3/executions/3003');
      await d.page.expectState(exportAs, { enabled: false });
    },
  },
];
