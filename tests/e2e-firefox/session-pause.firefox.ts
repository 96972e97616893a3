/**
 * Issue 14 in real Firefox ESR: a session that ends mid-export pauses the export, of CSV and of an
 * execution alike: the dialog says "Sign in again to continue" with a link to the sign-in page,
 * nothing is saved meanwhile, and once the user signs in again in another tab the export goes on
 * by itself and completes, nothing lost (checked against what the platform serves).
 */
import assert from 'node:assert/strict';
import { FIREFOX_PORT, ORIGIN, clickInExporter, dialogStatus, signIn } from './session';
import { filesIn, until, waitForNewFile, withFirefox } from './session';
import { checkCsv, startCsv } from './csv';
import type { Execution } from '../../lib/platform';

process.env.E2E_PORT = String(FIREFOX_PORT);
const { apiClient, readZip } = await import('../e2e/harness');

export const tests: { name: string; fn: () => Promise<void> }[] = [
  {
    name: 'Firefox ESR: a session that ends mid-export pauses the CSV export, which completes after signing in again',
    fn: () =>
      withFirefox('csv-session', async (s) => {
        // 2,000 submissions of the scale workflow in pages of 500, each answer a second late.
        s.site.setConfig({ scaleCases: 500, scaleSubmissionsPerCase: 4, latencyMs: 1000 });
        const before = filesIn(s.downloads);
        s.site.resetStats();
        await startCsv(s, '3');
        const started = () => Object.entries(s.site.stats().requestsByPath).some(([k, n]) => k.includes('/submissions') && n > 0);
        await until('the first page of submissions asked for', started);
        s.site.expireSessions();
        const notice = await dialogStatus(s.page, /Sign in again to continue|Saved|failed/, 60_000);
        assert.match(notice, /Sign in again to continue/);
        const link = await s.page.evaluate(() =>
          document.querySelector('workflow-exporter')?.shadowRoot?.querySelector('[role=alert] a')?.getAttribute('href'),
        );
        assert.equal(link, `${ORIGIN}/login`);
        assert.deepEqual(filesIn(s.downloads), before, 'nothing saved while paused');
        // Signing in again in another tab: the export goes on by itself.
        s.site.setConfig({ latencyMs: 0 });
        await signIn(await s.browser.newPage());
        const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
        assert.match(status, /Saved/, `export status: ${status}`);
        const { rows } = await checkCsv(await waitForNewFile(s.downloads, before), '3');
        assert.equal(rows.length - 1, 2000, 'every submission');
        assert.ok(s.site.stats().unauthenticated > 0, 'the platform did answer 401');
        console.log(`  paused at "Sign in again to continue", then ${rows.length - 1} rows, equal to the platform's`);
      }),
  },
  {
    name: 'Firefox ESR: a session that ends mid-export pauses an execution export, which completes after signing in again',
    fn: () =>
      withFirefox('execution-session', async (s) => {
        // The big execution: 50 step outputs, each answer 300 ms late.
        s.site.setConfig({ latencyMs: 300 });
        const before = filesIn(s.downloads);
        await s.page.goto(`${ORIGIN}/workflows/3/executions/3002`);
        await clickInExporter(s.page, 'Export as');
        s.site.resetStats();
        await clickInExporter(s.page, 'Export');
        const outputs = () => s.site.stats().requestsByPath['GET /api/v1/executions/:eid/steps/:sid/output'] ?? 0;
        await until('a few step outputs asked for', () => outputs() >= 3);
        s.site.expireSessions();
        const notice = await dialogStatus(s.page, /Sign in again to continue|Saved|failed/, 60_000);
        assert.match(notice, /Sign in again to continue/);
        assert.ok(outputs() < 50, `paused before the last step output (${outputs()} asked for)`);
        assert.deepEqual(filesIn(s.downloads), before, 'nothing saved while paused');
        s.site.setConfig({ latencyMs: 0 });
        await signIn(await s.browser.newPage());
        const status = await dialogStatus(s.page, /Saved|failed|refused|error/i, 60_000);
        assert.match(status, /Saved/, `export status: ${status}`);
        // Every step's output is in its file (Markdown, one file per step, the dialog's defaults).
        const api = await apiClient(ORIGIN);
        const execution = (await (await api.fetch('/api/v1/executions/3002')).json()) as Execution;
        const entries = await readZip(await waitForNewFile(s.downloads, before));
        assert.equal(entries.length, execution.steps.length, 'one file per step');
        for (const [i, step] of execution.steps.entries()) {
          const output = await (await api.fetch(`/api/v1/executions/3002/steps/${step.id}/output`)).text();
          assert.ok(entries[i].bytes.toString('utf8').includes(output), `${entries[i].path} holds the output of ${step.id}`);
        }
        assert.ok(s.site.stats().unauthenticated > 0, 'the platform did answer 401');
        console.log(`  paused at "Sign in again to continue", then ${entries.length} step files, each with its output`);
      }),
  },
];
