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
    const mirror = mirrorOn(ch.port2);
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
    // Nothing read: only a few chunks may be on their way (the queues hold one or two each).
    expect(written).toBeLessThan(6);
    let read = 0;
    while (read < 20 * 1024) read += (await reader.read()).value!.byteLength;
    await writing;
    expect(written).toBe(20);
    ch.port1.close();
  });

  it('a stream given up is never waited on again, and says why', async () => {
    const ch = new MessageChannel();
    void receive(ch.port1); // never read
    const mirror = mirrorOn(ch.port2);
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
    expect(await openDownloadStream(ID, async () => true, signal, 20)).toBe('the service worker did not ask for the stream in time');
    const opening = openDownloadStream(ID, async () => true, signal);
    await tick();
    streamFailed(ID, 'gone');
    expect(typeof (await opening)).toBe('string');
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
