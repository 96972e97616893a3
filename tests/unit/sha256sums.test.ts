import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHA256SUMS_NAME, sha256sumsLine } from '../../lib/sha256sums';
import { emptyProgress } from '../../lib/jobs';
import { zipStream, type ArchiveEntry } from '../../workers/zipStream';
import { checkSums, readZipEntries } from '../zipReader';
import { runTool } from '../../scripts/tools';

const sha = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `sha256sum -c --strict` on `files` and their list, in a fresh folder. */
function sha256sumCheck(files: Map<string, Uint8Array | string>, list: Uint8Array | string) {
  const dir = mkdtempSync(join(tmpdir(), 'sums-'));
  try {
    for (const [path, bytes] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    writeFileSync(join(dir, SHA256SUMS_NAME), list);
    return runTool('sha256sum', ['-c', '--strict', SHA256SUMS_NAME], { cwd: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SHA256SUMS (lib/sha256sums.ts)', () => {
  it('writes the line sha256sum reads, escaping backslash, LF and CR as GNU coreutils does', () => {
    const h = sha('x');
    expect(sha256sumsLine('a/b.txt', h.toUpperCase())).toBe(`${h}  a/b.txt\n`);
    expect(sha256sumsLine('a\\b\nc\rd', h)).toBe(`\\${h}  a\\\\b\\nc\\rd\n`);
    expect(() => sha256sumsLine('a', 'not-a-hash')).toThrow(/Not a SHA-256/);
  });

  it('sha256sum -c passes on awkward names (spaces, quotes, emoji, backslash, newline) and fails on a changed file', () => {
    const names = ['plain.txt', ' leading space.bin', 'folder/ü ✓ 👩‍💻.md', "it's \"quoted\".csv", 'back\\slash', 'new\nline', 'x'.repeat(200)];
    const files = new Map(names.map((n, i) => [n, `content ${i}`]));
    const list = () => [...files].map(([n, b]) => sha256sumsLine(n, sha(b))).join('');
    const r = sha256sumCheck(files, list());
    expect(r.stderr).toBe('');
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout.match(/: OK$/gm)?.length).toBe(names.length);
    const before = list();
    files.set('plain.txt', 'changed');
    expect(sha256sumCheck(files, before).status).toBe(1);
  });

  it('a name cannot forge a second line (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (name) => {
        const text = sha256sumsLine(name, sha(name));
        expect(text.split('\n').length).toBe(2);
        // Read back as sha256sum reads it: one entry, this name, this hash.
        checkSums(text, [{ path: name, bytes: Buffer.from(name) }]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('every archive ends with SHA256SUMS (workers/zipStream.ts)', () => {
  it('lists every entry, whatever its input kind, hashed here unless the engine gave the hash; sha256sum -c passes', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    async function* pieces() {
      yield new TextEncoder().encode('streamed ');
      yield new TextEncoder().encode('document');
    }
    const t = new Date(2024, 1, 2);
    const entries: ArchiveEntry[] = [
      { name: 'known.bin', lastModified: t, input: bytes, sha256: sha(bytes) },
      { name: 'folder/blob.bin', lastModified: t, input: new Blob([bytes.subarray(5)]) },
      { name: 'text.md', lastModified: t, input: 'héllo' },
      { name: 'doc.html', lastModified: t, input: pieces() },
      { name: 'export-report.csv', lastModified: t, input: new Uint8Array([1, 2, 3]) },
    ];
    async function* all() {
      yield* entries;
    }
    const zip = Buffer.from(await new Response(zipStream(all(), emptyProgress())).arrayBuffer());
    const read = await readZipEntries(zip, { requireChecksums: true, keepChecksums: true });
    expect(read.map((e) => e.path)).toEqual([...entries.map((e) => e.name), SHA256SUMS_NAME]);
    const list = read.at(-1)!.bytes.toString();
    expect(list).toContain(`${sha('streamed document')}  doc.html\n`);
    expect(list).toContain(`${sha(bytes.subarray(5))}  folder/blob.bin\n`);
    const r = sha256sumCheck(new Map(read.slice(0, -1).map((e) => [e.path, e.bytes])), list);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('the tests’ reader refuses a list that misses, adds or misstates an entry', () => {
    const a = { path: 'a', bytes: Buffer.from('a') };
    expect(() => checkSums('', [a])).toThrow(/does not list a/);
    expect(() => checkSums(sha256sumsLine('a', sha('b')), [a])).toThrow(/has SHA-256/);
    expect(() => checkSums(sha256sumsLine('a', sha('a')) + sha256sumsLine('b', sha('b')), [a])).toThrow(/lacks: b/);
  });
});
