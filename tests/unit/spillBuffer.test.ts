/**
 * workers/spillBuffer.ts: the compact, disk-spilling byte list behind the archive's central directory
 * and SHA256SUMS. It must give back exactly what a plain array of the pushed bytes would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryTempFile, type TempStore } from '../../workers/buffering';
import { SpillBuffer } from '../../workers/spillBuffer';
import { makeStoredZip, type ZipInput } from '../../workers/storedZip';
import { zipStream } from '../../workers/zipStream';
import { emptyProgress } from '../../lib/jobs';
import { readZipEntries } from '../zipReader';

/** A memory store that counts the files made, their bytes, and the ones still not disposed. */
function countingStore() {
  const stats = { created: 0, written: 0, live: 0 };
  const store: TempStore = {
    async create(hint) {
      stats.created++;
      stats.live++;
      const f = memoryTempFile(0);
      void hint;
      return {
        inMemory: false,
        write: (c) => {
          stats.written += c.byteLength;
          f.write(c);
        },
        finish: () => f.finish(),
        dispose: async () => {
          stats.live--;
          await f.dispose();
        },
      };
    },
    clear: async () => {},
  };
  return { store, stats };
}

async function all(buf: SpillBuffer): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of buf.pieces()) parts.push(p);
  return Buffer.concat(parts);
}

describe('SpillBuffer', () => {
  it('property: gives back every pushed byte in order, spilled or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 256 }),
        fc.boolean(),
        async (pushes, blockSize, limit, withStore) => {
          const { store, stats } = countingStore();
          const buf = new SpillBuffer(withStore ? store : undefined, limit, blockSize);
          for (const p of pushes) {
            buf.push(p);
            if (buf.wantsSpill) await buf.spill();
          }
          const expected = Buffer.concat(pushes);
          expect(buf.size).toBe(expected.length);
          expect((await all(buf)).equals(expected)).toBe(true);
          // Spilled only when memory passed its limit, and the temp file is gone once read.
          if (!withStore) expect(stats.created).toBe(0);
          if (withStore && expected.length < limit) expect(stats.created).toBe(0);
          expect(stats.live).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps at most its limit (plus a block) in memory: the rest is in the file', async () => {
    const { store, stats } = countingStore();
    const buf = new SpillBuffer(store, 4096, 1024);
    const line = new Uint8Array(100).fill(7);
    for (let i = 0; i < 1000; i++) {
      buf.push(line);
      if (buf.wantsSpill) await buf.spill();
      expect(buf.size - stats.written).toBeLessThanOrEqual(4096 + 1024 + line.length);
    }
    expect(stats.created).toBe(1);
    expect((await all(buf)).length).toBe(100_000);
  });
});

describe('the central directory and SHA256SUMS spill to the job’s temp files', () => {
  const t = new Date(2024, 4, 17, 13, 45, 32);
  const many = (n: number) =>
    (async function* (): AsyncGenerator<ZipInput> {
      for (let i = 0; i < n; i++) yield { name: `case-${i}/file number ${i}.txt`, lastModified: t, input: new Uint8Array(0) };
    })();
  const bytesOf = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer());

  it('a directory of several MiB: the same archive, byte for byte, with and without a store', async () => {
    const n = 70_000;
    const { store, stats } = countingStore();
    const spilled = await bytesOf(makeStoredZip(many(n), { spill: store }));
    const plain = await bytesOf(makeStoredZip(many(n)));
    expect(stats.created).toBe(1);
    expect(stats.written).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(stats.live).toBe(0);
    expect(spilled.equals(plain)).toBe(true);
    expect((await readZipEntries(spilled)).length).toBe(n);
  });

  it('zipStream: SHA256SUMS lists every entry when its lines went to disk', async () => {
    const n = 50_000;
    const { store, stats } = countingStore();
    const zip = await bytesOf(zipStream(many(n), emptyProgress(), undefined, store));
    // Both the list (about 6 MB) and the directory (about 4.5 MB) spilled.
    expect(stats.created).toBe(2);
    expect(stats.live).toBe(0);
    const read = await readZipEntries(zip, { requireChecksums: true, keepChecksums: true });
    expect(read.length).toBe(n + 1);
  });
});
