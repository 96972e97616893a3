import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { makeZip } from 'client-zip';
import { fixZipEntryCount } from '../../workers/zip64';
import { CorruptFileError, downloadVerified } from '../../workers/verified';
import { SessionGate } from '../../workers/session';
import { memoryTempStore } from '../../workers/buffering';
import type { OpenFn } from '../../workers/fetching';
import { PlatformError } from '../../lib/platform';

const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function entryCountOf(buf: Buffer): Promise<{ declared: number; read: number }> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      let read = 0;
      zip.on('entry', () => {
        read++;
        zip.readEntry();
      });
      zip.on('end', () => resolve({ declared: zip.entryCount, read }));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

async function zipOf(n: number, fix: boolean): Promise<Buffer> {
  let count = 0;
  function* files() {
    for (let i = 0; i < n; i++) {
      count++;
      yield { name: `f${i}.txt`, input: String(i), lastModified: new Date(0) };
    }
  }
  let stream = makeZip(files());
  if (fix) stream = stream.pipeThrough(fixZipEntryCount(() => count));
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe('fixZipEntryCount (more than 65,535 entries under 4 GiB)', () => {
  it('client-zip alone clamps the count; with the fix readers see every entry', async () => {
    const raw = await zipOf(70_000, false);
    expect(raw.readUInt16LE(raw.length - 22 + 10)).toBe(0xffff);
    const fixed = await zipOf(70_000, true);
    expect(fixed.length).toBe(raw.length + 76);
    expect(fixed.readUInt32LE(fixed.length - 22 - 76)).toBe(0x06064b50); // ZIP64 end record
    expect(Number(fixed.readBigUInt64LE(fixed.length - 22 - 76 + 32))).toBe(70_000);
    expect(await entryCountOf(fixed)).toEqual({ declared: 70_000, read: 70_000 });
  });
  it('leaves small archives byte-identical', async () => {
    expect(await zipOf(10, true)).toEqual(await zipOf(10, false));
  });
});

describe('downloadVerified', () => {
  const data = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
  const ok = (body: Uint8Array, checksum = sha(data)) =>
    new Response(body as BodyInit, { headers: { 'X-Checksum-Sha256': checksum, 'Content-Length': String(body.length) } });
  const base = { store: memoryTempStore, expectedSize: data.length, signal: new AbortController().signal, policy: fast };

  it('returns the bytes when the checksum matches', async () => {
    const file = await downloadVerified(async () => ok(data), { ...base, info: { attempts: 0 } });
    expect(new Uint8Array(file.content as Uint8Array)).toEqual(data);
  });

  it('downloads again when the bytes do not match, and counts bytes back', async () => {
    let n = 0;
    let bytes = 0;
    const bad = data.slice();
    bad[100] ^= 1;
    const open: OpenFn = async () => (++n === 1 ? ok(bad) : ok(data));
    const file = await downloadVerified(open, { ...base, info: { attempts: 0 }, onBytes: (b) => (bytes += b) });
    expect(n).toBe(2);
    expect(bytes).toBe(data.length);
    expect(sha(file.content as Uint8Array)).toBe(sha(data));
  });

  it('a file that never matches is corrupt, never returned', async () => {
    const bad = data.slice();
    bad[0] ^= 0xff;
    const err = await downloadVerified(async () => ok(bad), { ...base, info: { attempts: 0 }, checksumAttempts: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toMatch(/checksum mismatch/);
  });

  it('a short body is not accepted', async () => {
    const err = await downloadVerified(async () => new Response(data.subarray(0, 10) as BodyInit), { ...base, info: { attempts: 0 }, checksumAttempts: 1 }).catch((e) => e);
    expect(err.message).toMatch(/size mismatch/);
  });

  it('a 401 waits for the session, then goes on', async () => {
    let signedIn = false;
    const paused: boolean[] = [];
    const gate = new SessionGate(async () => signedIn, (p) => paused.push(p), new AbortController().signal, 5);
    const open: OpenFn = async () => {
      if (!signedIn) throw new PlatformError(401, 'unauthenticated', 'Session expired');
      return ok(data);
    };
    const pending = downloadVerified(open, { ...base, info: { attempts: 0 }, gate });
    await new Promise((r) => setTimeout(r, 30));
    expect(paused).toEqual([true]);
    signedIn = true;
    const file = await pending;
    expect((file.content as Uint8Array).byteLength).toBe(data.length);
    expect(paused).toEqual([true, false]);
  });
});

describe('SessionGate', () => {
  it('one wait for every caller; other errors pass through; cancel ends the wait', async () => {
    let probes = 0;
    const controller = new AbortController();
    const gate = new SessionGate(async () => ++probes >= 3, () => {}, controller.signal, 1);
    const calls = [0, 0];
    const runs = calls.map((_, i) =>
      gate.run(async () => {
        if (++calls[i] === 1) throw new PlatformError(401, 'x', 'x');
        return i;
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 1]);
    expect(probes).toBe(3);
    await expect(gate.run(async () => Promise.reject(new PlatformError(404, 'x', 'gone')))).rejects.toThrow('gone');
    const waiting = gate.run(async () => Promise.reject(new PlatformError(401, 'x', 'x')));
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow();
  });
});

describe('ensureSpace', async () => {
  const { ensureSpace, SPACE_MARGIN } = await import('../../workers/space');
  it('says clearly when the disk cannot hold the export', async () => {
    const estimate = async () => ({ quota: 2 * 1024 ** 3, usage: 1024 ** 3 });
    await expect(ensureSpace(512 * 1024 ** 2, estimate)).resolves.toBeUndefined();
    await expect(ensureSpace(1024 ** 3, estimate)).rejects.toThrow(
      /Not enough free disk space for this export: it needs about 1\.3 GB and the browser can use 1\.0 GB/,
    );
    expect(SPACE_MARGIN).toBe(256 * 1024 ** 2);
    await expect(ensureSpace(10 ** 15, async () => undefined)).resolves.toBeUndefined();
  });
});
