/** Polling and matching shared by both drivers and by flows (no timed tests: these only bound a wait). */
import { isDeepStrictEqual } from 'node:util';
import { WAIT_TIMEOUT, type ElementState } from './driver';

/** Retries `fn` until it stops throwing; rethrows its last error after `timeout` ms. */
export async function eventually<T>(fn: () => Promise<T>, timeout = WAIT_TIMEOUT, interval = 150): Promise<T> {
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

/** Polls `state` until the element is there with text matching `pattern`; the error names the browser. */
export async function waitForTextOf(state: () => Promise<ElementState>, what: string, pattern: RegExp | string, timeout: number, browser: string): Promise<string> {
  let last: ElementState | null = null;
  try {
    return await eventually(async () => {
      last = await state();
      if (!last.count || !matches(last.text ?? '', pattern)) throw new Error('not yet');
      return last.text!;
    }, timeout);
  } catch {
    throw new Error(`${what}: wanted text ${pattern}, got ${JSON.stringify(last)} (${browser})`);
  }
}

/** Polls `state` until it has every field of `want`; the error names the browser and what differs. */
export async function expectStateOf(state: () => Promise<ElementState>, what: string, want: Partial<ElementState>, timeout: number, browser: string): Promise<ElementState> {
  let last: ElementState = { count: 0 };
  try {
    return await eventually(async () => {
      last = await state();
      if (stateMismatch(last, want)) throw new Error('not yet');
      return last;
    }, timeout);
  } catch {
    throw new Error(`${what}: ${stateMismatch(last, want)} (${browser})`);
  }
}
