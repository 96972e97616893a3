/**
 * A 401 in the middle of an export pauses it: every request that meets it waits on one gate, the
 * UI says "Sign in again to continue", and the gate opens by itself once `GET /me` answers 200.
 */
import { PlatformError } from '../lib/platform';
import { sleep } from './fetching';

export class SessionGate {
  private waiting: Promise<void> | null = null;

  constructor(
    /** Resolves when the session works again (e.g. `GET /me` answered 200); false to poll again. */
    private readonly probe: () => Promise<boolean>,
    private readonly onPause: (paused: boolean) => void,
    private readonly signal: AbortSignal,
    private readonly intervalMs = 2000,
  ) {}

  /** Waits until the session works again (shared by every caller). */
  waitForSession(): Promise<void> {
    if (!this.waiting) {
      this.onPause(true);
      this.waiting = (async () => {
        for (;;) {
          await sleep(this.intervalMs, this.signal);
          if (await this.probe().catch(() => false)) break;
        }
      })().finally(() => {
        this.waiting = null;
        if (!this.signal.aborted) this.onPause(false);
      });
    }
    return this.waiting;
  }

  /** Runs `fn`; on a 401 waits for the session and runs it again, as often as needed. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof PlatformError && err.status === 401 && !this.signal.aborted) {
          await this.waitForSession();
          continue;
        }
        throw err;
      }
    }
  }
}
