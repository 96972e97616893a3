import { defineContentScript } from 'wxt/utils/define-content-script';
import { runFeatures } from '../../components/features/runner';

export default defineContentScript({
  // Replaced at build time by the build's platform origins (wxt.config.ts); more at runtime via options.
  matches: ['http://localhost:4400/*'],
  runAt: 'document_idle',
  main(ctx) {
    const recheck = runFeatures(ctx.signal);
    ctx.addEventListener(window, 'wxt:locationchange', recheck);
  },
});
