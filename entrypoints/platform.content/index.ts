import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { runFeatures } from '../../components/features/runner';
import { servesOrigin } from '../../lib/senders';
import type { SettingsArea } from '../../lib/settings';

export default defineContentScript({
  // Replaced at build time by the build's platform origins (wxt.config.ts); more at runtime via options.
  matches: ['http://localhost:4400/*'],
  runAt: 'document_idle',
  async main(ctx) {
    // Firefox's match patterns take no port (the script is injected on every port of the host) and
    // a registered pattern may be wider than the origin: outside a configured origin, nothing at all.
    if (!(await servesOrigin(location.origin, browser.storage.local as unknown as SettingsArea)) || ctx.isInvalid) return;
    const recheck = runFeatures(ctx.signal);
    ctx.addEventListener(window, 'wxt:locationchange', recheck);
  },
});
