/**
 * A compromised platform renderer (issue 14, point 2): forged messages sent from the content
 * script's own isolated world (found over CDP: the extension's `isolated` execution context of the
 * tab's main frame) must change nothing: no download, settings, favourites and origins unchanged,
 * another tab's export still running. The same world's legitimate messages still work, so the
 * refusals are the checks' doing, not a dead channel.
 */
import type { BrowserContext, CDPSession, Page, Worker } from '@playwright/test';
import { test, expect, ORIGIN, exporterUi, listDownloads, filesIn } from './harness';

const extensionId = (sw: Worker) => new URL(sw.url()).host;

/** Sends `message` with chrome.runtime.sendMessage from our content script's world in `page`. */
async function contentWorld(page: Page, sw: Worker): Promise<{ send: (message: unknown) => Promise<unknown>; cdp: CDPSession }> {
  const name = await sw.evaluate(() => chrome.i18n.getMessage('extName'));
  const cdp = await page.context().newCDPSession(page);
  const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
  const contexts: { id: number; name: string; auxData?: { type?: string; frameId?: string } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context as never));
  await cdp.send('Runtime.enable'); // reports every existing context
  await expect
    .poll(() => contexts.some((c) => c.auxData?.type === 'isolated' && c.auxData.frameId === frameTree.frame.id && c.name === name))
    .toBe(true);
  const world = contexts.find((c) => c.auxData?.type === 'isolated' && c.auxData.frameId === frameTree.frame.id && c.name === name)!;
  const send = async (message: unknown) => {
    const r = (await cdp.send('Runtime.evaluate', {
      contextId: world.id,
      expression: `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((r) => JSON.stringify(r ?? null), (e) => JSON.stringify({ thrown: String(e && e.message) }))`,
      awaitPromise: true,
      returnByValue: true,
    })) as { result: { value?: string }; exceptionDetails?: unknown };
    expect(r.exceptionDetails).toBeUndefined();
    return JSON.parse(r.result.value ?? 'null');
  };
  return { send, cdp };
}

/** Sends from one of our own pages (a legitimate `page` sender). */
async function fromOurPage(context: BrowserContext, sw: Worker) {
  const p = await context.newPage();
  await p.goto(`chrome-extension://${extensionId(sw)}/popup.html`);
  return { page: p, send: (message: unknown) => p.evaluate((m) => chrome.runtime.sendMessage(m), message) };
}

test('forged messages from a platform tab\'s content script change nothing', async ({ context, page, sw, site, profile }) => {
  // A long export in another tab, to try to cancel and to finish with forged "ready" messages.
  site.setConfig({ scaleCases: 20, scaleFilesPerCase: 2, scaleFileSize: 64 * 1024 * 1024, latencyMs: 50 });
  const other = await context.newPage();
  await other.goto(`${ORIGIN}/develop/workflows/3`);
  await expect(exporterUi(other)).toHaveCount(1);
  const otherWorld = await contentWorld(other, sw);
  const started = (await otherWorld.send({
    to: 'background',
    type: 'export/start',
    request: { kind: 'case-files', origin: ORIGIN, workflowId: '3', orderId: null, template: '' },
  })) as { jobId: string };
  expect(started.jobId).toMatch(/^[0-9a-f-]{36}$/);
  const victim = started.jobId;

  // What must not change.
  const ours = await fromOurPage(context, sw);
  const favourite = (await ours.send({ to: 'background', type: 'favourites/add', name: 'Keep me', template: '{{ CASE_ID }}/' })) as { id: string };
  await ours.send({ to: 'background', type: 'settings/set', patch: { parallel: 3 } });
  const snapshot = async () => ({
    settings: await ours.send({ to: 'background', type: 'settings/get' }),
    favourites: await ours.send({ to: 'background', type: 'favourites/list' }),
    lastTemplate: await ours.send({ to: 'background', type: 'last-template/get', origin: 'http://localhost:1', workflowId: '1' }),
    local: await sw.evaluate(() => chrome.storage.local.get(null)),
  });
  const before = await snapshot();

  await page.goto(`${ORIGIN}/develop/workflows/1`);
  await expect(exporterUi(page)).toHaveCount(1);
  const { send } = await contentWorld(page, sw);

  // The channel works: what a platform page may ask is answered, in its own scope.
  expect(await send({ to: 'background', type: 'favourites/list' })).toEqual(before.favourites);
  expect(await send({ to: 'background', type: 'jobs/list' })).toEqual([]); // the other tab's job is not listed
  expect(((await otherWorld.send({ to: 'background', type: 'jobs/list' })) as { id: string }[]).map((j) => j.id)).toEqual([victim]);

  const uuid = '4f1c2b3a-1111-4222-8333-944455556666';
  const result = { filename: 'evil_case-files.zip', archiveBytes: 1, files: 1, failed: [] };
  const pageBlob = await page.evaluate(() => URL.createObjectURL(new Blob(['PK'])));
  const forged: unknown[] = [
    // Downloads with the user's cookies, or of the page's own bytes.
    { to: 'background', type: 'host/ready', jobId: victim, url: `${ORIGIN}/api/v1/workflows/1`, result },
    { to: 'background', type: 'host/ready', jobId: victim, url: 'data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', result },
    { to: 'background', type: 'host/ready', jobId: victim, url: pageBlob, result },
    { to: 'background', type: 'host/ready', jobId: victim, url: `blob:chrome-extension://${extensionId(sw)}/${uuid}`, result: { ...result, filename: '../../evil.sh' } },
    { to: 'background', type: 'host/failed', jobId: victim, error: 'forged' },
    { to: 'background', type: 'host/cancelled', jobId: victim },
    { to: 'background', type: 'host/progress', jobId: victim, progress: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, listingDone: true, failed: 0, rate: 0, archiveBytes: 0 } },
    // The engine host's commands (the offscreen document hears runtime messages too).
    { to: 'host', type: 'host/run', job: { id: uuid, request: { kind: 'case-files', origin: ORIGIN, workflowId: '1', orderId: null, template: '' }, phase: 'running', filename: '', startedAt: 1, progress: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, listingDone: false, failed: 0, rate: 0, archiveBytes: 0 } } },
    { to: 'host', type: 'host/cancel', jobId: victim },
    { to: 'host', type: 'host/cleanup', jobId: victim },
    // Another tab's export, another origin's export, another origin's templates.
    { to: 'background', type: 'export/cancel', jobId: victim },
    { to: 'background', type: 'export/start', request: { kind: 'csv', origin: 'http://localhost:1', workflowId: '1', orderId: null, submissions: 'all', layout: 'long', bom: false } },
    { to: 'background', type: 'last-template/set', origin: 'http://localhost:1', workflowId: '1', template: 'evil/' },
    // Administration.
    { to: 'background', type: 'settings/set', patch: { parallel: 16 } },
    { to: 'background', type: 'settings/get' },
    { to: 'background', type: 'favourites/delete', id: favourite.id },
    { to: 'background', type: 'favourites/rename', id: favourite.id, name: 'Owned' },
    { to: 'background', type: 'favourites/set-default', id: favourite.id },
    { to: 'background', type: 'favourites/import', json: JSON.stringify({ type: 'workflow-exporter/favourites', version: 1, favourites: [{ name: 'x', template: 'x/' }] }) },
    { to: 'background', type: 'favourites/add', name: 'Evil', template: 'evil/' },
    { to: 'background', type: 'origins/add', origin: 'http://localhost:1' },
    { to: 'background', type: 'origins/remove', origin: ORIGIN },
    { to: 'background', type: 'history/list' },
    // Malformed.
    { to: 'background', type: 'export/start', request: { kind: 'case-files', origin: ORIGIN, workflowId: { $gt: '' }, orderId: null, template: '' } },
    { to: 'background', type: 'nope' },
  ];
  for (const message of forged) {
    // Refused with a reason; another tab's export is answered as if there were none ({ ok: false }).
    const reply = (await send(message)) as { error?: string; ok?: boolean } | null;
    const refused = (typeof reply?.error === 'string' && reply.error.length > 0) || reply?.ok === false;
    expect({ message, refused }).toEqual({ message, refused: true });
  }
  // A forged job update to our pages: the popup (listening for job/update) ignores it.
  await expect(ours.page.locator('.we-jobs > li')).toHaveCount(1);
  const fake = { id: uuid, request: { kind: 'csv', origin: ORIGIN, workflowId: '1', orderId: null, submissions: 'all', layout: 'long', bom: false }, phase: 'done', filename: 'x_results.csv', startedAt: Date.now(), progress: { filesDone: 4242, filesTotal: 4242, bytesDone: 0, bytesTotal: 0, listingDone: true, failed: 0, rate: 0, archiveBytes: 0 }, result: { filename: 'x_results.csv', archiveBytes: 1, files: 4242, failed: [] } };
  await send({ to: 'ui', type: 'job/update', job: fake });
  await ours.page.waitForTimeout(300); // give a forged update the time to show (it must not)
  await expect(ours.page.locator('.we-jobs > li')).toHaveCount(1);

  // Nothing changed.
  expect(await snapshot()).toEqual(before);
  // No download but the victim's own, which Chrome saves as it is built (streamed), still in progress.
  for (const d of (await listDownloads(sw)) as unknown as { url: string; state: string }[])
    expect([d.url.replace(/^chrome-extension:\/\/[a-p]+\//, ''), d.state]).toEqual([`stream/${victim}`, 'in_progress']);
  expect(filesIn(profile.downloads).filter((f) => !f.endsWith('.crdownload'))).toEqual([]);
  const jobs = (await ours.send({ to: 'background', type: 'jobs/list' })) as { id: string; phase: string; tabId?: number }[];
  expect(jobs.map((j) => [j.id, j.phase])).toEqual([[victim, 'running']]);
  // And the job goes on: its bytes keep coming.
  const bytes = site.stats().fileBytesSent;
  await expect.poll(() => site.stats().fileBytesSent, { timeout: 30_000 }).toBeGreaterThan(bytes);

  // Clean up: its own tab cancels it.
  expect(await otherWorld.send({ to: 'background', type: 'export/cancel', jobId: victim })).toEqual({ ok: true });
  await expect.poll(async () => ((await ours.send({ to: 'background', type: 'jobs/list' })) as { phase: string }[])[0]?.phase, { timeout: 20_000 }).toBe('cancelled');
  // (Its streamed download is removed and erased as the job ends.)
  await expect.poll(() => listDownloads(sw), { timeout: 10_000 }).toEqual([]);
});
