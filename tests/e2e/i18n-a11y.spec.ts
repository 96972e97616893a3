/**
 * Accessibility, languages and looks (issue 9): axe-core finds no violation in our UI (injected group,
 * every dialog, the execution pages, the popup and the options page), in light and in dark; every flow
 * works by keyboard alone (dialogs take focus, keep Tab inside, close on Escape and give focus back);
 * a browser in German shows the UI in German (a shared flow, tests/flows/i18n.flow.ts; axe on its
 * dialog here); the README's screenshots in light and dark.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Locator, Page, Worker } from '@playwright/test';
import { join } from 'node:path';
import { test, expect, ORIGIN, ROOT, exporterUi, launchWithExtension, transitionsDone, waitForDownload } from './harness';
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/i18n.flow';

const extensionId = (sw: Worker) => new URL(sw.url()).host;

async function extensionPage(context: BrowserContext, sw: Worker, path: 'popup.html' | 'options.html', size = { width: 1000, height: 900 }) {
  const p = await context.newPage();
  await p.setViewportSize(size);
  await p.goto(`chrome-extension://${extensionId(sw)}/${path}`);
  return p;
}

/**
 * axe on our UI only (`workflow-exporter` hosts: the reference platform's own page is not ours to fix),
 * or on the whole page for the extension's own pages; in light and in dark. Fails on any violation, and
 * when axe did not look inside our shadow roots.
 */
async function expectNoViolations(page: Page, what: string, opts: { scope?: 'ours' | 'page' } = {}) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await transitionsDone(page);
    const builder = new AxeBuilder({ page });
    if ((opts.scope ?? 'ours') === 'ours') builder.include('workflow-exporter');
    const results = await builder.analyze();
    const violations = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`,
    );
    expect(violations, `axe violations on ${what} (${colorScheme})`).toEqual([]);
    if ((opts.scope ?? 'ours') === 'ours') {
      // Shadow DOM nodes have a target path through their host: ["workflow-exporter", "button"].
      const nodes = [...results.passes, ...results.incomplete].flatMap((r) => r.nodes);
      expect(
        nodes.some((n) => Array.isArray(n.target[0]) || n.target.length > 1),
        `axe looked inside the shadow roots on ${what}`,
      ).toBe(true);
      expect(results.passes.map((r) => r.id), `axe checked our buttons on ${what}`).toContain('button-name');
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The focused element, through shadow roots. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const dialog = el?.closest('dialog[open]');
    return {
      /** Which element of the dialog (-1: not in one). */
      index: dialog ? [...dialog.querySelectorAll('*')].indexOf(el!) : -1,
      text: (el?.getAttribute('aria-label') || el?.textContent || '').trim(),
      tag: el?.localName ?? '',
      inDialog: !!el?.closest('dialog[open]'),
      host: (el?.getRootNode() as ShadowRoot | Document) instanceof ShadowRoot,
    };
  });

/** Presses Tab until the control named `name` in our UI has focus. */
async function tabTo(page: Page, name: string, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.host && f.text === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** Tab and Shift+Tab stay inside the open dialog and come round again. */
async function expectFocusTrapped(page: Page, dialog: Locator, mustSee: string[]) {
  const start = await focused(page);
  expect(start.inDialog, 'focus moved into the dialog').toBe(true);
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    expect(f.inDialog, `Tab ${i + 1} stays in the dialog (at ${f.tag} "${f.text}")`).toBe(true);
    seen.push(`${f.index}:${f.tag}:${f.text.slice(0, 40)}`);
    if (i > 0 && seen[i] === seen[0]) break;
  }
  expect(seen.length, 'Tab came round to the first control again').toBeLessThan(60);
  expect(new Set(seen).size, `Tab went through the controls: ${seen.join(' | ')}`).toBeGreaterThan(2);
  for (const name of mustSee) expect(seen.some((s) => s.endsWith(`:${name}`)), `Tab reached "${name}": ${seen.join(' | ')}`).toBe(true);
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).inDialog, `Shift+Tab ${i + 1} stays in the dialog`).toBe(true);
  }
  await expect(dialog).toBeVisible();
}

test('axe: no violations on the injected UI, every dialog, the execution pages, popup and options', async ({ page, context, sw }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  const ui = exporterUi(page);
  await expect(ui.getByRole('button', { name: 'Export case files', exact: true })).toBeVisible();
  await expectNoViolations(page, 'the workflow page');

  // Case files, with the preview loaded and then an invalid template (inline errors).
  await ui.getByRole('button', { name: 'Export case files', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Export case files' });
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText('_1');
  await expectNoViolations(page, 'the case-files dialog');
  await dialog.getByRole('textbox', { name: 'Folder path template' }).fill('{{ CASE_EXTERNAL }}/');
  await expect(dialog.getByRole('alert')).toContainText('Did you mean');
  await expectNoViolations(page, 'the case-files dialog with a template error');
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  // CSV, and its finished export (progress and result).
  await ui.getByRole('button', { name: 'Export CSV', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Export CSV' });
  await expect(dialog.getByRole('radio', { name: 'All', exact: true })).toBeVisible();
  await expectNoViolations(page, 'the CSV dialog');
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();
  await waitForDownload(sw);
  await expect(dialog.getByRole('status')).toContainText('Saved', { timeout: 30_000 });
  await expectNoViolations(page, 'the CSV dialog after an export');
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  // Annotated case files, with an order selected.
  const select = page.locator('select#workflow-order-select');
  await select.selectOption((await select.locator('option').nth(1).getAttribute('value'))!);
  await ui.getByRole('button', { name: 'Export annotated case files', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Export annotated case files' });
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText('_1');
  await expectNoViolations(page, 'the annotated case-files dialog');
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  // The execution page: "Export as" and its dialog.
  await page.goto(`${ORIGIN}/workflows/1/executions/1005`);
  await expect(ui.getByRole('button', { name: 'Export as', exact: true })).toBeEnabled();
  await expectNoViolations(page, 'the execution page');
  await ui.getByRole('button', { name: 'Export as', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Export execution' });
  await expect(dialog).toContainText('1005');
  await expectNoViolations(page, 'the execution dialog');
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  // The executions list: a Download button per finished row.
  await page.goto(`${ORIGIN}/workflows/1/executions`);
  await expect(ui.getByRole('button', { name: 'Download', exact: true }).first()).toBeVisible();
  await expectNoViolations(page, 'the executions list');

  // The popup (with the CSV export listed) and the options page (with a favourite), whole pages: they are ours.
  const popup = await extensionPage(context, sw, 'popup.html', { width: 392, height: 600 });
  await expect(popup.getByRole('region', { name: 'Last execution' }).getByRole('button', { name: 'Export' })).toBeVisible();
  await expect(popup.getByRole('listitem', { name: 'Results CSV export' })).toContainText('no failures');
  await expectNoViolations(popup, 'the popup', { scope: 'page' });
  const options = await extensionPage(context, sw, 'options.html');
  await options.getByLabel('Name', { exact: true }).fill('By case');
  await options.getByLabel('Template', { exact: true }).fill('{{ CASE_SHORT_ID }}/');
  await expect(options.getByRole('region', { name: 'Preview' })).toContainText('C-1043/');
  await options.getByRole('button', { name: 'Add favourite' }).click();
  await expect(options.getByRole('table', { name: 'Favourite templates' })).toContainText('By case');
  await expect(options.getByRole('table', { name: 'Export history' })).toBeVisible();
  await expectNoViolations(options, 'the options page', { scope: 'page' });
});

test('keyboard: Tab to a button, Enter or Space opens its dialog, Tab stays inside, Escape closes and gives focus back', async ({ page }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  await expect(exporterUi(page).getByRole('button', { name: 'Export case files', exact: true })).toBeVisible();

  // Case files: Enter opens, focus goes in, Tab cycles within, Escape closes, focus back on the button.
  await tabTo(page, 'Export case files');
  await page.keyboard.press('Enter');
  let dialog = page.getByRole('dialog', { name: 'Export case files' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText('_1');
  await expectFocusTrapped(page, dialog, ['Close', 'Download files']);
  // The dialog works by keyboard: type a template into the field.
  await dialog.getByRole('textbox', { name: 'Folder path template' }).focus();
  await page.keyboard.type('{{ CASE_SHORT_ID }}/');
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText('/');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(await focused(page)).toMatchObject({ text: 'Export case files', host: true });

  // CSV: Shift+Tab back to its button, Space opens, a choice by arrow keys, Escape closes, focus back.
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).text).toBe('Export CSV');
  await page.keyboard.press('Space');
  dialog = page.getByRole('dialog', { name: 'Export CSV' });
  await expect(dialog).toBeVisible();
  // Walk the focus cycle once the dialog has loaded (loading adds the workflow's name, which shifts the elements).
  await expect(dialog.locator('.we-scope strong')).not.toHaveCount(0);
  await expectFocusTrapped(page, dialog, ['Close', 'Download']);
  await dialog.getByRole('radio', { name: 'All', exact: true }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(dialog.getByRole('radio', { name: 'Submitted only', exact: true })).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(await focused(page)).toMatchObject({ text: 'Export CSV', host: true });
});

const de = test.extend<{ context: BrowserContext }>({
  context: async ({ profile }, use) => {
    const context = await launchWithExtension(profile.profile, ['--lang=de']);
    await use(context);
    await context.close();
  },
});

// The UI in German is a shared flow (tests/flows/i18n.flow.ts, Firefox runs it too); axe on the
// German dialog is Chromium's probe (@axe-core/playwright).
chromiumTests(flows);

de('axe: no violations on the German case-files dialog', async ({ page }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  const group = exporterUi(page).getByRole('group', { name: 'Workflow Exporter' });
  await group.getByRole('button', { name: 'Falldateien exportieren', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Falldateien exportieren' });
  await expect(dialog.getByRole('region', { name: 'Vorschau' })).toContainText('Vorschau (erste 5 Fälle)');
  await expectNoViolations(page, 'the German case-files dialog');
});

test('looks: screenshots in light and dark for the README', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  const ui = exporterUi(page);
  await expect(ui.getByRole('button', { name: 'Export case files', exact: true })).toBeVisible();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(ROOT, 'docs/light-workflow.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  // Our colours follow the colour scheme (and the platform's page does too).
  const colours = () =>
    ui.first().evaluate((host) => {
      const button = host.shadowRoot!.querySelector('.we-button:not(.we-primary)')!;
      return { button: getComputedStyle(button).backgroundColor, body: getComputedStyle(document.body).backgroundColor };
    });
  // (After the buttons' short colour transition.)
  await expect.poll(async () => (await colours()).button).toBe('rgb(28, 34, 48)');
  expect((await colours()).body).toBe('rgb(15, 19, 26)');
  await page.screenshot({ path: join(ROOT, 'docs/dark-workflow.png') });
  await ui.getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await dialog.getByRole('textbox', { name: 'Folder path template' }).fill('{{ WORKFLOW_NAME }}/{{ CASE_SHORT_ID }}/');
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText('/');
  await page.screenshot({ path: join(ROOT, 'docs/dark-dialog.png') });
});
