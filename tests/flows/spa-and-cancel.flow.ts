/**
 * The platform as a single-page app, and Cancel, in both browsers: a client-side navigation to
 * another workflow re-targets our buttons (no reload); "Cancel export" mid-export stops every
 * request and leaves nothing behind, in the download folder or in the extension's private file
 * system. (The toolbar badge during that export is a Chromium-only probe: spa-and-cancel.spec.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { by, type Driver, type Flow } from './driver';
import { eventually } from './wait';
import { opfsFilesOf } from './privateFiles';

const dialog = by('dialog', 'Export case files');
const status = by('status', undefined, dialog);

const workflowShown = (d: Driver) => d.page.cssAttribute('main[data-page="workflow"]', 'data-workflow-id');

/** Starts a case-files export of the scale workflow slowed down enough to cancel it (40 files of 64 MB). */
export async function startLongExport(d: Driver) {
  d.site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 64 * 1024 * 1024, latencyMs: 50 });
  d.site.resetStats();
  await d.page.goto('/develop/workflows/3');
  await d.page.click(by('button', 'Export case files'));
  await d.page.click(by('button', 'Download files', dialog));
  await d.page.waitForText(status, / of \d+/, 60_000);
  await eventually(async () => {
    const sent = d.site.stats().fileBytesSent;
    assert.ok(sent > 32 * 1024 * 1024, `32 MB sent (${sent} bytes; the dialog: ${(await d.page.state(status)).text})`);
  }, 60_000);
}

export const flows: Flow[] = [
  {
    name: 'SPA navigation to another workflow re-targets the buttons',
    async run(d) {
      await d.page.goto('/develop/workflows/1');
      await eventually(async () => assert.equal(await d.page.exporterCount(), 1));
      await d.page.evaluate('window.__noReload = 1');
      await d.page.evaluate(`[...document.querySelectorAll('nav a')].find((a) => a.textContent.trim() === 'Second workflow').click()`);
      await eventually(async () => assert.equal(await workflowShown(d), '2'));
      assert.equal(await d.page.evaluate('window.__noReload'), 1, 'no reload');
      await eventually(async () => assert.equal(await d.page.exporterCount(), 1));
      await d.page.click(by('button', 'Export case files'));
      await d.page.waitForText(dialog, 'Second workflow');
      await d.page.click(by('button', 'Close', dialog, 0));
      await d.page.expectState(dialog, { count: 0 });
      // And back.
      await d.page.evaluate('history.back()');
      await eventually(async () => assert.equal(await workflowShown(d), '1'));
      await eventually(async () => assert.equal(await d.page.exporterCount(), 1));
      await d.page.expectState(by('button', 'Export case files'), { enabled: true });
    },
  },
  {
    name: 'cancel mid-export stops every request and leaves nothing behind',
    async run(d) {
      await startLongExport(d);
      // (What the private file system holds is read from an options page once the export is over: while
      // 64 MB files are hashed, Firefox's extension process can take longer than an action's timeout to
      // load one. robustness.flow.ts shows the same probe seeing files there.)
      await d.page.click(by('button', 'Cancel export', dialog));
      await d.page.waitForText(status, 'Export cancelled');
      await eventually(async () => assert.equal(d.site.stats().inFlightFileRequests, 0), 10_000);
      const sent = d.site.stats().fileRequests;
      assert.ok(sent < 40, `cancelled before the last file (${sent} of 40 asked for)`);
      // A while later: no new request, nothing in the download folder (no Firefox .part file either)…
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(d.site.stats().fileRequests, sent, 'no request after the cancel');
      assert.deepEqual(readdirSync(d.downloads), [], 'nothing in the download folder');
      // …and nothing left in the extension's private file system either.
      await eventually(async () => assert.deepEqual(await opfsFilesOf(d), []), 10_000, 500);
    },
  },
];
