/**
 * Every outside program that the project's scripts, tests and bench run, with the Debian package
 * that has it. `npm test`, `npm start` and `npm run bench` install the missing ones (quietly: one line
 * per package, apt's own output only when it fails); a test whose program is missing says which
 * program and which package instead of failing on a `null` exit status.
 */
import { spawnSync, type SpawnSyncOptions, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tool {
  /** Debian's package that installs it. */
  pkg: string;
  /** Where it must be, when not simply on the PATH. */
  path?: string;
  /** What runs it. */
  usedBy: string;
  /** A data file (a language pack), not a program: only that it can be read is checked. */
  file?: boolean;
}

export const TOOLS = {
  chromium: { pkg: 'chromium', path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', usedBy: 'the e2e tests, npm start and the bench' },
  'firefox-esr': { pkg: 'firefox-esr', path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', usedBy: 'the Firefox e2e tests' },
  'firefox-esr-l10n-de': {
    pkg: 'firefox-esr-l10n-de',
    path: '/usr/lib/firefox-esr/browser/extensions/langpack-de@firefox-esr.mozilla.org.xpi',
    usedBy: 'the Firefox e2e tests (the UI in German: Firefox shows an extension in a language only when its language pack is installed)',
    file: true,
  },
  '7z': { pkg: 'p7zip-full', usedBy: 'the unit and e2e tests (an independent ZIP reader)' },
  unzip: { pkg: 'unzip', usedBy: 'the e2e tests (an independent ZIP reader)' },
  python3: { pkg: 'python3', usedBy: "the unit and e2e tests (Python's zipfile)" },
  curl: { pkg: 'curl', usedBy: 'the bench (the reference download next to the extension)' },
  sha256sum: { pkg: 'coreutils', usedBy: 'the e2e tests (checksum lists)' },
  openssl: { pkg: 'openssl', usedBy: 'the reference platform over HTTPS (the self-signed certificate of the HTTP/2 test and bench)' },
} satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOLS;

/** The program's full path, or null when it is not installed. */
export function findTool(name: ToolName): string | null {
  const tool: Tool = TOOLS[name];
  const candidates = tool.path ? [tool.path] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, tool.file ? constants.R_OK : constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

export function missingToolMessage(name: ToolName): string {
  const tool: Tool = TOOLS[name];
  return `${name} is not installed: it is in Debian's ${tool.pkg} package (used by ${tool.usedBy}). ` +
    `\`npm test\` installs it; or run \`apt-get install ${tool.pkg}\`.`;
}

/** The full path of a program the caller needs, or an error that says how to get it. */
export function requireTool(name: ToolName): string {
  const path = findTool(name);
  if (!path) throw new Error(missingToolMessage(name));
  return path;
}

/** `spawnSync` of one of the listed programs; a missing program is an error that names its package. */
export function runTool(name: ToolName, args: string[], opts: SpawnSyncOptions = {}): SpawnSyncReturns<string> {
  const r = spawnSync(requireTool(name), args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts }) as SpawnSyncReturns<string>;
  if (r.error) throw new Error(`${name} could not run: ${r.error.message}`);
  return r;
}

/** The standard output of a listed program that must succeed; otherwise an error with what it said. */
export function toolOutput(name: ToolName, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = runTool(name, args, opts);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function apt(args: string[]): { ok: boolean; output: string } {
  const root = process.getuid?.() === 0;
  const [cmd, ...rest] = root ? ['apt-get', ...args] : ['sudo', 'apt-get', ...args];
  const r = spawnSync(cmd, rest, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** Installs the Debian packages of the missing programs, one line per package; throws when one fails. */
export function ensureTools(names: ToolName[] = Object.keys(TOOLS) as ToolName[]): void {
  const missing = [...new Set(names.filter((n) => !findTool(n)).map((n) => TOOLS[n].pkg))];
  if (!missing.length) return;
  const update = apt(['update', '-qq']);
  if (!update.ok) {
    process.stderr.write(update.output);
    throw new Error(`apt-get update failed: cannot install ${missing.join(', ')}.`);
  }
  for (const pkg of missing) {
    console.log(`Installing Debian's ${pkg}…`);
    const r = apt(['install', '-y', '-qq', pkg]);
    if (!r.ok) {
      process.stderr.write(r.output);
      throw new Error(`Could not install Debian's ${pkg}. Install it yourself (apt-get install ${pkg}).`);
    }
  }
  const still = names.filter((n) => !findTool(n));
  if (still.length) throw new Error(still.map(missingToolMessage).join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.slice(2) as ToolName[];
  for (const n of names) if (!(n in TOOLS)) throw new Error(`Unknown tool ${n}: one of ${Object.keys(TOOLS).join(', ')}`);
  ensureTools(names.length ? names : undefined);
}
