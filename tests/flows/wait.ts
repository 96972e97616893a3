/** Polling and matching shared by both drivers and by flows (no timed tests: these only bound a wait). */
import { isDeepStrictEqual } from 'node:util';
import type { ElementState } from './driver';

/** Retries `fn` until it stops throwing; rethrows its last error after `timeout` ms. */
export async function eventually<T>(fn: () => Promise<T>, timeout = 15_000, interval = 150): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const matches = (text: string, pattern: RegExp | string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));

/** The fields of `want` that `got` does not have, as a message (empty when all match). */
export function stateMismatch(got: ElementState, want: Partial<ElementState>): string {
  const bad = Object.entries(want).filter(([k, v]) => !isDeepStrictEqual((got as unknown as Record<string, unknown>)[k], v));
  return bad.map(([k, v]) => `${k}: want ${JSON.stringify(v)}, got ${JSON.stringify((got as unknown as Record<string, unknown>)[k])}`).join('; ');
}

export const describeTarget = (t: { role: string; name?: string | RegExp; within?: unknown; nth?: number }): string => {
  const self = `${t.role}${t.name !== undefined ? ` "${t.name}"` : ''}${t.nth !== undefined ? `[${t.nth}]` : ''}`;
  return t.within ? `${describeTarget(t.within as typeof t)} > ${self}` : self;
};
