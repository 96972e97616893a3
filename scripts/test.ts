/**
 * `npm test`: everything, in the order that fails fastest. Installs Chromium if it is missing,
 * builds the extension fresh (Chrome and Firefox), type-checks, runs the unit tests, then the e2e
 * tests in real Chromium.
 */
import { spawnSync } from 'node:child_process';
import { ensureChromium } from './ensure-chromium';

function run(label: string, cmd: string, args: string[]) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

ensureChromium();
run('build', 'npx', ['wxt', 'build']);
run('build (Firefox)', 'npx', ['wxt', 'build', '-b', 'firefox', '--mv3']);
run('type-check', 'npx', ['tsc', '--noEmit']);
run('unit tests', 'npx', ['vitest', 'run']);
run('e2e tests', 'npx', ['playwright', 'test', ...process.argv.slice(2)]);
console.log('\n✔ all tests passed');
