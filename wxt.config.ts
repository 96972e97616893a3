import { defineConfig } from 'wxt';
import { originMatchPattern } from './lib/settings';

/**
 * Origins the extension serves out of the box. The reference platform unless the build is told
 * others: `WE_ORIGINS="https://app.example.com,https://eu.example.com" npm run build`.
 * The user can add more at runtime in the options (optional host permissions).
 */
export const defaultOrigins = (process.env.WE_ORIGINS ?? 'http://localhost:4400')
  .split(',')
  .map((o) => o.trim().replace(/\/+$/, ''))
  .filter(Boolean);

/**
 * The match pattern of an origin. Firefox's match patterns take no port (one with a port matches
 * nothing, so neither the content script nor the host permission would apply): there the pattern
 * covers every port of the host.
 */

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  // Parallel checkouts of the e2e suite build into their own folder (WE_OUT_DIR).
  outDir: process.env.WE_OUT_DIR ?? '.output',
  // `npm run zip`: the sources zip for Mozilla's review holds the project, not local test leftovers.
  zip: { excludeSources: ['test-results*/**', 'playwright-report/**', 'tests/.tmp/**', '.demo/**', '.output*/**'] },
  vite: () => ({
    // WE_NO_MINIFY=1: readable function names in CPU profiles of the engine.
    ...(process.env.WE_NO_MINIFY ? { build: { minify: false } } : {}),
    worker: { format: 'es' },
    define: { __DEFAULT_ORIGINS__: JSON.stringify(defaultOrigins) },
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  }),
  hooks: {
    // The content script serves the build's origins (more are registered at runtime from the options).
    'build:manifestGenerated': (wxt, manifest) => {
      const matches = defaultOrigins.map((o) => originMatchPattern(o, wxt.config.browser));
      for (const cs of manifest.content_scripts ?? []) cs.matches = matches;
    },
  },
  manifest: ({ browser }) => ({
    // Text in public/_locales/<lang>/messages.json; the browser picks the language (English by default).
    default_locale: 'en',
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    permissions: [
      'downloads',
      'storage',
      'unlimitedStorage',
      // Content scripts for the platform origins the user adds in the options (no reinstall).
      'scripting',
      ...(browser === 'firefox' ? [] : ['offscreen']),
    ],
    host_permissions: defaultOrigins.map((o) => originMatchPattern(o, browser)),
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    // SHA-256 checks use hash-wasm (WebAssembly); nothing else is relaxed.
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
    action: { default_title: '__MSG_extName__' },
    ...(browser === 'firefox'
      ? { browser_specific_settings: {
          gecko: {
            id: 'workflow-exporter@example.org',
            // 140 (ESR): data_collection_permissions; optional_host_permissions since 128, OPFS sync access handles since 111.
            strict_min_version: '140.0',
            // Nothing leaves the browser but the user's own requests to their platform.
            data_collection_permissions: { required: ['none'] },
          },
          gecko_android: { strict_min_version: '142.0' },
        } }
      : {}),
  }),
});
