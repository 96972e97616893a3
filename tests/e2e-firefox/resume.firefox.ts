/**
 * Issue 16 point 1 in real Firefox ESR: the extension restarted mid-export goes on from its journal.
 * The restart is the same folder installed again over WebDriver BiDi (`webExtension.install`, same
 * gecko id): Firefox upgrades the temporary add-on in place, so its background page (which hosts
 * the engine) is torn down and started again while its IndexedDB and OPFS stay. (A browser restart
 * is no way to test it: a temporary add-on does not survive one.) The finished ZIP equals the
 * platform's files, and every file was served whole once but the few in flight at the restart.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { FIREFOX_PORT, EXTENSION_DIR, dialogStatus, waitForFile } from './session';
import { startCaseFiles, until, withFirefox } from './session';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { apiClient, expectedArchive, readZip } = await import('../e2e/harness');
const { caseFilesArchiveName } = await import('../../lib/naming');

const FILES = 80;

/** The case-files archive's name for workflow `wid` (without fetching its files). */
async function archiveName(wid: string): Promise<string> {
  const api = await apiClient();
  return caseFilesArchiveName(await (await api.fetch(`/api/v1/workflows/${wid}`)).json(), null);
}

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: the extension restarted (installed again) mid-export goes on from its journal',
    fn: () =>
      withFirefox('resume', async (s) => {
        // 80 files of 1 MB, each answered after 150 ms: time to restart the extension half-way.
        s.site.setConfig({ scaleCases: FILES / 2, scaleFilesPerCase: 2, scaleFileSize: 1024 * 1024, scaleDistinctContents: 0, latencyMs: 150 });
        s.site.resetStats();
        const name = await archiveName('3');
        await startCaseFiles(s, '3');
        await dialogStatus(s.page, /[1-9]\d* of \d+/, 30_000);
        await until('30 files served', () => s.site.stats().fileResponsesCompleted >= 30, 60_000);
        // The same folder again: an upgrade of the running add-on (same id). Its background page
        // and the engine in it go; its IndexedDB (the jobs) and OPFS (archive, journal) stay.
        assert.equal(await s.browser.installExtension(EXTENSION_DIR), 'workflow-exporter@example.org');
        const atRestart = s.site.stats().fileResponsesCompleted;
        assert.ok(atRestart < FILES, `restarted before the end (${atRestart} of ${FILES} served)`);
        assert.deepEqual(readdirSync(s.downloads), [], 'nothing downloaded before the restart');
        s.site.setConfig({ latencyMs: 0 });

        const file = await waitForFile(s.downloads, name, 120_000).catch((err: Error) => {
          const st = s.site.stats();
          throw new Error(`${err.message}; served ${st.fileResponsesCompleted} (${atRestart} at the restart), asked for ${st.fileRequests}`);
        });
        assert.deepEqual(readdirSync(s.downloads), [name]);
        // Read before expectedArchive fetches the files itself: the files already in the archive
        // were not fetched again, only those in flight or waiting their turn (two windows of 6).
        const served = Object.values(s.site.stats().completedByFile);
        assert.equal(served.length, FILES, 'every file served');
        assert.ok(Math.max(...served) <= 2, `no file served more than twice (${Math.max(...served)})`);
        const twice = served.filter((n) => n === 2).length;
        assert.ok(twice <= 12, `at most 12 files served twice (${twice})`);

        const want = await expectedArchive('3', null, '');
        const entries = await readZip(file);
        assert.equal(entries.length, FILES);
        assert.deepEqual(new Map(entries.map((e) => [e.path, e.sha256])), want.expected);
        console.log(`  restarted after ${atRestart} of ${FILES} files; ${twice} served twice; ${entries.length} files in ${name}, each as the platform serves it`);
      }),
  },
];
