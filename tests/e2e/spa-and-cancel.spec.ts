/**
 * SPA navigation and cancel in Chromium: the shared flows of tests/flows/spa-and-cancel.flow.ts
 * (Firefox runs them too), plus a Chromium-only probe: the toolbar badge, read in the service worker.
 */
import { test, expect, ORIGIN, exporterUi } from './harness';
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/spa-and-cancel.flow';

chromiumTests(flows);

test('the toolbar badge shows the progress of an export, and clears when it is cancelled', async ({ page, sw, site }) => {
  site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 64 * 1024 * 1024, latencyMs: 50 });
  await page.goto(`${ORIGIN}/develop/workflows/3`);
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await dialog.getByRole('button', { name: 'Download files' }).click();
  await expect(dialog.getByRole('status')).toContainText(/ of \d+/, { timeout: 60_000 });
  await expect.poll(() => site.stats().fileBytesSent, { timeout: 60_000 }).toBeGreaterThan(32 * 1024 * 1024);
  await expect.poll(() => sw.evaluate(() => chrome.action.getBadgeText({})), { timeout: 30_000 }).toMatch(/^\d+%$/);
  await dialog.getByRole('button', { name: 'Cancel export' }).click();
  await expect(dialog.getByRole('status')).toContainText('Export cancelled');
  await expect.poll(() => sw.evaluate(() => chrome.action.getBadgeText({}))).toBe('');
});
