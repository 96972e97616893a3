import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeStoredZip, dosDateTime, type ZipInput } from '../../workers/storedZip';
import { readZipEntries } from '../zipReader';
import { runTool, type ToolName } from '../../scripts/tools';

async function zip(entries: ZipInput[] | AsyncIterable<ZipInput>): Promise<{ bytes: Buffer; chunks: number }> {
  const source = Array.isArray(entries)
    ? (async function* () {
        yield* entries;
      })()
    : entries;
  let chunks = 0;
  const parts: Uint8Array[] = [];
  const reader = makeStoredZip(source).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    parts.push(value);
  }
  return { bytes: Buffer.concat(parts), chunks };
}

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

/** What Python's zipfile makes of the archive: names, sizes, CRC check, DOS times. */
function python(bytes: Buffer): { names: string[]; bad: string | null; times: number[][]; count: number } {
  const dir = mkdtempSync(join(tmpdir(), 'storedzip-'));
  try {
    const file = join(dir, 'a.zip');
    writeFileSync(file, bytes);
    const script = `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
print(json.dumps({"names": [i.filename for i in infos[:50]], "bad": z.testzip(), "times": [list(i.date_time) for i in infos[:50]], "count": len(infos)}))`;
    const r = runTool('python3', ['-c', script, file]);
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tool(cmd: ToolName, args: (file: string) => string[], bytes: Buffer): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'storedzip-'));
  try {
    const file = join(dir, 'a.zip');
    writeFileSync(file, bytes);
    const r = runTool(cmd, args(file));
    return { ok: r.status === 0, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const t = new Date(2024, 4, 17, 13, 45, 32);

describe('makeStoredZip', () => {
  const data = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
  const mixed: ZipInput[] = [
    { name: 'known/crc.bin', lastModified: t, input: data, crc32: crc32(data), size: data.length },
    { name: 'unknown/crc.bin', lastModified: t, input: data.subarray(7) },
    { name: 'text.txt', lastModified: t, input: 'héllo wörld ✓' },
    { name: 'empty.txt', lastModified: t, input: new Uint8Array(0) },
    { name: 'blob/known.bin', lastModified: t, input: new Blob([data]), crc32: crc32(data), size: data.length },
    { name: 'blob/unknown.bin', lastModified: t, input: new Blob([data, data]) },
    { name: 'stream.md', lastModified: t, input: pieces('# Title\n', 'body ', 'ünïcode\n') },
    { name: 'Ärger/日本語 name (1).txt', lastModified: t, input: 'x' },
  ];
  const want = new Map<string, Buffer>([
    ['known/crc.bin', Buffer.from(data)],
    ['unknown/crc.bin', Buffer.from(data.subarray(7))],
    ['text.txt', Buffer.from('héllo wörld ✓')],
    ['empty.txt', Buffer.alloc(0)],
    ['blob/known.bin', Buffer.from(data)],
    ['blob/unknown.bin', Buffer.concat([data, data])],
    ['stream.md', Buffer.from('# Title\nbody ünïcode\n')],
    ['Ärger/日本語 name (1).txt', Buffer.from('x')],
  ]);

  it('every kind of input, with and without a known CRC, reads back byte for byte (yauzl, Python, unzip, 7z)', async () => {
    const { bytes } = await zip(mixed);
    const entries = await readZipEntries(bytes);
    expect(new Map(entries.map((e) => [e.path, e.bytes]))).toEqual(want);
    const py = python(bytes);
    expect(py.bad).toBeNull(); // every CRC checked
    expect(py.names).toEqual([...want.keys()]);
    expect(py.times[0]).toEqual([2024, 5, 17, 13, 45, 32]);
    expect(tool('unzip', (f) => ['-t', f], bytes)).toMatchObject({ ok: true });
    expect(tool('7z', (f) => ['t', f], bytes)).toMatchObject({ ok: true });
  });

  it('an empty archive is valid', async () => {
    const { bytes } = await zip([]);
    expect(bytes.length).toBe(22);
    expect(python(bytes)).toMatchObject({ count: 0, bad: null });
  });

  it('trusts a given CRC-32: the bytes are not hashed again', async () => {
    // A wrong CRC on purpose: the archive carries it, so a checking reader flags that entry.
    const { bytes } = await zip([{ name: 'a.bin', lastModified: t, input: data, crc32: 1234, size: data.length }]);
    expect(python(bytes).bad).toBe('a.bin');
    expect(bytes.readUInt32LE(14)).toBe(1234); // local header's CRC field
  });

  it('refuses bytes that do not match the announced size', async () => {
    await expect(zip([{ name: 'a.bin', lastModified: t, input: data, crc32: crc32(data), size: 5 }])).rejects.toThrow(/announced/);
    await expect(zip([{ name: 'b.bin', lastModified: t, input: new Blob([data]), crc32: crc32(data), size: data.length + 1 }])).rejects.toThrow(
      /announced/,
    );
  });

  it('more than 65,535 entries: ZIP64 end records, every reader sees them all', async () => {
    const n = 70_000;
    const { bytes, chunks } = await zip(
      (async function* () {
        for (let i = 0; i < n; i++) yield { name: `f${i}.txt`, lastModified: t, input: String(i) };
      })(),
    );
    expect(bytes.readUInt16LE(bytes.length - 22 + 10)).toBe(0xffff);
    expect(bytes.readUInt32LE(bytes.length - 22 - 20 - 56)).toBe(0x06064b50);
    expect(Number(bytes.readBigUInt64LE(bytes.length - 22 - 20 - 56 + 32))).toBe(n);
    expect((await readZipEntries(bytes)).length).toBe(n);
    expect(python(bytes)).toMatchObject({ count: n, bad: null });
    expect(tool('unzip', (f) => ['-tq', f], bytes)).toMatchObject({ ok: true });
    // Small pieces are gathered: a few chunks of up to 1 MiB, not several per entry.
    expect(chunks).toBeLessThan(20);
  });

  it('real ZIP64: a file over 4 GiB (known CRC, as a verified download), then entries past 4 GiB', async () => {
    // A Blob of zeros over 4 GiB, streamed from one shared buffer; the archive is written sparse
    // (that buffer's pieces become holes, which read back as zeros).
    const zeros = new Uint8Array(1 << 20);
    const bigSize = 2 ** 32 + 3 * (1 << 20) + 77;
    class ZeroBlob extends Blob {
      override get size() {
        return bigSize;
      }
      override stream() {
        let left = bigSize;
        return new ReadableStream<Uint8Array<ArrayBuffer>>({
          pull(c) {
            if (left === 0) return c.close();
            const n = Math.min(left, zeros.length);
            left -= n;
            c.enqueue(n === zeros.length ? zeros : new Uint8Array(n));
          },
        });
      }
    }
    let bigCrc = 0;
    for (let left = bigSize; left > 0; left -= Math.min(left, zeros.length)) bigCrc = crc32(zeros.subarray(0, Math.min(left, zeros.length)), bigCrc);
    const entries: ZipInput[] = [
      { name: 'first.txt', lastModified: t, input: 'first' },
      { name: 'zeros.bin', lastModified: t, input: new ZeroBlob([]), crc32: bigCrc, size: bigSize },
      { name: 'after/text.txt', lastModified: t, input: 'past 4 GiB' },
      { name: 'after/streamed.md', lastModified: t, input: pieces('also ', 'past') },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'storedzip-'));
    const file = join(dir, 'big.zip');
    const fd = openSync(file, 'w');
    let pos = 0;
    try {
      const reader = makeStoredZip(
        (async function* () {
          yield* entries;
        })(),
      ).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value !== zeros) writeSync(fd, value, 0, value.byteLength, pos);
        pos += value.byteLength;
      }
      ftruncateSync(fd, pos);
    } finally {
      closeSync(fd);
    }
    try {
      expect(pos).toBeGreaterThan(2 ** 32);
      // Python reads the directory (sizes, CRCs, offsets past 4 GiB) and the small entries' bytes.
      const script = `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"entries": [[i.filename, i.file_size, i.CRC, i.header_offset] for i in z.infolist()],
  "small": [z.read(n).decode() for n in ("first.txt", "after/text.txt", "after/streamed.md")],
  "bigStart": z.open("zeros.bin").read(16) == bytes(16)}))`;
      const r = runTool('python3', ['-c', script, file]);
      expect(r.stderr).toBe('');
      const py = JSON.parse(r.stdout) as { entries: [string, number, number, number][]; small: string[]; bigStart: boolean };
      expect(py.entries.map(([n, size, crc]) => [n, size, crc])).toEqual([
        ['first.txt', 5, crc32('first')],
        ['zeros.bin', bigSize, bigCrc],
        ['after/text.txt', 10, crc32('past 4 GiB')],
        ['after/streamed.md', 9, crc32('also past')],
      ]);
      expect(py.entries[2][3]).toBeGreaterThan(2 ** 32);
      expect(py.small).toEqual(['first', 'past 4 GiB', 'also past']);
      expect(py.bigStart).toBe(true);
      // 7z lists it (reads every header, local ones included, without the 4 GiB of data).
      const list = runTool('7z', ['l', '-slt', file]);
      expect(list.status).toBe(0);
      expect(list.stdout).toContain(`Size = ${bigSize}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('keeps the modification time: DOS fields (local time) and the Unix time extra field', async () => {
    const { bytes } = await zip([{ name: 'a', lastModified: t, input: 'a' }]);
    expect(python(bytes).times[0]).toEqual([2024, 5, 17, 13, 45, 32]);
    const extra = bytes.subarray(30 + 1, 30 + 1 + 9);
    expect(extra.readUInt16LE(0)).toBe(0x5455);
    expect(extra.readUInt32LE(5)).toBe(Math.floor(t.getTime() / 1000));
    expect(dosDateTime(new Date(1970, 0, 1))).toEqual({ date: (1 << 5) | 1, time: 0 });
  });

  it('cancelling the archive ends the entries', async () => {
    let returned = false;
    async function* entries(): AsyncGenerator<ZipInput> {
      try {
        for (let i = 0; ; i++) yield { name: `f${i}`, lastModified: t, input: new Uint8Array(400_000) };
      } finally {
        returned = true;
      }
    }
    const reader = makeStoredZip(entries()).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(returned).toBe(true);
  });

  it('property: any set of entries reads back byte for byte', async () => {
    const entry = fc.record({
      // Path segments as the naming rules make them (never '.' or '..', which readers refuse).
      name: fc.stringMatching(/^[a-zA-Z0-9 _\u00e4\u00f6\u65e5-][a-zA-Z0-9 _.\u00e4\u00f6\u65e5-]{0,19}(\/[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,11}){0,2}$/),
      bytes: fc.uint8Array({ maxLength: 3000 }),
      kind: fc.constantFrom('known', 'bytes', 'blob', 'blob-known', 'stream'),
    });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 12 }), async (list) => {
        const inputs: ZipInput[] = list.map(({ name, bytes, kind }) => {
          const known = { crc32: crc32(bytes), size: bytes.length };
          if (kind === 'known') return { name, lastModified: t, input: bytes, ...known };
          if (kind === 'blob') return { name, lastModified: t, input: new Blob([bytes]) };
          if (kind === 'blob-known') return { name, lastModified: t, input: new Blob([bytes]), ...known };
          if (kind === 'stream')
            return {
              name,
              lastModified: t,
              input: (async function* () {
                for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
              })(),
            };
          return { name, lastModified: t, input: bytes };
        });
        const { bytes } = await zip(inputs);
        const got = await readZipEntries(bytes);
        expect(got.map((e) => e.path)).toEqual(list.map((e) => e.name));
        got.forEach((e, i) => expect(e.bytes.equals(Buffer.from(list[i].bytes))).toBe(true));
      }),
      { numRuns: 200 },
    );
  });

  it('writes a 1 GiB archive of known-CRC files without hashing (throughput printed, not asserted)', async () => {
    const file = new Uint8Array(4 * 1024 * 1024).map((_, i) => i & 0xff);
    const known = { crc32: crc32(file), size: file.length };
    const run = async (withCrc: boolean) => {
      const t0 = performance.now();
      let n = 0;
      const reader = makeStoredZip(
        (async function* () {
          for (let i = 0; i < 256; i++) yield { name: `f${i}`, lastModified: t, input: file, ...(withCrc ? known : {}) };
        })(),
      ).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.byteLength;
      }
      return { mbps: 1024 / ((performance.now() - t0) / 1000), n };
    };
    const a = await run(true);
    const b = await run(false);
    console.log(`storedZip 1 GiB: known CRC ${a.mbps.toFixed(0)} MB/s, hashed here ${b.mbps.toFixed(0)} MB/s`);
    expect(a.n).toBe(b.n);
    expect(a.n).toBeGreaterThan(1024 * 1024 * 1024);
  });
});
