/**
 * The Firefox e2e tests (`tests/e2e-firefox/`): installs Firefox ESR if it is missing, builds the
 * Firefox MV3 extension for the test's platform port into its own folder, then runs each test with
 * plain node assertions and prints `N passed, N failed`.
 *
 *   npx tsx scripts/test-firefox.ts [--no-build]
 */
import { spawnSync } from 'node:child_process';
import { ensureFirefox } from './ensure-firefox';

ensureFirefox();
const port = process.env.FIREFOX_E2E_PORT ?? '4407';
const outDir = process.env.FIREFOX_OUT_DIR ?? '.output-ff';
if (!process.argv.includes('--no-build')) {
  console.log(`▶ build (Firefox, for http://localhost:${port}) into ${outDir}`);
  const r = spawnSync('npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], {
    stdio: 'inherit',
    env: { ...process.env, WE_OUT_DIR: outDir, WE_ORIGINS: `http://localhost:${port}` },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tests = [
  ...(await import('../tests/e2e-firefox/case-files.firefox')).tests,
  ...(await import('../tests/e2e-firefox/origins.firefox')).tests,
  ...(await import('../tests/e2e-firefox/annotated.firefox')).tests,
  ...(await import('../tests/e2e-firefox/only-new.firefox')).tests,
];
let passed = 0;
let failed = 0;
for (const t of tests) {
  const started = Date.now();
  try {
    await t.fn();
    passed++;
    console.log(`  ✓ ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed++;
    console.log(`  ✘ ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.error(err);
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
