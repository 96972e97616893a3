/**
 * Issue 14 in real Firefox ESR: files the platform serves without `X-Checksum-Sha256` go in byte
 * for byte, each listed in the export's report as "not verified", and the dialog counts them: one
 * file alone (a proxy of the test's own, on the build's port, drops its header). Every file at once
 * (the platform's `omitChecksum` knob) is a shared flow, tests/flows/robustness.flow.ts.
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { parse } from 'csv-parse/sync';
import { FIREFOX_PORT, dialogStatus } from './session';
import { filesIn, startCaseFiles, waitForNewFile, withFirefox } from './session';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { expectedArchive, readZip } = await import('../e2e/harness');

/**
 * A pass-through proxy on the build's port in front of the platform that drops
 * `X-Checksum-Sha256` from the answers for the file `strip.uuid` (none while it is null).
 */
function checksumStripper(strip: { uuid: string | null; stripped: number }) {
  return (siteUrl: string) =>
    new Promise<{ close(): Promise<void> }>((resolveFront, reject) => {
      const upstream = new URL(siteUrl);
      const server = createServer((req, res) => {
        const up = request({ host: '127.0.0.1', port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          const headers = { ...answer.headers };
          if (strip.uuid && req.url?.startsWith(`/api/v1/files/${strip.uuid}/content`) && headers['x-checksum-sha256']) {
            delete headers['x-checksum-sha256'];
            strip.stripped++;
          }
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
      });
      server.on('error', reject);
      server.listen(FIREFOX_PORT, '127.0.0.1', () =>
        resolveFront({ close: () => new Promise<void>((r) => server.close(() => r())) }),
      );
    });
}
export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: one file served without X-Checksum-Sha256 goes in, the report lists it alone as "not verified", the dialog says "1 not verified"',
    fn: () => {
      const strip = { uuid: null as string | null, stripped: 0 };
      return withFirefox(
        'one-not-verified',
        async (s) => {
          const want = await expectedArchive('2', null, '');
          const file = want.cases[1].files[0];
          strip.uuid = file.uuid;
          const before = filesIn(s.downloads);
          await startCaseFiles(s, '2');
          const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
          assert.match(status, /Saved/, `export status: ${status}`);
          assert.match(status, /\b1 not verified/, `the dialog: ${status}`);
          assert.ok(strip.stripped > 0, 'the proxy did drop the header');
          const entries = await readZip(await waitForNewFile(s.downloads, before));
          const report = entries.find((e) => e.path === 'export-report.csv');
          assert.ok(report, 'the report is in the ZIP');
          const rows = parse(report.bytes, { bom: true }) as string[][];
          assert.equal(rows.length, 2, `one line: ${JSON.stringify(rows)}`);
          const [, caseId, uuid, reason, attempts] = rows[1];
          assert.deepEqual([caseId, uuid, reason, attempts], [want.cases[1].id, file.uuid, 'not verified', '1']);
          assert.ok(want.expected.has(rows[1][0]), `the report names its path in the archive: ${rows[1][0]}`);
          assert.deepEqual(new Map(entries.filter((e) => e.path !== 'export-report.csv').map((e) => [e.path, e.sha256])), want.expected);
          console.log(`  ${want.expected.size} files in; ${rows[1][0]} alone listed "not verified"; the dialog: ${JSON.stringify(status)}`);
        },
        { front: checksumStripper(strip) },
      );
    },
  },
];
