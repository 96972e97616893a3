/**
 * Firefox: the background is an event page, and the export engine runs in it (a Web Worker of that
 * page). Firefox suspends an event page after 30 s without an event or an extension API call
 * (`extensions.background.idle.timeout`), and with the page goes the worker, whatever it is doing: a
 * platform slower than that to answer (or one big file) ended the export with no word (the Firefox
 * idle e2e test caught it). The worker's own fetches don't count, only the page's calls to the
 * extension APIs do. So while an export is running or being saved, the background calls one API
 * (`runtime.getPlatformInfo`, answered by the browser's parent process, which is what resets the
 * timer) every {@link KEEP_ALIVE_MS}, and stops once no export is left. Chrome needs none of this:
 * its engine lives in the offscreen document, which is not stopped while it works.
 */

/** Well inside Firefox's 30 s. */
export const KEEP_ALIVE_MS = 20_000;

export interface KeepAliveDeps {
  /** Whether an export is still running or being saved. */
  busy(): Promise<boolean>;
  /** One call the browser counts as activity. */
  ping(): Promise<unknown>;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export class EventPageKeepAlive {
  private handle: unknown = null;
  private ticking = false;

  constructor(private readonly deps: KeepAliveDeps) {}

  get running(): boolean {
    return this.handle !== null;
  }

  /** When an export starts (again: a no-op). */
  start(): void {
    if (this.handle !== null) return;
    this.handle = this.deps.setInterval(() => void this.tick(), KEEP_ALIVE_MS);
  }

  stop(): void {
    if (this.handle === null) return;
    this.deps.clearInterval(this.handle);
    this.handle = null;
  }

  /** One beat: the call while an export is left, else stop. Errors never stop the beat. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      if (!(await this.deps.busy().catch(() => true))) return this.stop();
      await this.deps.ping().catch(() => undefined);
    } finally {
      this.ticking = false;
    }
  }
}
