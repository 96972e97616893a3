/**
 * Collection pacing for bytes that flow through an otherwise idle JavaScript thread: the stream
 * service worker, which reads the archive's copy in slices (lib/copyStream.ts).
 *
 * Each slice read there is a new ArrayBuffer, freed only when V8 collects its small JS object. A
 * thread that only passes slices on allocates almost nothing on its own heap, so V8 seldom collects
 * and the slices pile up, far beyond what the stream holds. Measured (2026-12-02, Chromium 156,
 * tests/bench/swBody.ts, 1 GB answered in 4 MiB slices of a File): +142–234 MB passed on as they are,
 * +0 MB with a (test-only) `gc()` after each, +34 MB with 1,000 small young arrays allocated after
 * each, +1–3 MB with 10,000. This allocates that last amount for every slice's bytes, so the young
 * generation fills in step with the stream and each scavenge frees the slices before. A few
 * milliseconds per gigabyte.
 *
 * (It does not help chunks that come in messages: a MessageEvent keeps its data until a full
 * collection. That is why the stream worker reads the copy instead: README, "One write".)
 */

/** Bytes of stream per allocation step. */
export const PACING_STEP_BYTES = 64 * 1024;
/** Small arrays allocated per step: 10,240 per 4 MiB, the measured amount that kept memory flat. */
export const PACING_OBJECTS_PER_STEP = 160;

/** Where the young objects go: a ring that overwrites itself, so they escape (no allocation is optimised away) and die young. */
const ring: unknown[] = new Array(1024).fill(null);
let next = 0;

/** Allocates the young garbage that `bytes` more bytes are worth, given `carry` left from before; returns the new carry (< one step). */
export function allocateFor(bytes: number, carry = 0): number {
  let owed = carry + bytes;
  while (owed >= PACING_STEP_BYTES) {
    for (let i = 0; i < PACING_OBJECTS_PER_STEP; i++) ring[next++ & 1023] = [next, i];
    owed -= PACING_STEP_BYTES;
  }
  return owed;
}
