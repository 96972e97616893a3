/**
 * Configuration of the reference platform (`site-contract.md`): port, data size, fault injection.
 * Every knob has a CLI flag (`--kebab-case value`) and an environment variable (`SITE_UPPER_SNAKE`).
 */

export interface SiteConfig {
  /** TCP port; 0 picks a free one. */
  port: number;
  host: string;
  /** Seed of every generated value (names, images, bytes, fault decisions). */
  seed: number;
  /** true: every name, filename and value is plain ASCII (demos, screenshots). false: the awkward values of the contract. */
  plainNames: boolean;

  // --- size of workflow "3" (the scale workflow) and of the big execution ---
  scaleCases: number;
  scaleFilesPerCase: number;
  /** Bytes of each file of the scale workflow; generated on the fly, never stored. */
  scaleFileSize: number;
  scaleSubmissionsPerCase: number;
  /**
   * 0: every scale file has its own bytes. N > 0: only N distinct contents (file n has the bytes of
   * content n % N), so the SHA-256 of multi-GB files is computed N times only (benchmarks).
   */
  scaleDistinctContents: number;
  /** Steps of the big execution ("3002"). */
  executionSteps: number;
  /** Bytes of each step output of the big execution. */
  stepOutputSize: number;
  /** Bytes of the one huge step output (execution "1003", step "s2"). */
  hugeStepOutputSize: number;

  // --- faults: shares (0..1) of the requests to /api/v1/files/*/content ---
  fail500: number;
  /** 429 with Retry-After. */
  fail429: number;
  /** 503 with Retry-After. */
  fail503: number;
  /** Headers with the full Content-Length, then the socket is destroyed about halfway through the body. */
  failCut: number;
  retryAfterSeconds: number;
  /** A file whose body was cut (failCut) changes right after: the resumed request's `If-Range` fails and it gets the new version, whole, with 200. */
  changeOnCut: boolean;
  /** File answers carry no `X-Checksum-Sha256` (the export puts them in as "not verified"). */
  omitChecksum: boolean;

  /** Seconds a session lives after sign-in; 0 = never expires. */
  sessionLifetimeSec: number;
  /** Milliseconds added before every API answer. */
  latencyMs: number;
  /** Seconds after start (or after `/__admin/executions/{eid}/run`) until the running execution ("1006") turns to success; 0 = only `/__admin/executions/{eid}/finish`. */
  runningExecutionSec: number;
}

export const defaultConfig: SiteConfig = {
  port: 4400,
  host: '127.0.0.1',
  seed: 1,
  plainNames: false,
  scaleCases: 20,
  scaleFilesPerCase: 3,
  scaleFileSize: 65536,
  scaleSubmissionsPerCase: 2,
  scaleDistinctContents: 0,
  executionSteps: 50,
  stepOutputSize: 2000,
  hugeStepOutputSize: 5 * 1024 * 1024,
  fail500: 0,
  fail429: 0,
  fail503: 0,
  failCut: 0,
  retryAfterSeconds: 1,
  changeOnCut: false,
  omitChecksum: false,
  sessionLifetimeSec: 0,
  latencyMs: 0,
  runningExecutionSec: 10,
};

/** Knobs whose change regenerates the data. */
export const DATA_KNOBS: readonly (keyof SiteConfig)[] = [
  'seed',
  'plainNames',
  'scaleCases',
  'scaleFilesPerCase',
  'scaleFileSize',
  'scaleSubmissionsPerCase',
  'scaleDistinctContents',
  'executionSteps',
  'stepOutputSize',
  'hugeStepOutputSize',
];

const SIZE_KNOBS: readonly (keyof SiteConfig)[] = ['scaleFileSize', 'stepOutputSize', 'hugeStepOutputSize'];

/** `2GB`, `512k`, `1.5M`, `65536` → bytes (K/M/G/T are powers of 1024; `B`, `iB` optional). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`not a size: ${JSON.stringify(text)} (e.g. 65536, 64K, 20M, 2GB)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}

/** `scaleFileSize` → `scale-file-size`, `fail500` → `fail-500`. */
export const flagName = (key: string): string =>
  key.replace(/([a-z])([A-Z0-9])/g, '$1-$2').replace(/([0-9])([A-Z])/g, '$1-$2').toLowerCase();
/** `scaleFileSize` → `SITE_SCALE_FILE_SIZE`. */
export const envName = (key: string): string => 'SITE_' + flagName(key).replace(/-/g, '_').toUpperCase();

function parseValue(key: keyof SiteConfig, raw: string): SiteConfig[keyof SiteConfig] {
  const def = defaultConfig[key];
  if (typeof def === 'boolean') {
    if (/^(1|true|yes|on|)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new Error(`--${flagName(key)}: not a boolean: ${raw}`);
  }
  if (typeof def === 'string') return raw;
  const n = SIZE_KNOBS.includes(key) ? parseSize(raw) : Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${flagName(key)}: not a number: ${raw}`);
  return n;
}

/** Checks ranges; throws on nonsense. Returns the same object. */
export function validateConfig(c: SiteConfig): SiteConfig {
  for (const k of ['fail500', 'fail429', 'fail503', 'failCut'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new Error(`${k} must be within 0..1`);
  }
  for (const k of ['scaleCases', 'scaleFilesPerCase', 'scaleFileSize', 'scaleSubmissionsPerCase', 'scaleDistinctContents', 'executionSteps', 'stepOutputSize', 'hugeStepOutputSize', 'retryAfterSeconds', 'sessionLifetimeSec', 'latencyMs', 'runningExecutionSec'] as const) {
    if (!(Number.isFinite(c[k]) && c[k] >= 0)) throw new Error(`${k} must be a number >= 0`);
  }
  if (c.scaleCases > 10_000_000) throw new Error('scaleCases at most 10,000,000');
  return c;
}

export function mergeConfig(base: SiteConfig, patch: Partial<SiteConfig> | Record<string, unknown>): SiteConfig {
  const out: SiteConfig = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in defaultConfig)) throw new Error(`unknown config key: ${k}`);
    const key = k as keyof SiteConfig;
    if (v === undefined) continue;
    const def = defaultConfig[key];
    let value: unknown = v;
    if (typeof v === 'string' && typeof def !== 'string') value = parseValue(key, v);
    if (typeof value !== typeof def) throw new Error(`${k}: expected ${typeof def}`);
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  return validateConfig(out);
}

export const USAGE = `Usage: tsx tests/site/server.ts [flags]
Flags (each also as an environment variable SITE_*, e.g. SITE_SCALE_CASES=100000):
${(Object.keys(defaultConfig) as (keyof SiteConfig)[])
  .map((k) => `  --${flagName(k)}${typeof defaultConfig[k] === 'boolean' ? '' : ' <value>'}`.padEnd(34) + ` (${envName(k)}, default ${JSON.stringify(defaultConfig[k])})`)
  .join('\n')}
Sizes accept K/M/G suffixes (powers of 1024): --scale-file-size 2GB`;

/**
 * Config from the command line (`--port 4400`, `--port=4400`, `--plain-names`, `--no-plain-names`) over
 * environment variables (`SITE_PORT`, `SITE_PLAIN_NAMES=1`) over the defaults.
 */
export function configFromArgs(argv: readonly string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): SiteConfig {
  const patch: Record<string, unknown> = {};
  const keys = Object.keys(defaultConfig) as (keyof SiteConfig)[];
  for (const key of keys) {
    const raw = env[envName(key)];
    if (raw !== undefined && raw !== '') patch[key] = parseValue(key, raw);
  }
  const byFlag = new Map(keys.map((k) => [flagName(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new Error(`unexpected argument: ${arg}\n${USAGE}`);
    const key = byFlag.get(m[2]);
    if (!key) throw new Error(`unknown flag: --${m[2]}\n${USAGE}`);
    if (typeof defaultConfig[key] === 'boolean') {
      patch[key] = m[1] ? false : m[3] !== undefined ? parseValue(key, m[3]) : true;
      continue;
    }
    let raw = m[3];
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new Error(`--${m[2]} needs a value`);
    }
    patch[key] = parseValue(key, raw);
  }
  return mergeConfig(defaultConfig, patch);
}
