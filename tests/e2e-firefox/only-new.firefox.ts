/**
 * Only new since the last export in Firefox ESR (issue 16.2): the engine in the background page's
 * worker records what the export held in IndexedDB, the background marks it complete, and a second
 * export with **Only new since the last export** holds exactly the file added on the platform.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { EXTENSION_DIR, FIREFOX_PORT, ORIGIN, clickInExporter, dialogStatus, launch, signIn, waitForFile } from './case-files.firefox';

const { expectedArchive, readZip, TMP } = await import('../e2e/harness');
const { startSite } = await import('../site/server');

const ONLY_NEW = 'Only new since the last export';

/** Checks the dialog's Only new checkbox once it is enabled. */
async function checkOnlyNew(page: Page, timeout = 20_000) {
  await page.waitForFunction(
    (name: string) => {
      const root = document.querySelector('workflow-exporter')?.shadowRoot;
      const label = [...(root?.querySelectorAll('label') ?? [])].find((l) => l.textContent?.trim() === name);
      const box = label?.querySelector('input[type=checkbox]') as HTMLInputElement | null;
      if (!box || box.disabled) return false;
      if (!box.checked) box.click();
      return box.checked;
    },
    { timeout, polling: 100 },
    ONLY_NEW,
  );
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: Only new since the last export holds exactly the file added since',
    fn: async () => {
      assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `no Firefox build in ${EXTENSION_DIR}`);
      mkdirSync(TMP, { recursive: true });
      const dir = mkdtempSync(join(TMP, 'firefox-only-new-'));
      const downloads = join(dir, 'downloads');
      mkdirSync(downloads);
      const site = await startSite({ port: FIREFOX_PORT });
      let browser: Browser | null = null;
      let ok = false;
      try {
        browser = await launch(downloads);
        await browser.installExtension(EXTENSION_DIR);
        const page = (await browser.pages())[0] ?? (await browser.newPage());
        await signIn(page);
        await page.goto(`${ORIGIN}/develop/workflows/2`);
        await clickInExporter(page, 'Export case files');
        await clickInExporter(page, 'Download files');
        assert.match(await dialogStatus(page, /Saved|failed|refused|error/i, 120_000), /Saved/);
        const before = await expectedArchive('2', null, '');
        await waitForFile(downloads, before.archiveName);

        const wf = site.data().workflow('2')!;
        site.addData('2', { files: [{ caseId: wf.caseAt(1).id, name: 'added.bin', size: 7777 }] });
        const after = await expectedArchive('2', null, '');
        const wanted = new Map([...after.expected].filter(([path, sha]) => before.expected.get(path) !== sha));
        assert.equal(wanted.size, 1);

        await page.goto(`${ORIGIN}/develop/workflows/2`);
        await clickInExporter(page, 'Export case files');
        await checkOnlyNew(page);
        await clickInExporter(page, 'Download files');
        assert.match(await dialogStatus(page, /Saved|failed|refused|error/i, 120_000), /1 new or changed since/);
        const deadline = Date.now() + 30_000;
        let name: string | undefined;
        while (!(name = readdirSync(downloads).find((n) => /_case-files_new-since_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.zip$/.test(n))) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 200));
        assert.ok(name, `a _new-since_ archive in ${readdirSync(downloads).join(', ')}`);
        const zip = await waitForFile(downloads, name);
        const entries = await readZip(zip);
        assert.deepEqual(new Map(entries.map((e) => [e.path, e.sha256])), wanted);
        console.log(`  ${name}: exactly the file added since the first export`);
        ok = true;
      } finally {
        await browser?.close().catch(() => {});
        await site.close();
        if (ok) rmSync(dir, { recursive: true, force: true });
        else console.error(`  kept ${dir}`);
      }
    },
  },
];
