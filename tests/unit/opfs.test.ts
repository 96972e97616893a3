import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activeJobIds, appendWriter, leftoverJobId, sweepLeftovers, type SweepDir, type SyncAccessHandle } from '../../workers/opfs';

/** A file in memory behind the sync-access-handle calls the writer uses; counts truncates. */
function fakeHandle(maxWrite = Infinity) {
  let bytes = new Uint8Array(0);
  const calls = { truncate: 0 };
  const handle: SyncAccessHandle = {
    write(buffer, opts) {
      const at = opts?.at ?? 0;
      const chunk = new Uint8Array(buffer.buffer, buffer.byteOffset, Math.min(buffer.byteLength, maxWrite));
      if (at + chunk.byteLength > bytes.byteLength) throw new Error('write past the end: the writer must grow the file first');
      bytes.set(chunk, at);
      return chunk.byteLength;
    },
    truncate(size) {
      calls.truncate++;
      const next = new Uint8Array(size);
      next.set(bytes.subarray(0, size));
      bytes = next;
    },
    close() {},
  };
  return { handle, calls, bytes: () => bytes };
}

describe('appendWriter (archive sink and temp files)', () => {
  it('writes every chunk in order and trims the file to the bytes written', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.nat(2000), fc.integer({ min: 1, max: 64 }), (chunks, hint, maxWrite) => {
        const f = fakeHandle(maxWrite);
        const out = appendWriter(f.handle, hint);
        for (const c of chunks) out.write(c);
        out.end();
        const want = Buffer.concat(chunks);
        expect(out.offset).toBe(want.byteLength);
        expect(Buffer.from(f.bytes())).toEqual(want);
      }),
    );
  });

  it('grows the file in steps, not once per write', () => {
    const f = fakeHandle();
    const out = appendWriter(f.handle);
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 300; i++) out.write(chunk);
    out.end();
    expect(f.bytes().byteLength).toBe(300 * 1024 * 1024);
    expect(f.calls.truncate).toBeLessThanOrEqual(6); // 64 MiB, then doubling steps, then the final trim
  });

  it('a known size is allocated at once, and the file ends at the bytes written', () => {
    const f = fakeHandle();
    const out = appendWriter(f.handle, 10_000);
    out.write(new Uint8Array(6000));
    out.write(new Uint8Array(4000));
    out.end();
    expect(f.calls.truncate).toBe(1);
    expect(f.bytes().byteLength).toBe(10_000);
  });
});

/** A directory of the private file system in memory: names and kinds; `locked` ones refuse removal. */
function fakeDir(entries: Record<string, 'file' | 'directory'>, locked: string[] = []) {
  const items = new Map(Object.entries(entries));
  const dir: SweepDir = {
    async *entries() {
      for (const [name, kind] of items) yield [name, { kind }] as [string, { kind: 'file' | 'directory' }];
    },
    async removeEntry(name, opts) {
      if (locked.includes(name)) throw new DOMException('open', 'NoModificationAllowedError');
      if (items.get(name) === 'directory' && !opts?.recursive) throw new DOMException('not empty', 'InvalidModificationError');
      if (!items.delete(name)) throw new DOMException('gone', 'NotFoundError');
    },
  };
  return { dir, names: () => [...items.keys()] };
}

describe('the leftover sweep', () => {
  it('removes archives and temp dirs of jobs that no longer exist, keeps live ones and names not ours', async () => {
    const exports = fakeDir({ 'live.part': 'file', 'dead.part': 'file', 'crashed.part': 'file', 'notes.txt': 'file', 'odd.part': 'directory', 'busy.part': 'file' }, ['busy.part']);
    const tmp = fakeDir({ live: 'directory', dead: 'directory', older: 'directory', stray: 'file' });
    const live = new Set(['live']);
    const removed = await sweepLeftovers({ exports: exports.dir, tmp: tmp.dir }, (id) => live.has(id));
    expect(removed.sort()).toEqual(['exports/crashed.part', 'exports/dead.part', 'tmp/dead', 'tmp/older']);
    expect(exports.names().sort()).toEqual(['busy.part', 'live.part', 'notes.txt', 'odd.part']);
    expect(tmp.names().sort()).toEqual(['live', 'stray']);
  });

  it('asks whether a job lives at the moment of removal (a job started during the sweep is safe)', async () => {
    const exports = fakeDir({ 'a.part': 'file', 'b.part': 'file' });
    const tmp = fakeDir({ b: 'directory' });
    const live = new Set<string>();
    const removed = await sweepLeftovers({ exports: exports.dir, tmp: tmp.dir }, (id) => {
      if (id === 'a') live.add('b'); // b starts while a's entry is looked at
      return live.has(id);
    });
    expect(removed).toEqual(['exports/a.part']);
    expect(tmp.names()).toEqual(['b']);
  });

  it('names an entry by its job: <jobId>.part in exports, <jobId>/ in tmp', () => {
    expect(leftoverJobId('exports', 'j1.part', 'file')).toBe('j1');
    expect(leftoverJobId('exports', '.part', 'file')).toBeNull();
    expect(leftoverJobId('exports', 'j1.part.journal', 'file')).toBe('j1');
    expect(leftoverJobId('exports', 'j1.journal', 'file')).toBeNull();
    expect(leftoverJobId('exports', 'j1.zip', 'file')).toBeNull();
    expect(leftoverJobId('tmp', 'j1', 'directory')).toBe('j1');
    expect(leftoverJobId('tmp', 'j1', 'file')).toBeNull();
  });

  it('keeps the jobs the background answers as active; a reply that is not a list sweeps nothing', () => {
    const job = (id: unknown, phase: string) => ({ id, phase });
    expect(activeJobIds([job('a', 'running'), job('b', 'saving'), job('c', 'queued'), job('d', 'done'), job('e', 'cancelled'), job(7, 'running'), null])).toEqual(['a', 'b', 'c']);
    expect(() => activeJobIds({ error: 'forged' })).toThrow(/did not answer a list/);
    expect(() => activeJobIds(undefined)).toThrow();
  });
});
