/**
 * `npm start`: builds the extension, starts the reference platform and opens Chromium with the
 * extension loaded, signed in, on the demo workflow. With no display it says so, runs the same
 * headless, performs one demo export and prints where the ZIP landed.
 *
 *   npm start                  plain demo names
 *   npm start -- --awkward     the awkward names and values the platform contract warns of
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_FLAGS, ensureChromium, writeDownloadPreferences } from './ensure-chromium';
import { startSite } from '../tests/site/server';

const ROOT = resolve(import.meta.dirname, '..');
const EXTENSION = join(ROOT, '.output/chrome-mv3');
const args = process.argv.slice(2);
const headless = !process.env.DISPLAY || args.includes('--headless');

const chromiumPath = ensureChromium();
console.log('Building the extension…');
const build = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

const site = await startSite({ port: 4400, plainNames: !args.includes('--awkward') });
console.log(`Reference platform on ${site.url} (user demo / password demo)`);

const home = join(ROOT, '.demo');
const profile = join(home, 'profile');
const downloads = join(home, 'downloads');
writeDownloadPreferences(profile, downloads);

if (headless) console.log('No display found: running Chromium headless and doing one demo export.');
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless,
  viewport: headless ? { width: 1280, height: 800 } : null,
  args: [
    ...CHROMIUM_FLAGS,
    `--disable-extensions-except=${EXTENSION}`,
    `--load-extension=${EXTENSION}`,
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const cdp = await context.newCDPSession(page);
await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' } as never);
await page.goto(`${site.url}/login`);
await page.getByLabel('Username').fill('demo');
await page.getByLabel('Password').fill('demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${site.url}/`);
await page.goto(`${site.url}/develop/workflows/1`);

const stop = async () => {
  await context.close().catch(() => {});
  await site.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

if (!headless) {
  console.log(`Chromium is open on the demo workflow with Workflow Exporter loaded. Downloads go to ${downloads}.`);
  console.log('Close the browser or press Ctrl+C to stop.');
  context.on('close', () => void stop());
} else {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const ui = page.locator('workflow-exporter');
  await ui.getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await dialog.getByRole('textbox', { name: 'Folder path template' }).fill('{{ WORKFLOW_NAME }}/{{ CASE_EXTERNAL_ID }}/');
  await dialog.getByRole('button', { name: 'Download files' }).click();
  type Item = { filename: string; state: string; error?: string; fileSize: number };
  let item: Item | undefined;
  for (let i = 0; i < 600; i++) {
    [item] = (await sw.evaluate(() => chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 }) as unknown)) as Item[];
    if (item && item.state !== 'in_progress') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (item?.state === 'complete') console.log(`Demo export done: ${item.filename} (${item.fileSize} bytes)`);
  else console.error(`Demo export did not finish: ${JSON.stringify(item)}`);
  await context.close();
  await site.close();
  process.exit(item?.state === 'complete' ? 0 : 1);
}
