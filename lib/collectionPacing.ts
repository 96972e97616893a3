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
 * generation fills in step with the stream and each scavenge frees the slices before.
 *
 * Four times that (640 a step, 40,960 per 4 MiB) since 2026-12-06: in the 4 GB export the slices still
 * outlived the young collections at 160 (a test-only `gc()` per read took it from 172 to 111 MB).
 * Measured back to back (Intel Xeon 2 vCPU, Chromium 156, `BENCH_FILES=large:4G`): 160 a step grew
 * 185, 179, 170, 176 MB; 640 grew 136, 135, 139, 138 MB at the same speed; 2,560 grew 145, 135 MB.
 * It costs the stream worker about 0.3 CPU-seconds more per GB (10.3 → 11.0 s for 4 GB).
 *
 * (It does not help chunks that come in messages: a MessageEvent keeps its data until a full
 * collection. That is why the stream worker reads the copy instead: README, "One write".)
 */

/** Bytes of stream per allocation step. */
export const PACING_STEP_BYTES = 64 * 1024;
/** Small arrays allocated per step: 40,960 per 4 MiB (see above for why four times the first measure). */
export const PACING_OBJECTS_PER_STEP = 640;

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
