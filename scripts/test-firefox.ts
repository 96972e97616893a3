/**
 * The Firefox e2e tests: installs Firefox ESR if it is missing, builds the Firefox MV3 extension for
 * the test's platform port into its own folder, then runs, with plain node assertions, every shared
 * flow (`tests/flows/*.flow.ts`, the ones meant for Firefox) and every Firefox-only test
 * (`tests/e2e-firefox/*.firefox.ts`), and prints `N passed, N failed`. Both folders are read when
 * it starts: a new file joins without editing this script.
 *
 *   npx tsx scripts/test-firefox.ts [--no-build] [NAME…]
 *
 * NAMEs run only the files of that name (e.g. `csv` for csv.flow.ts and csv.firefox.ts).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureFirefox } from './ensure-firefox';

ensureFirefox();
const port = process.env.FIREFOX_E2E_PORT ?? '4407';
const outDir = process.env.FIREFOX_OUT_DIR ?? '.output-ff';
// The harness (imported by the tests) reads its platform origin from E2E_PORT when first imported.
process.env.E2E_PORT = port;
process.env.FIREFOX_E2E_PORT = port;
if (!process.argv.includes('--no-build')) {
  console.log(`▶ build (Firefox, for http://localhost:${port}) into ${outDir}`);
  const r = spawnSync('npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], {
    stdio: 'inherit',
    env: { ...process.env, WE_OUT_DIR: outDir, WE_ORIGINS: `http://localhost:${port}` },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const ROOT = resolve(import.meta.dirname, '..');
const found = (dir: string, suffix: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => ({ name: f.slice(0, -suffix.length), path: join(ROOT, dir, f) }));
const FLOWS = found('tests/flows', '.flow.ts');
const FIREFOX_ONLY = found('tests/e2e-firefox', '.firefox.ts');
const known = [...new Set([...FLOWS, ...FIREFOX_ONLY].map((f) => f.name))];
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = only.filter((n) => !known.includes(n));
if (unknown.length) {
  console.error(`unknown test file: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  process.exit(2);
}
const wanted = (f: { name: string }) => !only.length || only.includes(f.name);

type Flow = import('../tests/flows/driver').Flow;
const { runInFirefox } = await import('../tests/flows/firefox');
const tests: { name: string; fn: () => Promise<void> }[] = [];
for (const file of FLOWS.filter(wanted))
  for (const flow of ((await import(file.path)) as { flows: Flow[] }).flows)
    if (!flow.browsers || flow.browsers.includes('firefox')) tests.push({ name: `Firefox ESR: ${flow.name}`, fn: () => runInFirefox(flow) });
for (const file of FIREFOX_ONLY.filter(wanted)) tests.push(...((await import(file.path)) as { tests: typeof tests }).tests);

let passed = 0;
let failed = 0;
/** One line per failed test, repeated at the end: the tail of a long log is often all that is read. */
const failures: string[] = [];
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
    failures.push(`  ✖ ${t.name} — ${String((err as Error)?.message ?? err).split('\n')[0].slice(0, 300)}`);
  }
}
if (failures.length) console.log(`\nfailed:\n${failures.join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
