/**
 * The download stream's wire (lib/streamPort.ts): chunks go one per pull, their buffers transferred
 * (never copied), in order, to the end; a cancel reaches the engine; a forged message on either side
 * ends the stream instead of becoming bytes.
 */
import { describe, expect, it } from 'vitest';
import { pullFromPort, serveOnPort } from '../../lib/streamPort';

const bytes = (text: string) => new TextEncoder().encode(text);
const tick = () => new Promise((r) => setTimeout(r, 10));

/** The service worker's side, once the engine said the stream is there. */
function received(port: MessagePort): Promise<ReadableStream<Uint8Array>> {
  return new Promise((resolve) => {
    port.onmessage = (e) => {
      expect(e.data).toEqual({ stream: true });
      resolve(pullFromPort(port));
    };
  });
}

describe('the download stream over a port', () => {
  it('carries the chunks in order, moving each buffer instead of copying it', async () => {
    const ch = new MessageChannel();
    const chunks = ['PK', 'zip', 'end'].map(bytes);
    const got = received(ch.port1);
    serveOnPort(ch.port2, new ReadableStream({ start: (c) => (chunks.forEach((x) => c.enqueue(x)), c.close()) }));
    expect(await new Response(await got).text()).toBe('PKzipend');
    // Transferred: the engine's buffers are detached once sent.
    expect(chunks.map((c) => c.byteLength)).toEqual([0, 0, 0]);
  });

  it('sends only what was pulled (the download sets the pace)', async () => {
    const ch = new MessageChannel();
    let pulls = 0;
    const got = received(ch.port1);
    serveOnPort(ch.port2, new ReadableStream({ pull: (c) => void (pulls++, c.enqueue(bytes('x'))) }, { highWaterMark: 0 }));
    const reader = (await got).getReader();
    await reader.read();
    await tick();
    expect(pulls).toBe(1);
    await reader.read();
    await tick();
    expect(pulls).toBe(2);
    await reader.cancel('done');
  });

  it('a view on part of a buffer is sent with its own bytes only', async () => {
    const ch = new MessageChannel();
    const big = bytes('..PK..');
    const got = received(ch.port1);
    serveOnPort(ch.port2, new ReadableStream({ start: (c) => (c.enqueue(big.subarray(2, 4)), c.close()) }));
    expect(await new Response(await got).text()).toBe('PK');
    expect(big.byteLength).toBe(6);
  });

  it('the download cancelling reaches the engine as a cancel of its stream', async () => {
    const ch = new MessageChannel();
    let reason: unknown = null;
    const got = received(ch.port1);
    serveOnPort(ch.port2, new ReadableStream({ pull: (c) => c.enqueue(bytes('x')), cancel: (r) => void (reason = r) }, { highWaterMark: 0 }));
    await (await got).cancel('USER_CANCELED');
    await tick();
    expect(reason).toBe('USER_CANCELED');
  });

  it('a forged message to the engine (not a pull) cancels its stream; nothing is sent for it', async () => {
    const ch = new MessageChannel();
    let reason: unknown = null;
    const seen: unknown[] = [];
    ch.port1.onmessage = (e) => seen.push(e.data);
    serveOnPort(ch.port2, new ReadableStream({ pull: (c) => c.enqueue(bytes('x')), cancel: (r) => void (reason = r) }, { highWaterMark: 0 }));
    ch.port1.postMessage({ pull: 'yes', chunk: new ArrayBuffer(4) });
    await tick();
    expect(reason).toBe('the download sent something that is not a pull');
    expect(seen).toEqual([{ stream: true }]);
  });

  it('a forged answer to the service worker (not a chunk, not the end) errors the download instead of becoming bytes', async () => {
    for (const forged of [{ chunk: 'PK\u0003\u0004' }, { chunk: new Uint8Array([1, 2]) }, { done: 'yes' }, 'PK', { error: 'x'.repeat(1000) }]) {
      const ch = new MessageChannel();
      ch.port2.onmessage = (e) => {
        if (e.data?.pull === true) ch.port2.postMessage(forged);
      };
      const reading = new Response(pullFromPort(ch.port1)).arrayBuffer();
      await expect(reading).rejects.toThrow();
      ch.port2.close();
    }
  });

  it('an engine error ends the download with it', async () => {
    const ch = new MessageChannel();
    const got = received(ch.port1);
    serveOnPort(ch.port2, new ReadableStream({ pull: (c) => c.error(new Error('disk full')) }));
    await expect(new Response(await got).text()).rejects.toThrow('disk full');
  });
});
