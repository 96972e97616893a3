/**
 * The Firefox e2e tests (`tests/e2e-firefox/`): installs Firefox ESR if it is missing, builds the
 * Firefox MV3 extension for the test's platform port into its own folder, then runs each test with
 * plain node assertions and prints `N passed, N failed`.
 *
 *   npx tsx scripts/test-firefox.ts [--no-build] [NAME…]
 *
 * NAMEs run only those files of tests/e2e-firefox/ (e.g. `csv` for csv.firefox.ts).
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

const FILES = ['case-files', 'origins', 'annotated', 'hostile-html', 'csv', 'session-pause', 'not-verified', 'cancel', 'only-new', 'resume'];
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = only.filter((n) => !FILES.includes(n));
if (unknown.length) {
  console.error(`unknown test file: ${unknown.join(', ')} (known: ${FILES.join(', ')})`);
  process.exit(2);
}
const tests: { name: string; fn: () => Promise<void> }[] = [];
for (const file of FILES.filter((f) => !only.length || only.includes(f)))
  tests.push(...((await import(`../tests/e2e-firefox/${file}.firefox.ts`)) as { tests: typeof tests }).tests);
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
