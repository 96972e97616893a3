import { defineConfig } from 'wxt';

/**
 * Origins the extension serves out of the box. The reference platform unless the build is told
 * others: `WE_ORIGINS="https://app.example.com,https://eu.example.com" npm run build`.
 * The user can add more at runtime in the options (optional host permissions).
 */
export const defaultOrigins = (process.env.WE_ORIGINS ?? 'http://localhost:4400')
  .split(',')
  .map((o) => o.trim().replace(/\/+$/, ''))
  .filter(Boolean);

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  // Parallel checkouts of the e2e suite build into their own folder (WE_OUT_DIR).
  outDir: process.env.WE_OUT_DIR ?? '.output',
  vite: () => ({
    worker: { format: 'es' },
    define: { __DEFAULT_ORIGINS__: JSON.stringify(defaultOrigins) },
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  }),
  hooks: {
    // The content script serves the build's origins (more are registered at runtime from the options).
    'build:manifestGenerated': (_wxt, manifest) => {
      for (const cs of manifest.content_scripts ?? []) cs.matches = defaultOrigins.map((o) => `${o}/*`);
    },
  },
  manifest: ({ browser }) => ({
    name: 'Workflow Exporter',
    description: 'Export workflow results, case files and executions, streamed straight to disk.',
    permissions: [
      'downloads',
      'storage',
      'unlimitedStorage',
      // Content scripts for the platform origins the user adds in the options (no reinstall).
      'scripting',
      ...(browser === 'firefox' ? [] : ['offscreen']),
    ],
    host_permissions: defaultOrigins.map((o) => `${o}/*`),
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    // SHA-256 checks use hash-wasm (WebAssembly); nothing else is relaxed.
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
    action: { default_title: 'Workflow Exporter' },
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'workflow-exporter@example.org', strict_min_version: '115.0' } } }
      : {}),
  }),
});
