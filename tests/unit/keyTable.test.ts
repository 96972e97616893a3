/**
 * lib/keyTable.ts, the compact hash set/map behind the path deduplication, and PathDeduper on it:
 * both must behave as the plain `Set`/`Map` of strings they replace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyTable, hash64 } from '../../lib/keyTable';
import { PathDeduper, pathKey, withCounter } from '../../lib/naming';
import { RESERVED_EXPORT_NAMES } from '../../lib/reservedNames';

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** PathDeduper as it was, on strings (the reference). */
class StringPathDeduper {
  /** Keys of claimed file paths. */
  private readonly files = new Set<string>();
  /** Key of a folder path → its spelling in the ZIP. */
  private readonly folders = new Map<string, string>();
  /** Key of a folder path that collided with a file → the folder used instead. */
  private readonly renamedFolders = new Map<string, string>();
  /** Key of a taken file path → next counter to try. */
  private readonly nextCounter = new Map<string, number>();

  constructor(reserved: Iterable<string> = RESERVED_EXPORT_NAMES) {
    for (const name of reserved) this.files.add(pathKey(name));
  }

  /** Claim `path` for one file; returns the path it gets (itself unless taken). */
  claim(path: string): string {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length === 0) segments.push('_');
    let parent = '';
    for (let i = 0; i < segments.length - 1; i++) parent = this.folder(parent, segments[i]);
    const name = segments[segments.length - 1];
    const wanted = join(parent, name);
    const wantedKey = pathKey(wanted);
    let result = wanted;
    if (this.taken(wantedKey)) {
      let n = this.nextCounter.get(wantedKey) ?? 2;
      for (;;) {
        const candidate = join(parent, withCounter(name, n, true));
        n++;
        if (!this.taken(pathKey(candidate))) {
          result = candidate;
          break;
        }
      }
      this.nextCounter.set(wantedKey, n);
    }
    this.files.add(pathKey(result));
    return result;
  }

  /** Whether `path` is taken: a file or folder holds it, or one of its folders is a file (claims nothing). */
  has(path: string): boolean {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length === 0) segments.push('_');
    let parent = '';
    for (let i = 0; i < segments.length - 1; i++) {
      const key = pathKey(join(parent, segments[i]));
      const existing = this.folders.get(key) ?? this.renamedFolders.get(key);
      if (existing === undefined) return this.files.has(key);
      parent = existing;
    }
    return this.taken(pathKey(join(parent, segments[segments.length - 1])));
  }

  private taken(key: string): boolean {
    return this.files.has(key) || this.folders.has(key);
  }

  /** The folder `name` inside `parent` (both spelled as in the ZIP), registered. */
  private folder(parent: string, name: string): string {
    const path = join(parent, name);
    const key = pathKey(path);
    const existing = this.folders.get(key) ?? this.renamedFolders.get(key);
    if (existing !== undefined) return existing;
    if (!this.files.has(key)) {
      this.folders.set(key, path);
      return path;
    }
    for (let n = 2; ; n++) {
      const candidate = join(parent, withCounter(name, n, false));
      const candidateKey = pathKey(candidate);
      if (this.files.has(candidateKey)) continue;
      const spelled = this.folders.get(candidateKey) ?? candidate;
      this.folders.set(candidateKey, spelled);
      this.renamedFolders.set(key, spelled);
      return spelled;
    }
  }
}


describe('KeyTable', () => {
  it('property: behaves as a Set and as a Map of strings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'has', 'get'), fc.string({ maxLength: 6 }), fc.nat({ max: 2 ** 32 - 1 })), { maxLength: 400 }),
        fc.nat(),
        (ops, seed) => {
          const set = new KeyTable(false, seed, 16);
          const map = new KeyTable(true, seed, 16);
          const refSet = new Set<string>();
          const refMap = new Map<string, number>();
          for (const [op, key, value] of ops) {
            if (op === 'add') {
              set.add(key);
              refSet.add(key);
              map.set(key, value);
              refMap.set(key, value);
            } else if (op === 'has') {
              expect(set.has(key)).toBe(refSet.has(key));
              expect(map.has(key)).toBe(refMap.has(key));
            } else expect(map.get(key)).toBe(refMap.get(key));
            expect(set.size).toBe(refSet.size);
            expect(map.size).toBe(refMap.size);
          }
          for (const k of refSet) expect(set.has(k)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows past many keys without losing one, and hashes apart what differs', () => {
    const t = new KeyTable(true);
    for (let i = 0; i < 100_000; i++) t.set(`case ${i}/scan.png`, i);
    expect(t.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(t.get(`case ${i}/scan.png`)).toBe(i);
    expect(t.has('case 100000/scan.png')).toBe(false);
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(hash64(`f${i}`, 7).join(':'));
    expect(seen.size).toBe(200_000);
    // The seed changes every hash.
    expect(hash64('same', 1)).not.toEqual(hash64('same', 2));
  });
});

describe('PathDeduper on hashed keys', () => {
  const segment = fc.constantFrom('a', 'A', 'b', 'ß', 'SS', 'ss', 'x.png', 'X.PNG', 'x (2).png', 'export-report.csv', 'a (2)', 'ﬁ', 'FI');
  const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));

  it('property: gives every path what the string-keyed deduper gives it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), path), { maxLength: 60 }), (ops) => {
        const d = new PathDeduper();
        const ref = new StringPathDeduper();
        for (const [claim, p] of ops) {
          if (claim) expect(d.claim(p)).toBe(ref.claim(p));
          else expect(d.has(p)).toBe(ref.has(p));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('100,000 files in 100,000 folders: unique paths, as the string-keyed deduper gives them', () => {
    const d = new PathDeduper();
    const ref = new StringPathDeduper();
    for (let i = 0; i < 50_000; i++) {
      for (const p of [`Case ${i}/scan.png`, `case ${i}/SCAN.png`]) expect(d.claim(p)).toBe(ref.claim(p));
    }
  });
});
