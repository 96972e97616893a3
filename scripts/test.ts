/**
 * `npm test`: everything, in the order that fails fastest. Installs every outside program the tests
 * run when it is missing (scripts/tools.ts), builds the extension fresh (Chrome and Firefox), lints the
 * Firefox build (web-ext), type-checks, runs the unit tests, then the e2e tests of both browsers AT ONCE:
 * real Chromium (Playwright, the platform on port 4400, the build in `.output/`) and real Firefox ESR
 * (puppeteer-core over WebDriver BiDi, the platform on port 4407, its own build in `.output-ff/`). Each
 * runner's lines are prefixed with its browser as they come; at the end both summaries and one total
 * line, `N passed, N failed` (scripts read it).
 *
 * Why at once: the two suites are the long part (each has a test of more than 5 minutes that mostly
 * waits: Chromium's streamed export, Firefox's idle event page) and each runs one browser at a time, so
 * on 2 cores running them side by side roughly halves the wall time and keeps CI under 30 minutes.
 *
 *   npm test [-- PLAYWRIGHT_ARGS…]     (arguments go to Playwright, e.g. a spec file)
 *   WE_TEST_BROWSERS=chromium npm test  (or `firefox`: one browser's e2e only)
 *   WE_FIREFOX_TESTS='csv cancel' npm test  (only those Firefox test files, as `npm run test:firefox -- csv cancel`)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureTools } from './tools';

const SUMMARY = 'tests/.tmp/summary';
mkdirSync(SUMMARY, { recursive: true });
/** The Firefox e2e platform port and build folder (scripts/test-firefox.ts reads the same variables). */
const FIREFOX_PORT = process.env.FIREFOX_E2E_PORT ?? '4407';
const FIREFOX_OUT_DIR = process.env.FIREFOX_OUT_DIR ?? '.output-ff';
const browsers = (process.env.WE_TEST_BROWSERS ?? 'chromium,firefox').split(',').map((b) => b.trim());
const colour = { FORCE_COLOR: process.env.CI ? '0' : '1' };

function run(label: string, cmd: string, args: string[], env: Record<string, string> = {}): string {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, {
    stdio: ['inherit', 'pipe', 'inherit'],
    env: { ...process.env, ...colour, ...env },
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

interface Finished {
  label: string;
  status: number | null;
  out: string;
  seconds: number;
}

/** Runs a command in the background, its lines (stdout and stderr) printed with `prefix` as they come. */
function runPrefixed(label: string, prefix: string, cmd: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...colour, ...env } });
    let out = '';
    const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr', chunk: string) => {
      if (stream === 'stdout') out += chunk;
      const lines = (pending[stream] + chunk).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) (stream === 'stdout' ? process.stdout : process.stderr).write(`${prefix} ${line}\n`);
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => take('stdout', c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => take('stderr', c));
    child.on('close', (status, signal) => {
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) take(stream, '\n');
      resolve({ label, status: status ?? (signal ? 1 : 0), out, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

interface PwSuite {
  title: string;
  suites?: PwSuite[];
  specs?: { title: string; tests: { status: string; results: { error?: { message?: string } }[] }[] }[];
}
/** Each unexpected Playwright test, with its error's first line. */
function playwrightFailures(suites: PwSuite[], path: string[] = []): string[] {
  return suites.flatMap((s) => [
    ...(s.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((t) => t.status === 'unexpected')
        .map((t) => `  ✘ ${[...path, s.title, spec.title].filter(Boolean).join(' › ')}: ${(t.results.at(-1)?.error?.message ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0].slice(0, 300)}`),
    ),
    ...playwrightFailures(s.suites ?? [], [...path, s.title]),
  ]);
}

ensureTools(); // Chromium, Firefox ESR, 7z, unzip, python3, curl… (scripts/tools.ts)
run('build', 'npx', ['wxt', 'build']);
run('build (Firefox)', 'npx', ['wxt', 'build', '-b', 'firefox', '--mv3']);
run('lint (Firefox)', 'npx', ['web-ext', 'lint', '--source-dir', '.output/firefox-mv3']);
// The Firefox e2e build, for its own port, into its own folder (before the suites start: two WXT builds
// at once would share .wxt/).
if (browsers.includes('firefox'))
  run(`build (Firefox, for http://localhost:${FIREFOX_PORT})`, 'npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], {
    WE_OUT_DIR: FIREFOX_OUT_DIR,
    WE_ORIGINS: `http://localhost:${FIREFOX_PORT}`,
  });
run('type-check', 'npx', ['tsc', '--noEmit']);
run('unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${SUMMARY}/vitest.json`]);

// Both browsers' e2e suites at once, on distinct ports and build folders.
rmSync(`${SUMMARY}/playwright.json`, { force: true }); // a stale report must not count
const suites: Promise<Finished>[] = [];
if (browsers.includes('chromium'))
  suites.push(
    runPrefixed('e2e tests (Chromium)', '[chromium]', 'npx', ['playwright', 'test', '--reporter=list,json', ...process.argv.slice(2)], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: `${SUMMARY}/playwright.json`,
    }),
  );
if (browsers.includes('firefox'))
  suites.push(
    runPrefixed('e2e tests (Firefox)', '[firefox] ', 'npx', ['tsx', 'scripts/test-firefox.ts', '--no-build', ...(process.env.WE_FIREFOX_TESTS ?? '').split(/[\s,]+/).filter(Boolean)], {
      FIREFOX_E2E_PORT: FIREFOX_PORT,
      FIREFOX_OUT_DIR,
    }),
  );
const finished = await Promise.all(suites);

// Each runner's summary, then one total over every runner, as the last line.
const unit = json(`${SUMMARY}/vitest.json`);
let passed = unit.numPassedTests as number;
let failed = unit.numFailedTests as number;
const parts = [`unit ${unit.numPassedTests}`];
console.log('\n── summary');
console.log(`unit tests: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed`);
const failures: string[] = [];
for (const f of finished) {
  let p = 0;
  let n = 0;
  if (f.label.includes('Chromium')) {
    try {
      const report = json(`${SUMMARY}/playwright.json`);
      p = report.stats.expected + report.stats.flaky;
      n = report.stats.unexpected;
      failures.push(...playwrightFailures(report.suites ?? []).map((l) => `[chromium] ${l.trim()}`));
    } catch {
      n = 1; // no report: the runner itself failed
    }
  } else {
    const m = [...f.out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
    if (m) [p, n] = [Number(m[1]), Number(m[2])];
    else n = 1;
    failures.push(...f.out.split('\n').filter((l) => /^  ✖ /.test(l)).map((l) => `[firefox] ${l.trim()}`));
  }
  if (f.status !== 0 && n === 0) n = 1; // it failed without a failed test (build, crash): count it
  passed += p;
  failed += n;
  parts.push(`e2e ${p} (${f.label.includes('Chromium') ? 'Chromium' : 'Firefox'})`);
  console.log(`${f.label}: ${p} passed, ${n} failed, ${(f.seconds / 60).toFixed(1)} min${f.status ? ` (exit ${f.status})` : ''}`);
}
for (const l of failures) console.log(l);
if (failed === 0) console.log(`\n✔ all tests passed: ${parts.join(', ')}`);
else console.error(`\n✖ ${failed} failed: ${finished.filter((f) => f.status).map((f) => f.label).join(', ') || 'see above'}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
