/**
 * The engine's end of the download stream (workers/downloadStream.ts): the bytes go as written, the
 * engine waits while the download is behind (backpressure), a failed stream is never waited on, and
 * only a port the engine is waiting for is taken.
 */
import { describe, expect, it } from 'vitest';
import { attachStream, mirrorOn, openDownloadStream, streamFailed } from '../../workers/downloadStream';

const ID = '4f1c2b3a-1111-4222-8333-944455556666';
const tick = () => new Promise((r) => setTimeout(r, 10));

/** The service worker's side: the stream the engine posts on the port. */
function receive(port: MessagePort): Promise<ReadableStream<Uint8Array>> {
  return new Promise((resolve) => {
    port.onmessage = (e) => resolve(e.data.stream);
  });
}

describe('the download mirror', () => {
  it('carries the chunks in order and ends', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2);
    const reading = new Response(await got).text();
    for (const t of ['PK', 'zip', 'end']) await mirror.write(new TextEncoder().encode(t));
    expect(await mirror.close()).toBe(true);
    expect(await reading).toBe('PKzipend');
    ch.port1.close();
  });

  it('waits while the download does not read, goes on when it does', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2, 4096, 2048);
    const reader = (await got).getReader();
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 20; i++) {
        await mirror.write(new Uint8Array(1024));
        written++;
      }
    })();
    await tick();
    await tick();
    // Nothing read: the pending bound (4 KiB) and the chunks on their way (a pull or two) hold it back.
    expect(written).toBeLessThan(12);
    let read = 0;
    while (read < 20 * 1024) read += (await reader.read()).value!.byteLength;
    await writing;
    expect(written).toBe(20);
    ch.port1.close();
  });

  it('the first bytes go at once; pieces written while the download is busy go as one chunk', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2);
    const reader = (await got).getReader();
    await mirror.write(new Uint8Array([1, 2]));
    expect([...(await reader.read()).value!]).toEqual([1, 2]);
    // 1,000 tiny pieces (headers, small bodies, descriptors) while nothing is read...
    for (let i = 0; i < 1000; i++) await mirror.write(new Uint8Array([i & 0xff, 7, 7]));
    await tick();
    // ...cross in a handful of chunks, not one message each, and in order.
    const chunks: Uint8Array[] = [];
    let total = 0;
    const closing = mirror.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    expect(await closing).toBe(true);
    expect(total).toBe(3000);
    expect(chunks.length).toBeLessThanOrEqual(3);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) all.set(c, (at += c.byteLength) - c.byteLength);
    for (let i = 0; i < 1000; i++) expect([...all.subarray(i * 3, i * 3 + 3)]).toEqual([i & 0xff, 7, 7]);
    ch.port1.close();
  });

  it('a chunk is never larger than the bound unless one write was', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2, 1 << 20, 1000);
    const reader = (await got).getReader();
    for (let i = 0; i < 30; i++) await mirror.write(new Uint8Array(100));
    await mirror.write(new Uint8Array(5000));
    const closing = mirror.close();
    const sizes: number[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      sizes.push(value.byteLength);
    }
    await closing;
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(sizes.filter((n) => n > 1000)).toEqual([5000]);
    ch.port1.close();
  });

  it('a view of a larger buffer crosses as its own bytes only (a clone carries the whole buffer)', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2);
    const reader = (await got).getReader();
    const big = new Uint8Array(1 << 20).fill(9);
    await mirror.write(big.subarray(1000, 1000 + 100_000));
    const { value } = await reader.read();
    expect(value!.byteLength).toBe(100_000);
    expect(value!.buffer.byteLength).toBe(100_000);
    // A whole buffer goes as it is.
    await mirror.write(new Uint8Array(200_000));
    expect((await reader.read()).value!.buffer.byteLength).toBe(200_000);
    mirror.fail('done');
    ch.port1.close();
  });

  it('a small piece may be reused by its writer at once: the stream carries what was written', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2);
    const reading = new Response(await got).arrayBuffer();
    const buf = new Uint8Array(4);
    for (let i = 0; i < 3; i++) {
      buf.fill(i + 1);
      await mirror.write(buf);
    }
    expect(await mirror.close()).toBe(true);
    expect([...new Uint8Array(await reading)]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    ch.port1.close();
  });

  it('the download cancelling its side fails the stream: writes stop waiting', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const mirror = mirrorOn(ch.port2, 1024, 512);
    const stream = await got;
    const writing = (async () => {
      for (let i = 0; i < 50; i++) await mirror.write(new Uint8Array(512));
    })();
    await tick();
    await stream.cancel('USER_CANCELED');
    await writing;
    await tick();
    expect(mirror.problem).toMatch(/download stream failed/);
    expect(await mirror.close()).toBe(false);
    ch.port1.close();
  });

  it('a stream given up is never waited on again, and says why', async () => {
    const ch = new MessageChannel();
    void receive(ch.port1); // never read
    const mirror = mirrorOn(ch.port2, 2048, 1024);
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await mirror.write(new Uint8Array(1024));
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
    await late.write(new Uint8Array(8));
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
    await opening.write(new TextEncoder().encode('PK'));
    const closing = opening.close();
    await opening.write(new TextEncoder().encode('late')); // after close: ignored
    const got = receive(ch.port1);
    expect(attachStream(ID, ch.port2)).toBe(true);
    const text = new Response(await got).text();
    expect(await closing).toBe(true);
    expect(await text).toBe('PK');
    ch.port1.close();
  });

  it('a cancel ends a stream the download does not read (paused, stalled): the engine never waits on it', async () => {
    const ch = new MessageChannel();
    void receive(ch.port1); // never read
    const controller = new AbortController();
    const opening = openDownloadStream(ID, async () => true, controller.signal);
    await tick();
    attachStream(ID, ch.port2);
    const mirror = await opening;
    if (typeof mirror === 'string') throw new Error(mirror);
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await mirror.write(new Uint8Array(1024));
    })();
    await tick();
    controller.abort();
    await writing;
    expect(mirror.problem).toBe('the export was cancelled');
    ch.port1.close();
  });

  it('the port the engine waits for is taken once', async () => {
    const ch = new MessageChannel();
    const got = receive(ch.port1);
    const opening = openDownloadStream(ID, async () => true, new AbortController().signal);
    await tick();
    expect(attachStream(ID, ch.port2)).toBe(true);
    const mirror = await opening;
    expect(typeof mirror).toBe('object');
    expect(await got).toBeInstanceOf(ReadableStream);
    const again = new MessageChannel();
    expect(attachStream(ID, again.port2)).toBe(false);
    if (typeof mirror === 'object') mirror.fail('done');
    ch.port1.close();
    again.port1.close();
  });
});
