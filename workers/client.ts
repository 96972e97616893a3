import { PlatformClient } from '../lib/platform';
import type { ExportContext } from './exporters';
import { withRetries } from './fetching';

/** A platform client whose every request retries transient errors and waits out a 401. */
export function contextClient(origin: string, ctx: ExportContext): PlatformClient {
  return new PlatformClient({
    origin,
    fetch: ctx.fetch,
    signal: ctx.signal,
    wrap: (fn) => {
      const retried = () => withRetries(fn, { policy: ctx.policy, signal: ctx.signal });
      return ctx.gate ? ctx.gate.run(retried) : retried();
    },
  });
}
