import { test, expect, ORIGIN, exporterUi, listDownloads, filesIn } from './harness';

test('SPA navigation to another workflow re-targets the buttons', async ({ page }) => {
  await page.goto(`${ORIGIN}/develop/workflows/1`);
  await expect(exporterUi(page)).toHaveCount(1);
  const marker = await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1));
  await page.locator('nav').getByRole('link', { name: 'Second workflow' }).click();
  await expect(page.locator('main[data-page="workflow"]')).toHaveAttribute('data-workflow-id', '2');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(marker);
  await expect(exporterUi(page)).toHaveCount(1);
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await expect(dialog).toContainText('Second workflow');
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(dialog).toBeHidden();
  // And back.
  await page.goBack();
  await expect(page.locator('main[data-page="workflow"]')).toHaveAttribute('data-workflow-id', '1');
  await expect(exporterUi(page)).toHaveCount(1);
});

test('cancel mid-export stops every request and leaves nothing behind', async ({ page, sw, site, context, profile }) => {
  // 40 files of 64 MB from the scale workflow, slowed down so there is time to cancel.
  site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 64 * 1024 * 1024, latencyMs: 50 });
  await page.goto(`${ORIGIN}/develop/workflows/3`);
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await dialog.getByRole('button', { name: 'Download files' }).click();
  await expect(dialog.getByRole('status')).toContainText(/[1-9]\d* of \d+/, { timeout: 30_000 });
  await expect.poll(() => site.stats().fileBytesSent, { timeout: 30_000 }).toBeGreaterThan(32 * 1024 * 1024);
  // The toolbar badge shows the progress too.
  await expect.poll(() => sw.evaluate(() => chrome.action.getBadgeText({}))).toMatch(/^\d+%$/);
  await dialog.getByRole('button', { name: 'Cancel export' }).click();
  await expect(dialog.getByRole('status')).toContainText('Export cancelled');
  await expect.poll(() => site.stats().inFlightFileRequests, { timeout: 10_000 }).toBe(0);
  const sent = site.stats().fileRequests;
  await page.waitForTimeout(1500);
  expect(site.stats().fileRequests).toBe(sent);
  expect(await listDownloads(sw)).toEqual([]);
  await expect.poll(() => sw.evaluate(() => chrome.action.getBadgeText({}))).toBe('');
  expect(filesIn(profile.downloads)).toEqual([]);
  // Nothing left in the extension's private file system either.
  const ext = await context.newPage();
  await ext.goto(sw.url().replace('background.js', 'popup.html'));
  const left = await ext.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const names: string[] = [];
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
      for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${prefix}${name}/`);
        else names.push(prefix + name);
      }
    };
    await walk(root, '');
    return names;
  });
  expect(left).toEqual([]);
});
