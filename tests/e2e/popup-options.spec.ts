/**
 * The popup and the options page in Chromium: the shared flows of tests/flows/popup-options.flow.ts
 * and tests/flows/origins.flow.ts (Firefox runs them too), plus what only Chromium does: its
 * permission prompt when an origin is added.
 */
import { startSite } from '../site/server';
import { test, expect } from './harness';
import { chromiumTests } from '../flows/chromium';
import { flows as popupOptions } from '../flows/popup-options.flow';
import { flows as origins } from '../flows/origins.flow';

chromiumTests([...popupOptions, ...origins]);

/**
 * Chromium asks the user before it grants a host permission, and that prompt can't be answered in
 * headless Chromium under Playwright: the only auto-accept is C++ test code
 * (`PermissionsRequestFunction::SetDialogActionForTests`, guarded by CHECK_IS_TEST), there is no
 * command-line switch, and CDP has no command for extension permissions. Chromium skips the prompt
 * only when the permission is already active (or was granted before and removed). So this test
 * checks on the real build that the click does ask Chromium (the request stays pending on its
 * prompt, nothing is added); the shared flow (origins.flow.ts) goes on from the state after the user
 * clicked "Allow" (`DriverOptions.grantedOrigins`).
 */
test('adding an origin asks Chromium for access (its prompt pending, nothing added)', async ({ context, sw }) => {
  const port = Number(process.env.E2E_PORT_2 ?? Number(process.env.E2E_PORT ?? 4400) + 15);
  const second = await startSite({ port });
  const origin2 = `http://localhost:${port}`;
  try {
    const options = await context.newPage();
    await options.goto(`chrome-extension://${new URL(sw.url()).host}/options.html`);
    const origins = options.getByRole('region', { name: 'Platform origins' });
    await origins.getByRole('textbox', { name: 'Platform origin' }).fill(`${origin2}/`);
    await origins.getByRole('button', { name: 'Add origin' }).click();
    await expect(origins.getByRole('status')).toHaveText(`Allow access to ${origin2} in the browser's prompt to add it.`);
    await options.waitForTimeout(1000);
    await expect(origins.getByRole('list', { name: 'Platform origins' })).not.toContainText(origin2);
    expect(await sw.evaluate((o) => chrome.permissions.contains({ origins: [`${o}/*`] }), origin2)).toBe(false);
    expect(await sw.evaluate(() => chrome.scripting.getRegisteredContentScripts())).toEqual([]);
  } finally {
    await second.close();
  }
});
