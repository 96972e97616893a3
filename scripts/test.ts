/**
 * `npm test`: everything, in the order that fails fastest. Installs every outside program the tests
 * run when it is missing (scripts/tools.ts), builds the extension fresh (Chrome and Firefox), lints the Firefox build (web-ext),
 * type-checks, runs the unit tests, then the e2e tests in real Chromium, then in real Firefox ESR.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureTools } from './tools';

const SUMMARY = 'tests/.tmp/summary';
mkdirSync(SUMMARY, { recursive: true });

function run(label: string, cmd: string, args: string[], env: Record<string, string> = {}): string {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, {
    stdio: ['inherit', 'pipe', 'inherit'],
    env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1', ...env },
    maxBuffer: 1 << 28,
  });
  const out = r.stdout?.toString() ?? '';
  process.stdout.write(out);
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
  return out;
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

ensureTools(); // Chromium, Firefox ESR, 7z, unzip, python3, curl… (scripts/tools.ts)
run('build', 'npx', ['wxt', 'build']);
run('build (Firefox)', 'npx', ['wxt', 'build', '-b', 'firefox', '--mv3']);
run('lint (Firefox)', 'npx', ['web-ext', 'lint', '--source-dir', '.output/firefox-mv3']);
run('type-check', 'npx', ['tsc', '--noEmit']);
run('unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${SUMMARY}/vitest.json`]);
run('e2e tests', 'npx', ['playwright', 'test', '--reporter=list,json', ...process.argv.slice(2)], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: `${SUMMARY}/playwright.json`,
});
const firefox = run('e2e tests (Firefox)', 'npx', ['tsx', 'scripts/test-firefox.ts']);

// One total over every runner, as the last line.
const unit = json(`${SUMMARY}/vitest.json`);
const e2e = json(`${SUMMARY}/playwright.json`).stats;
const ff = /(\d+) passed, (\d+) failed/.exec(firefox) ?? ['', '0', '0'];
const passed = unit.numPassedTests + e2e.expected + e2e.flaky + Number(ff[1]);
const failed = unit.numFailedTests + e2e.unexpected + Number(ff[2]);
console.log(`\n✔ all tests passed: unit ${unit.numPassedTests}, e2e ${e2e.expected + e2e.flaky} (Chromium), ${ff[1]} (Firefox)`);
console.log(`${passed} passed, ${failed} failed`);
