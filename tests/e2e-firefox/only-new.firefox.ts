/**
 * Only new since the last export in Firefox ESR (issue 16.2): the engine in the background page's
 * worker records what the export held in IndexedDB, the background marks it complete, and a second
 * export with **Only new since the last export** holds exactly the file added on the platform.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ORIGIN, clickInExporter, dialogStatus, waitForFile } from './session';
import { setInput, withFirefox } from './session';

const { expectedArchive, readZip } = await import('../e2e/harness');

const ONLY_NEW = 'Only new since the last export';

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: Only new since the last export holds exactly the file added since',
    fn: () =>
      withFirefox('only-new', async ({ site, page, downloads }) => {
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
        await setInput(page, ONLY_NEW);
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
      }),
  },
];
