/**
 * The engine's end of the download stream (workers/downloadStream.ts), with the stream worker's end
 * (lib/copyStream.ts) reading a fake copy: the bytes come as written, never read while the copy is
 * written, the engine waits while the download is behind (backpressure), a failed stream is never
 * waited on, and only a port the engine is waiting for is taken.
 */
import { describe, expect, it } from 'vitest';
import { attachStream, mirrorOn, openDownloadStream, streamFailed, type DownloadMirror } from '../../workers/downloadStream';
import { copyStreamOn, MAX_RANGE } from '../../lib/copyStream';

const ID = '4f1c2b3a-1111-4222-8333-944455556666';
const tick = () => new Promise((r) => setTimeout(r, 10));

/**
 * The journaled copy, in memory, written as workers/opfs.ts writes it (ask, write, say how far); its
 * reader (the stream worker's) fails as Chrome's does when a write comes while it reads
 * (NotReadableError), and counts its reads and their failures.
 */
function fakeCopy() {
  let bytes = new Uint8Array(0);
  let writes = 0;
  const c = {
    reads: [] as [number, number][],
    failedReads: 0,
    async write(mirror: DownloadMirror, chunk: Uint8Array) {
      await mirror.beforeWrite();
      const next = new Uint8Array(bytes.byteLength + chunk.byteLength);
      next.set(bytes);
      next.set(chunk, bytes.byteLength);
      bytes = next;
      writes++;
      await mirror.written(bytes.byteLength);
    },
    async read(from: number, to: number) {
      const before = writes;
      c.reads.push([from, to]);
      await tick();
      if (writes !== before) {
        c.failedReads++;
        throw new DOMException('The requested file could not be read', 'NotReadableError');
      }
      return bytes.slice(from, to);
    },
  };
  return c;
}

/** The stream worker's side on `port`: the download's body, read from `copy`. */
const download = (port: MessagePort, copy: ReturnType<typeof fakeCopy>) =>
  new Promise<ReadableStream<Uint8Array>>((resolve) => {
    port.onmessage = (e) => {
      if (e.data?.ready === true) resolve(copyStreamOn(port, (a, b) => copy.read(a, b)));
    };
  });

const bytesOf = (t: string) => new TextEncoder().encode(t);

describe('the download mirror', () => {
  it("the download gets the copy's bytes in order, and the stream ends once they are all read", async () => {
    const ch = new MessageChannel();
    const copy = fakeCopy();
    const got = download(ch.port1, copy);
    const mirror = mirrorOn(ch.port2);
    const reading = new Response(await got).text();
    for (const t of ['PK', 'zip', 'end']) await copy.write(mirror, bytesOf(t));
    expect(await mirror.close()).toBe(true);
    expect(await reading).toBe('PKzipend');
  });

  it('a read that meets a write is read again with the writes held: the download is whole and right', async () => {
    const ch = new MessageChannel();
    const copy = fakeCopy();
    const got = download(ch.port1, copy);
    const mirror = mirrorOn(ch.port2, 64 * 1024);
    const reading = new Response(await got).arrayBuffer();
    const expected: number[] = [];
    for (let i = 0; i < 200; i++) {
      const chunk = new Uint8Array(1000 + i).fill(i);
      expected.push(...chunk);
      await copy.write(mirror, chunk);
      // The engine goes on between writes (fetching): reads and writes interleave.
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await mirror.close()).toBe(true);
    expect([...new Uint8Array(await reading)]).toEqual(expected);
    expect(copy.reads.length).toBeGreaterThan(1);
    // Reads met writes (the engine goes on while the worker reads), and each was read again, held.
    expect(copy.failedReads).toBeGreaterThan(0);
  });

  it('waits while the download does not read, goes on when it does', async () => {
    const ch = new MessageChannel();
    const copy = fakeCopy();
    const got = download(ch.port1, copy);
    const mirror = mirrorOn(ch.port2, 4096);
    const reader = (await got).getReader();
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 20; i++) {
        await copy.write(mirror, new Uint8Array(1024));
        written++;
      }
    })();
    await tick();
    await tick();
    // Nothing read: the pending bound (4 KiB) holds it back.
    expect(written).toBeLessThanOrEqual(5);
    let read = 0;
    while (read < 20 * 1024) read += (await reader.read()).value!.byteLength;
    await writing;
    expect(written).toBe(20);
    mirror.fail('done');
  });

  it('the first bytes go at once; what is written while the download reads goes in large ranges, never above the bound', async () => {
    const ch = new MessageChannel();
    const copy = fakeCopy();
    const got = download(ch.port1, copy);
    const mirror = mirrorOn(ch.port2, 64 * MAX_RANGE);
    const reader = (await got).getReader();
    await copy.write(mirror, new Uint8Array([1, 2]));
    expect([...(await reader.read()).value!]).toEqual([1, 2]);
    // 1,000 tiny pieces (headers, small bodies, descriptors) while nothing is read...
    for (let i = 0; i < 1000; i++) await copy.write(mirror, new Uint8Array([i & 0xff, 7, 7]));
    // ...and one larger than a range.
    await copy.write(mirror, new Uint8Array(MAX_RANGE + 10).fill(5));
    const closing = mirror.close();
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
    }
    expect(await closing).toBe(true);
    expect(total).toBe(3000 + MAX_RANGE + 10);
    const sizes = copy.reads.slice(1).map(([a, b]) => b - a);
    expect(sizes.length).toBeLessThanOrEqual(3);
    expect(Math.max(...sizes)).toBe(MAX_RANGE);
  });

  it('the download cancelling its side fails the stream: writes stop waiting', async () => {
    const ch = new MessageChannel();
    const copy = fakeCopy();
    const got = download(ch.port1, copy);
    const mirror = mirrorOn(ch.port2, 1024);
    const stream = await got;
    const writing = (async () => {
      for (let i = 0; i < 50; i++) await copy.write(mirror, new Uint8Array(512));
    })();
    await tick();
    await stream.cancel('USER_CANCELED');
    await writing;
    await tick();
    expect(mirror.problem).toMatch(/download stream failed: the download was cancelled/);
    expect(await mirror.close()).toBe(false);
  });

  it('the stream worker going away fails the stream', async () => {
    const ch = new MessageChannel();
    const mirror = mirrorOn(ch.port2, 1024);
    const copy = fakeCopy();
    const writing = (async () => {
      for (let i = 0; i < 50; i++) await copy.write(mirror, new Uint8Array(512));
    })();
    ch.port1.close();
    await writing;
    expect(mirror.problem).toBe('the stream worker went away');
  });

  it('a message out of order, or forged, fails the stream', async () => {
    for (const forged of [{ read: 0 }, { want: 5 }, { want: -1 }, { range: [0, 1] }, 'want', null, { want: 0, extra: 1 }]) {
      const ch = new MessageChannel();
      const mirror = mirrorOn(ch.port2);
      const copy = fakeCopy();
      await copy.write(mirror, new Uint8Array(10));
      ch.port1.postMessage(forged);
      await tick();
      expect(mirror.problem, JSON.stringify(forged)).toBe('the stream worker sent a message out of order');
      ch.port1.close();
    }
  });

  it('a range of the copy that cannot be read ends the download, and the engine is told why', async () => {
    const ch = new MessageChannel();
    const mirror = mirrorOn(ch.port2);
    const stream = await new Promise<ReadableStream<Uint8Array>>((resolve) => {
      ch.port1.onmessage = () =>
        resolve(
          copyStreamOn(ch.port1, async () => {
            throw new Error('NotReadableError');
          }),
        );
    });
    const reading = new Response(stream).arrayBuffer();
    await fakeCopy().write(mirror, new Uint8Array(10));
    await expect(reading).rejects.toThrow(/the copy could not be read: NotReadableError/);
    await tick();
    expect(mirror.problem).toBe('the download stream failed: the copy could not be read: NotReadableError');
  });

  it('a stream given up is never waited on again, and says why', async () => {
    const ch = new MessageChannel();
    const mirror = mirrorOn(ch.port2, 2048); // never read
    const copy = fakeCopy();
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await copy.write(mirror, new Uint8Array(1024));
    })();
    await tick();
    mirror.fail('Download interrupted: NETWORK_FAILED');
    await writing; // returns: the writes no longer wait
    expect(mirror.problem).toBe('Download interrupted: NETWORK_FAILED');
    expect(await mirror.close()).toBe(false);
    ch.port1.close();
  });
});

describe('attaching the service worker\'s port', () => {
  it('a port for a job the engine is not waiting for is refused', async () => {
    const ch = new MessageChannel();
    const answer = new Promise((r) => (ch.port1.onmessage = (e) => r(e.data)));
    expect(attachStream(ID, ch.port2)).toBe(false);
    expect(await answer).toEqual({ error: 'The engine is not waiting for this stream.' });
    ch.port1.close();
  });

  it('the offer refused, or no port in time, or the background giving up: the engine goes without, saying why', async () => {
    const signal = new AbortController().signal;
    expect(await openDownloadStream(ID, async () => false, signal)).toBe('the background did not let it stream');
    const late = await openDownloadStream(ID, async () => true, signal, 20);
    if (typeof late === 'string') throw new Error(late);
    // The engine writes at once; the port not coming in time fails the sink, and writes stop waiting.
    await fakeCopy().write(late, new Uint8Array(8));
    await tick();
    await tick();
    expect(late.problem).toBe('the service worker did not ask for the stream in time');
    expect(await late.close()).toBe(false);
    const opening = await openDownloadStream(ID, async () => true, signal);
    if (typeof opening === 'string') throw new Error(opening);
    streamFailed(ID, 'gone');
    expect(opening.problem).toBe('gone');
    // A port arriving after that is told so.
    const ch = new MessageChannel();
    const answer = new Promise((r) => (ch.port1.onmessage = (e) => r(e.data)));
    attachStream(ID, ch.port2);
    expect(await answer).toEqual({ error: expect.any(String) });
    ch.port1.close();
  });

  it('bytes written before the port comes reach the download, in order', async () => {
    const ch = new MessageChannel();
    const opening = await openDownloadStream(ID, async () => true, new AbortController().signal);
    if (typeof opening === 'string') throw new Error(opening);
    const copy = fakeCopy();
    await copy.write(opening, bytesOf('PK'));
    const closing = opening.close();
    const got = download(ch.port1, copy);
    expect(attachStream(ID, ch.port2)).toBe(true);
    const text = new Response(await got).text();
    expect(await closing).toBe(true);
    expect(await text).toBe('PK');
  });

  it('an empty archive streams as an empty download', async () => {
    const ch = new MessageChannel();
    const copy = fakeCopy();
    const got = download(ch.port1, copy);
    const mirror = mirrorOn(ch.port2);
    const reading = new Response(await got).arrayBuffer();
    expect(await mirror.close()).toBe(true);
    expect((await reading).byteLength).toBe(0);
  });

  it('a cancel ends a stream the download does not read (paused, stalled): the engine never waits on it', async () => {
    const ch = new MessageChannel();
    const controller = new AbortController();
    const opening = openDownloadStream(ID, async () => true, controller.signal);
    await tick();
    attachStream(ID, ch.port2);
    const mirror = await opening;
    if (typeof mirror === 'string') throw new Error(mirror);
    const copy = fakeCopy();
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await copy.write(mirror, new Uint8Array(1024 * 1024));
    })();
    await tick();
    controller.abort();
    await writing;
    expect(mirror.problem).toBe('the export was cancelled');
    ch.port1.close();
  });

  it('the port the engine waits for is taken once', async () => {
    const ch = new MessageChannel();
    const got = new Promise((r) => (ch.port1.onmessage = (e) => r(e.data)));
    const opening = openDownloadStream(ID, async () => true, new AbortController().signal);
    await tick();
    expect(attachStream(ID, ch.port2)).toBe(true);
    const mirror = await opening;
    expect(typeof mirror).toBe('object');
    expect(await got).toEqual({ ready: true });
    const again = new MessageChannel();
    expect(attachStream(ID, again.port2)).toBe(false);
    if (typeof mirror === 'object') mirror.fail('done');
    ch.port1.close();
    again.port1.close();
  });
});
