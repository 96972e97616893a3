/**
 * A platform origin added at runtime in the options (product spec 3), in both browsers: a second
 * reference platform on another port of localhost gets the Export buttons without a reinstall, in
 * the tab already open and on every page after, still after a browser restart, and loses them
 * when the origin is removed. In Firefox this is the case that matters: its match patterns take no
 * port (the build's own pattern is `http://localhost/*`, injected on every port), so the content
 * script must itself tell the added port from others, and must not run twice on the build's port.
 * (Chromium's permission prompt, which can't be answered headless: popup-options.spec.ts.)
 */
import assert from 'node:assert/strict';
import { startSite } from '../site/server';
import { originMatchPattern } from '../../lib/settings';
import { by, type Driver, type Flow, type Surface } from './driver';

/** The second platform: the build's port + 15 unless E2E_PORT_2 says otherwise. */
const PORT_2 = Number(process.env.E2E_PORT_2 ?? Number(process.env.E2E_PORT ?? 4400) + 15);
const ORIGIN_2 = `http://localhost:${PORT_2}`;

const region = by('region', 'Platform origins');
const originBox = by('textbox', 'Platform origin', region);
const addButton = by('button', 'Add origin', region);
const originList = by('list', 'Platform origins', region);
const caseFilesButton = by('button', 'Export case files');

/** The extension's own scripts registered at runtime, as a page of the extension sees them. */
const registered = async (options: Surface) =>
  (await options.evaluate<{ matches: string[] }[]>('chrome.scripting.getRegisteredContentScripts()')).map((r) => r.matches);

/** The platform's toolbar is there, and (after the content script had time to run) no Export group. */
async function noExportGroup(page: Surface) {
  await page.cssWait('.page-actions');
  // The content script runs at document idle; give it the time it takes on a loaded machine.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await page.exporterCount(), 0, 'no Export group');
}

async function signedInWorkflowPage(d: Driver, page: Surface, origin: string, workflow = '1') {
  await d.signIn(page, origin);
  await page.goto(`${origin}/develop/workflows/${workflow}`);
}

export const flows: Flow[] = [
  {
    name: 'an origin added at runtime (another port) gets the Export buttons without a reinstall, keeps them across a restart, loses them when removed',
    options: { grantedOrigins: [ORIGIN_2] },
    async run(d) {
      const second = await startSite({ port: PORT_2 });
      try {
        const pattern = originMatchPattern(ORIGIN_2, d.browser === 'firefox' ? 'firefox' : 'chrome');
        // Cookies do not tell ports apart: each site signs in its own tab, one after the other.
        const page2 = await d.newPage();
        await signedInWorkflowPage(d, page2, ORIGIN_2);
        await noExportGroup(page2);

        const options = await d.openOptions();
        await options.fill(originBox, `localhost:${PORT_2}/develop`);
        await options.click(addButton);
        await options.waitForText(by('alert', undefined, region), 'without a path');
        await options.fill(originBox, `${ORIGIN_2}/`);
        await options.click(addButton);
        await options.waitForText(by('status', undefined, region), `Added ${ORIGIN_2}`).catch(async (err) => {
          throw new Error(`${(err as Error).message}; the region reads: ${(await options.state(region)).text}`);
        });
        await options.waitForText(originList, ORIGIN_2);
        assert.deepEqual(await registered(options), [[pattern]]);
        assert.equal(await options.evaluate(`chrome.permissions.contains({ origins: [${JSON.stringify(pattern)}] })`), true);

        // The tab already open got the buttons, and every page of the origin gets them from now on.
        await page2.expectState(caseFilesButton, { count: 1, enabled: true });
        await page2.goto(`${ORIGIN_2}/develop/workflows/2`);
        await page2.expectState(caseFilesButton, { count: 1, enabled: true });
        assert.equal(await page2.exporterCount(), 1, 'one Export group');
        // The build's own origin still has exactly one (Firefox: both scripts match its port).
        await signedInWorkflowPage(d, d.page, d.origin);
        await d.page.expectState(caseFilesButton, { count: 1, enabled: true });
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await d.page.exporterCount(), 1, `one Export group on ${d.origin}`);
        await options.close();

        // Still there after a browser restart; removing the origin takes the buttons away.
        await d.restart();
        const again = await d.newPage();
        await signedInWorkflowPage(d, again, ORIGIN_2);
        await again.expectState(caseFilesButton, { count: 1, enabled: true });
        const options2 = await d.openOptions();
        await options2.click(by('button', `Remove ${ORIGIN_2}`, region));
        await options2.waitForText(by('status', undefined, region), `Removed ${ORIGIN_2}`);
        assert.deepEqual(await registered(options2), []);
        await again.reload();
        await noExportGroup(again);
      } finally {
        await second.close();
      }
    },
  },
];
