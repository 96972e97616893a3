/**
 * The service worker's answer to `/stream/<jobId>` (lib/streamServer.ts): only a stream URL of ours,
 * only once per offered stream, only the engine's stream; a refusal is a 404 and breaks the stream.
 */
import { describe, expect, it } from 'vitest';
import { serveStream, type StreamServerDeps } from '../../lib/streamServer';

const BASE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
const HOST = `${BASE}offscreen.html`;
const ID = '4f1c2b3a-1111-4222-8333-944455556666';

/** An offscreen document whose engine answers a port with `answer` (a stream, or whatever a forger sends). */
function deps(answer: (port: MessagePort) => void, opts: { name?: string | null; hostUrl?: string } = {}) {
  const broken: string[] = [];
  const asked: unknown[] = [];
  const d: StreamServerDeps = {
    baseUrl: BASE,
    hostUrl: HOST,
    clients: async () => [
      { url: `${BASE}popup.html`, postMessage: () => { throw new Error('not the host'); } },
      {
        url: opts.hostUrl ?? HOST,
        postMessage: (msg, transfer) => {
          asked.push(msg);
          answer(transfer[0] as MessagePort);
        },
      },
    ],
    openStream: async () => (opts.name === undefined ? 'Étude_case-files.zip' : opts.name),
    streamBroken: async (_id, reason) => void broken.push(reason),
  };
  return { d, broken, asked };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('serveStream', () => {
  it('answers with the engine\'s stream as an attachment under the checked name', async () => {
    const { d, asked } = deps((port) => {
      const stream = new ReadableStream({ start: (c) => (c.enqueue(bytes('PK')), c.close()) });
      port.postMessage({ stream }, [stream as never]);
    });
    const res = (await serveStream(`${BASE}stream/${ID}`, d))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="_tude_case-files.zip"; filename*=UTF-8''%C3%89tude_case-files.zip`);
    expect(res.headers.get('Content-Type')).toBe('application/zip');
    expect(await res.text()).toBe('PK');
    expect(asked).toEqual([{ to: 'host', type: 'stream/port', jobId: ID }]);
  });

  it('leaves every other URL alone', async () => {
    const { d, asked } = deps(() => {});
    expect(await serveStream(`${BASE}popup.html`, d)).toBeNull();
    expect(await serveStream(`${BASE}stream/${ID}?again=1`, d)).toBeNull();
    expect(asked).toEqual([]);
  });

  it('a stream the background does not have as offered (unknown, ended, asked twice): 404, the engine not asked', async () => {
    const { d, asked, broken } = deps(() => {}, { name: null });
    expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
    expect(asked).toEqual([]);
    expect(broken).toEqual([]);
  });

  it('the engine refuses, or answers anything but a stream: 404, and the stream is broken (the copy will be saved)', async () => {
    for (const [answer, reason] of [
      [{ error: 'The engine is not waiting for this stream.' }, 'the engine refused the stream (The engine is not waiting for this stream.)'],
      [{ stream: 'PK\u0003\u0004 forged bytes' }, "the engine's answer was not a stream"],
      ['PK', "the engine's answer was not a stream"],
    ] as const) {
      const { d, broken } = deps((port) => port.postMessage(answer));
      expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
      expect(broken).toEqual([reason]);
    }
  });

  it('no engine host to ask: 404, the stream broken', async () => {
    const { d, broken } = deps(() => {}, { hostUrl: `${BASE}options.html` });
    expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
    expect(broken).toEqual(['the engine host was not there']);
  });
});
