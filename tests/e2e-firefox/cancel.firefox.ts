/**
 * Issue 14 in real Firefox ESR: "Cancel export" mid-export stops every request and leaves nothing
 * in the download folder (no archive, no Firefox `.part` file), nor in the extension's OPFS.
 */
import assert from 'node:assert/strict';
import { clickInExporter, dialogStatus } from './session';
import { filesIn, opfsFiles, startCaseFiles, until, withFirefox } from './session';

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: cancel mid-export stops every request and leaves nothing in the download folder or OPFS',
    fn: () =>
      withFirefox('cancel', async (s) => {
        // 40 files of 32 MB from the scale workflow, a little slowed down so there is time to cancel.
        s.site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 32 * 1024 * 1024, latencyMs: 50 });
        s.site.resetStats();
        await startCaseFiles(s, '3');
        await dialogStatus(s.page, /[1-9]\d* of \d+/, 30_000);
        await until('32 MB sent', () => s.site.stats().fileBytesSent > 32 * 1024 * 1024);
        // The probe sees the export's files in OPFS while it runs (the archive, temp files)…
        assert.ok(opfsFiles(s.browser).length > 0, 'OPFS holds the running export');
        await clickInExporter(s.page, 'Cancel export');
        const status = await dialogStatus(s.page, /Export cancelled|Saved|failed/, 30_000);
        assert.match(status, /Export cancelled/);
        await until('no file request in flight', () => s.site.stats().inFlightFileRequests === 0, 10_000);
        const sent = s.site.stats().fileRequests;
        assert.ok(sent < 40, `cancelled before the last file (${sent} of 40 asked for)`);
        // A while later: no new request, nothing in the download folder.
        await new Promise((r) => setTimeout(r, 2000));
        assert.equal(s.site.stats().fileRequests, sent, 'no request after the cancel');
        assert.deepEqual(filesIn(s.downloads), [], 'nothing in the download folder');
        // …and none after the cancel: the partial archive and the temp files are removed.
        await until('OPFS emptied', () => opfsFiles(s.browser).length === 0, 10_000).catch(() => {});
        assert.deepEqual(opfsFiles(s.browser), [], 'nothing left in OPFS');
        console.log(`  cancelled after ${sent} of 40 file requests; the download folder and the extension's OPFS are empty`);
      }),
  },
];
