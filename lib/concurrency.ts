/**
 * How many files a case-file export fetches at once, and on how many threads it hashes them
 * (issue 17, points 3 and 5). Pure: the engine (workers/protocolWatch.ts, workers/hashPool.ts)
 * feeds it what the browser says.
 *
 * **The options' "Parallel downloads" is a ceiling** (decision): the number the user chose is the
 * most files ever fetched at once, never exceeded. Under it, the connection decides:
 * - HTTP/1.1 (and before the protocol is known, or when the browser does not say it): at most
 *   {@link HTTP1_CONNECTIONS}, the connections a browser opens to one host; more requests would only
 *   wait in the browser's queue, holding their place in the export's window.
 * - HTTP/2 and HTTP/3 (`h2`, `h2c`, `h3`, `h3-…`: one multiplexed connection): up to
 *   {@link MULTIPLEXED_FACTOR} × that, at most {@link MAX_MULTIPLEXED}.
 * Whatever the width, the files being fetched that wait in memory stay under
 * {@link windowByteBudget} (what six files at the in-memory limit hold today), so a wider window over
 * HTTP/2 never holds more memory than HTTP/1.1's six.
 */

/** Connections a browser opens to one host over HTTP/1.1 (Chromium and Firefox). */
export const HTTP1_CONNECTIONS = 6;
/** Over a multiplexed connection, this many times HTTP/1.1's width… */
export const MULTIPLEXED_FACTOR = 4;
/** …and never more than this. */
export const MAX_MULTIPLEXED = 32;

export type ProtocolKind = 'http1' | 'multiplexed' | 'unknown';

/**
 * What a Resource Timing `nextHopProtocol` (an ALPN id) says about the connection. An empty string
 * (a cross-origin answer without `Timing-Allow-Origin`) or anything unknown is `unknown`.
 */
export function protocolKind(nextHopProtocol: string | null | undefined): ProtocolKind {
  const p = (nextHopProtocol ?? '').trim().toLowerCase();
  if (p === 'h2' || p === 'h2c' || p === 'h3' || /^h3-\d+$/.test(p) || p === 'hq') return 'multiplexed';
  if (/^http\/(0\.9|1\.0|1\.1)$/.test(p)) return 'http1';
  return 'unknown';
}

/** A ceiling as the engine receives it: a whole number ≥ 1 (anything else counts as 1). */
const asCeiling = (ceiling: number) => (Number.isFinite(ceiling) && ceiling >= 1 ? Math.floor(ceiling) : 1);

/** Files fetched at once over a connection of `kind`, under the user's `ceiling`. */
export function fetchWidth(kind: ProtocolKind, ceiling: number): number {
  const c = asCeiling(ceiling);
  if (kind === 'multiplexed') return Math.min(c, HTTP1_CONNECTIONS * MULTIPLEXED_FACTOR, MAX_MULTIPLEXED);
  return Math.min(c, HTTP1_CONNECTIONS);
}

/** The bytes a window of files being fetched may hold in memory: six files at the in-memory limit. */
export const windowByteBudget = (memoryLimit: number): number => HTTP1_CONNECTIONS * memoryLimit;

/** What one file being fetched may hold in memory: its size up to the in-memory limit (larger ones stream to disk). */
export const windowWeight = (size: number, memoryLimit: number): number =>
  Math.min(Math.max(0, Number.isFinite(size) ? size : memoryLimit), memoryLimit);

/** Most hashing workers (point 3): beyond this the network and the writes are the bound anyway. */
export const MAX_HASH_WORKERS = 4;

/**
 * Hashing workers for a machine with `hardwareConcurrency` logical cores: one core left to the
 * engine's own thread, at least 1, at most {@link MAX_HASH_WORKERS}. Unknown (0, undefined) counts as 2.
 */
export function hashPoolSize(hardwareConcurrency: number | undefined): number {
  const cores = Number.isFinite(hardwareConcurrency) && (hardwareConcurrency as number) >= 1 ? Math.floor(hardwareConcurrency as number) : 2;
  return Math.max(1, Math.min(MAX_HASH_WORKERS, cores - 1));
}
