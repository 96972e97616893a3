import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { runFeatures } from '../../components/features/runner';
import { allOrigins, builtInOrigins, loadSettings, type SettingsArea } from '../../lib/settings';
import { isConfiguredOrigin } from '../../lib/senders';

/**
 * Whether this page's origin is one the extension serves. Firefox's match patterns take no port
 * (the script is injected on every port of the host) and a registered pattern may be wider than
 * the origin: outside a configured origin the script does nothing at all.
 */
async function servesThisOrigin(): Promise<boolean> {
  const configured = await loadSettings(browser.storage.local as unknown as SettingsArea).then(
    (settings) => allOrigins(settings),
    () => builtInOrigins(),
  );
  return isConfiguredOrigin(location.origin, configured);
}

export default defineContentScript({
  // Replaced at build time by the build's platform origins (wxt.config.ts); more at runtime via options.
  matches: ['http://localhost:4400/*'],
  runAt: 'document_idle',
  async main(ctx) {
    if (!(await servesThisOrigin()) || ctx.isInvalid) return;
    const recheck = runFeatures(ctx.signal);
    ctx.addEventListener(window, 'wxt:locationchange', recheck);
  },
});
