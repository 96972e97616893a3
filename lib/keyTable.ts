/**
 * A compact set (or map to 32-bit numbers) of strings by their 64-bit hash: 8 bytes a key in a
 * typed array (12 with a value), never the string itself, so the collision check of an export of a
 * million files costs some 16 MB, not a hundred. Open addressing, linear probing, at most half full.
 *
 * Two different keys share a hash with a chance of about n² / 2⁶⁵ (10⁻⁸ for a million keys); each
 * table draws its own seed, so a platform cannot choose names that collide. Where a false "taken"
 * is harmless (the path deduplication of lib/naming.ts: it only costs a ` (2)`), this behaves as a
 * `Set<string>` / `Map<string, number>`; the unit tests check that it does.
 */

/** The two 32-bit halves of a string's 64-bit hash (cyrb53's mixing, kept whole), seeded. */
export function hash64(s: string, seed: number): [number, number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

function randomSeed(): number {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0];
  return (Math.random() * 2 ** 32) >>> 0;
}

export class KeyTable {
  /** [h1, h2] per slot, or [h1, h2, value] with values; (0, 0) is an empty slot. */
  private slots: Uint32Array;
  private readonly stride: number;
  private mask: number;
  size = 0;

  constructor(
    withValues = false,
    private readonly seed = randomSeed(),
    capacity = 64,
  ) {
    this.stride = withValues ? 3 : 2;
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.slots = new Uint32Array(cap * this.stride);
    this.mask = cap - 1;
  }

  private hash(key: string): [number, number] {
    const [h1, h2] = hash64(key, this.seed);
    return h1 === 0 && h2 === 0 ? [0, 1] : [h1, h2];
  }

  /** The slot holding (h1, h2), or the empty one where it would go. */
  private slot(h1: number, h2: number): number {
    const s = this.slots;
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * this.stride;
      const a = s[at];
      const b = s[at + 1];
      if ((a === h1 && b === h2) || (a === 0 && b === 0)) return at;
      i = (i + 1) & this.mask;
    }
  }

  has(key: string): boolean {
    const [h1, h2] = this.hash(key);
    const at = this.slot(h1, h2);
    return this.slots[at] !== 0 || this.slots[at + 1] !== 0;
  }

  /** The key's value (0 in a set), undefined when absent. */
  get(key: string): number | undefined {
    const [h1, h2] = this.hash(key);
    const at = this.slot(h1, h2);
    if (this.slots[at] === 0 && this.slots[at + 1] === 0) return undefined;
    return this.stride === 3 ? this.slots[at + 2] : 0;
  }

  /** Adds the key (with `value`, a 32-bit unsigned number, in a map). */
  set(key: string, value = 0): this {
    const [h1, h2] = this.hash(key);
    let at = this.slot(h1, h2);
    if (this.slots[at] === 0 && this.slots[at + 1] === 0) {
      if ((this.size + 1) * 2 > this.mask + 1) {
        this.grow();
        at = this.slot(h1, h2);
      }
      this.slots[at] = h1;
      this.slots[at + 1] = h2;
      this.size++;
    }
    if (this.stride === 3) this.slots[at + 2] = value >>> 0;
    return this;
  }

  add(key: string): this {
    return this.set(key);
  }

  private grow() {
    const old = this.slots;
    const stride = this.stride;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let at = 0; at < old.length; at += stride) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      const to = this.slot(old[at], old[at + 1]);
      for (let k = 0; k < stride; k++) this.slots[to + k] = old[at + k];
    }
  }
}
