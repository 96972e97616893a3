/**
 * Debian's Firefox ESR with the built Firefox extension, launched by puppeteer-core over WebDriver
 * BiDi: where the build is, the platform's port, the profile prefs and the launch. Shared by the
 * Firefox driver (tests/flows/firefox.ts) and the Firefox-only tests of this folder.
 */
import { resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIREFOX_PORT = Number(process.env.FIREFOX_E2E_PORT ?? 4407);
export const FIREFOX_OUT_DIR = process.env.FIREFOX_OUT_DIR ?? '.output-ff';
export const ORIGIN = `http://localhost:${FIREFOX_PORT}`;
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const EXTENSION_DIR = resolve(ROOT, FIREFOX_OUT_DIR, 'firefox-mv3');
export const EXTENSION_ID = 'workflow-exporter@example.org';
/**
 * The extension's internal UUID, fixed by a pref (Firefox picks a random one per profile
 * otherwise): its pages are then at a known `moz-extension://` address and its storage in a known
 * folder of the profile.
 */
export const EXTENSION_UUID = '6f1d2c3b-4a5e-4f60-8a71-92b3c4d5e6f7';
export const EXTENSION_BASE = `moz-extension://${EXTENSION_UUID}`;

/**
 * Profile prefs: downloads go to `downloads` without a prompt, and nothing phones home.
 * Host permissions need no pref and no prompt: Firefox (127+) grants an MV3 extension's
 * `host_permissions` at install (`extensions.originControls.grantByDefault`, true by default),
 * temporary add-ons installed over WebDriver BiDi included. The content script showing the
 * Export group proves it; the worker's credentialed fetches to the platform prove the rest.
 * (The patterns carry no port in the Firefox build: Firefox match patterns with a port match nothing.)
 */
export function firefoxPrefs(downloads: string): Record<string, unknown> {
  return {
    'browser.download.dir': downloads,
    'browser.download.folderList': 2,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
    'browser.download.alwaysOpenPanel': false,
    'browser.download.panel.shown': true,
    'browser.download.manager.showWhenStarting': false,
    'browser.helperApps.neverAsk.saveToDisk': 'application/zip,application/octet-stream,text/csv',
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'extensions.update.enabled': false,
    'app.update.enabled': false,
    'extensions.webextensions.uuids': JSON.stringify({ [EXTENSION_ID]: EXTENSION_UUID }),
    // A temporary add-on is uninstalled when Firefox quits: keep its storage for the restart tests.
    'extensions.webextensions.keepStorageOnUninstall': true,
    'extensions.webextensions.keepUuidOnUninstall': true,
  };
}

/**
 * `--remote-allow-system-access`: without it, Firefox's WebDriver BiDi refuses to navigate a tab
 * to a `moz-extension://` page ("Navigation to … is not allowed in this context": only http(s),
 * file, blob and about:blank are "webdriver-safe", remote/shared/BrowsingContextUtils.sys.mjs).
 * With it, the popup and the options page open in a tab like any page (their load is not reported
 * to BiDi, so the driver waits on the document instead).
 */
export async function launchFirefox(
  downloads: string,
  opts: { prefs?: Record<string, unknown>; userDataDir?: string; args?: string[] } = {},
): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocolTimeout: 60_000,
    args: ['--remote-allow-system-access', ...(opts.args ?? [])],
    ...(opts.userDataDir ? { userDataDir: opts.userDataDir } : {}),
    extraPrefsFirefox: { ...firefoxPrefs(downloads), ...(opts.prefs ?? {}) },
  });
}
