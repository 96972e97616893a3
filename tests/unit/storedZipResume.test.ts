/**
 * Resuming an archive after a crash (workers/storedZip.ts `resume`/`onEntry`): the bytes up to the
 * last complete entry kept, the rest written by a new run, is byte for byte the uninterrupted archive.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeStoredZip, type WrittenEntry, type ZipInput, type ZipOptions } from '../../workers/storedZip';
import { readZipEntries } from '../zipReader';

const t = new Date(2024, 4, 17, 13, 45, 32);
const enc = new TextEncoder();

/** A fresh copy of each entry's input (async iterables can be read once). */
type Maker = () => ZipInput;

async function zip(makers: Maker[], opts: ZipOptions = {}): Promise<{ bytes: Buffer; written: WrittenEntry[] }> {
  const written: WrittenEntry[] = [];
  const source = (async function* () {
    for (const m of makers) yield m();
  })();
  const bytes = Buffer.from(await new Response(makeStoredZip(source, { ...opts, onEntry: (e) => written.push(e) })).arrayBuffer());
  return { bytes, written };
}

const data = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff);
const makers: Maker[] = [
  () => ({ name: 'known/crc.bin', lastModified: t, input: data, crc32: crc32(data), size: data.length }),
  () => ({ name: 'unknown/crc.bin', lastModified: t, input: data.subarray(3) }),
  () => ({ name: 'blob.bin', lastModified: t, input: new Blob([data.subarray(9)]), crc32: crc32(data.subarray(9)), size: data.length - 9 }),
  () => ({
    name: 'streamed ✓.md',
    lastModified: t,
    input: (async function* () {
      yield enc.encode('# step\n');
      yield enc.encode('output');
    })(),
  }),
  () => ({ name: 'text.txt', lastModified: t, input: 'héllo' }),
  () => ({ name: 'empty', lastModified: t, input: new Uint8Array(0) }),
];

describe('resuming an archive', () => {
  it('a crash after any entry: kept bytes + resumed run = the uninterrupted archive', async () => {
    const full = await zip(makers);
    expect(full.written.map((w) => w.name)).toEqual(['known/crc.bin', 'unknown/crc.bin', 'blob.bin', 'streamed ✓.md', 'text.txt', 'empty']);
    for (let k = 0; k <= makers.length; k++) {
      const kept = k === 0 ? 0 : full.written[k - 1].end;
      const rest = await zip(makers.slice(k), { resume: full.written.slice(0, k) });
      expect(Buffer.concat([full.bytes.subarray(0, kept), rest.bytes]).equals(full.bytes), `resumed after ${k} entries`).toBe(true);
      expect(rest.written).toEqual(full.written.slice(k));
    }
    expect((await readZipEntries(full.bytes)).map((e) => e.path)).toHaveLength(6);
  });

  it('every entry’s record matches where a reader finds it', async () => {
    const { bytes, written } = await zip(makers);
    const read = new Map((await readZipEntries(bytes)).map((e) => [e.path, e.bytes]));
    for (const w of written) {
      expect(bytes.readUInt32LE(w.offset), w.name).toBe(0x04034b50);
      expect(w.size, w.name).toBe(read.get(w.name)!.length);
      expect(w.crc32 >>> 0, w.name).toBe(crc32(read.get(w.name)!));
    }
    expect(written.at(-1)!.end).toBe(bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
  });

  it('refuses a journal whose entries do not follow each other', async () => {
    const { written } = await zip(makers.slice(0, 3));
    await expect(zip([], { resume: [written[0], written[2]] })).rejects.toThrow(/does not follow/);
    await expect(zip([], { resume: [{ ...written[0], offset: 5 }] })).rejects.toThrow(/does not follow/);
    await expect(zip([], { resume: [{ ...written[0], end: written[0].offset + 10 }] })).rejects.toThrow(/does not follow/);
  });

  it('property: any entries, a crash after any of them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8})?$/), body: fc.uint8Array({ maxLength: 3000 }), kind: fc.constantFrom('known', 'bytes', 'stream') }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        async (specs, at) => {
          const ms: Maker[] = specs.map((s, i) => () => {
            const name = `${i}-${s.name}`;
            if (s.kind === 'known') return { name, lastModified: t, input: s.body, crc32: crc32(s.body), size: s.body.length };
            if (s.kind === 'bytes') return { name, lastModified: t, input: s.body };
            return { name, lastModified: t, input: (async function* () { yield s.body.subarray(0, 7); yield s.body.subarray(7); })() };
          });
          const full = await zip(ms);
          const k = at % (ms.length + 1);
          const rest = await zip(ms.slice(k), { resume: full.written.slice(0, k) });
          const kept = k === 0 ? 0 : full.written[k - 1].end;
          expect(Buffer.concat([full.bytes.subarray(0, kept), rest.bytes]).equals(full.bytes)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
