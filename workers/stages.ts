/**
 * Where the engine's thread spends an export's time, in milliseconds per stage. Only synchronous
 * work on the worker's one thread is timed, so the stages add up: the rest of the export's time the
 * thread waited (for the network, the native SHA-256, the next file). Kept with the job's result,
 * printed by `npm run bench`.
 */
export type Stage = 'sha256' | 'crc32' | 'buffer' | 'write';

export class StageClock {
  readonly ms: Partial<Record<Stage, number>> = {};

  /** Runs `fn` (synchronous) and adds its time to `stage`. */
  time<T>(stage: Stage, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.ms[stage] = (this.ms[stage] ?? 0) + performance.now() - t0;
    }
  }

  /** Rounded figures for the job's result. */
  summary(): Partial<Record<Stage, number>> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)]));
  }
}

/** Runs `fn`, timed on `clock` when there is one. */
export const timed = <T>(clock: StageClock | undefined, stage: Stage, fn: () => T): T => (clock ? clock.time(stage, fn) : fn());
