/**
 * `npm test`: everything, in the order that fails fastest. Installs Chromium and Firefox ESR if they
 * are missing, builds the extension fresh (Chrome and Firefox), lints the Firefox build (web-ext),
 * type-checks, runs the unit tests, then the e2e tests in real Chromium, then in real Firefox ESR.
 */
import { spawnSync } from 'node:child_process';
import { ensureChromium } from './ensure-chromium';
import { ensureFirefox } from './ensure-firefox';

function run(label: string, cmd: string, args: string[]) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

ensureChromium();
ensureFirefox();
run('build', 'npx', ['wxt', 'build']);
run('build (Firefox)', 'npx', ['wxt', 'build', '-b', 'firefox', '--mv3']);
run('lint (Firefox)', 'npx', ['web-ext', 'lint', '--source-dir', '.output/firefox-mv3']);
run('type-check', 'npx', ['tsc', '--noEmit']);
run('unit tests', 'npx', ['vitest', 'run']);
run('e2e tests', 'npx', ['playwright', 'test', ...process.argv.slice(2)]);
run('e2e tests (Firefox)', 'npx', ['tsx', 'scripts/test-firefox.ts']);
console.log('\n✔ all tests passed');
