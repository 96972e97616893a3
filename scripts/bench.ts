/**
 * `npm run bench`: builds the extension, then runs every `tests/bench/*.bench.ts` in turn, each in
 * headless Chromium against the reference platform on loopback. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureChromium } from './ensure-chromium';
import { ensureTools } from './tools';

const ROOT = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
ensureTools(['chromium', 'curl']);
const chromium = ensureChromium();
const version = spawnSync(chromium, ['--version']).stdout.toString().trim();
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${version}; Node ${process.version}`);
if (spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) process.exit(1);
const benches = readdirSync(join(ROOT, 'tests/bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const b of benches) {
  console.log(`\n▶ ${b}`);
  const r = spawnSync('npx', ['tsx', join('tests/bench', b)], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
