/**
 * The stream worker's answer to `/stream/<jobId>` (lib/streamServer.ts): only a stream URL of ours,
 * only a stream the document says the background opened (its name first, then the engine's stream);
 * anything else is a 404, and a stream opened but not served is reported broken.
 */
import { describe, expect, it } from 'vitest';
import { serveStream, type StreamServerDeps, type StreamWorkerToHost } from '../../lib/streamServer';

const BASE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
const HOST = `${BASE}offscreen.html`;
const ID = '4f1c2b3a-1111-4222-8333-944455556666';
const NAME = 'Étude_case-files.zip';

/**
 * An offscreen document that answers a port with `answer`: what the document and the engine post
 * on it (the name, then a stream; or whatever a forger sends).
 */
function deps(answer: (port: MessagePort) => void, opts: { hostUrl?: string } = {}) {
  const asked: StreamWorkerToHost[] = [];
  const d: StreamServerDeps = {
    baseUrl: BASE,
    hostUrl: HOST,
    clients: async () => [
      { url: `${BASE}popup.html`, postMessage: () => { throw new Error('not the host'); } },
      {
        url: opts.hostUrl ?? HOST,
        postMessage: (msg, transfer) => {
          asked.push(msg);
          if (transfer?.length) answer(transfer[0] as MessagePort);
        },
      },
    ],
  };
  const broken = () => asked.filter((m) => m.type === 'stream/broken').map((m) => (m as { reason: string }).reason);
  return { d, asked, broken };
}

const bytes = (text: string) => new TextEncoder().encode(text);

const streamOf = (text: string) => new ReadableStream({ start: (c) => (c.enqueue(bytes(text)), c.close()) });

describe('serveStream', () => {
  it('answers with the engine\'s stream as an attachment under the name the background opened it with', async () => {
    const { d, asked } = deps((port) => {
      port.postMessage({ name: NAME });
      const stream = streamOf('PK');
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
    expect(await serveStream(`${BASE}stream/../popup.html`, d)).toBeNull();
    expect(asked).toEqual([]);
  });

  it('a stream the background did not open (unknown, ended, asked twice): 404, nothing reported broken', async () => {
    for (const answer of [{ error: 'This export is not streaming.' }, { stream: 'PK' }, 'PK', { name: '' }, { name: 'x'.repeat(1001) }, { name: 42 }]) {
      const { d, broken } = deps((port) => {
        port.postMessage(answer);
        // A stream without an opened name first is not taken either.
        const stream = streamOf('PK');
        port.postMessage({ stream }, [stream as never]);
      });
      expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
      expect(broken()).toEqual([]);
    }
  });

  it('opened, but the engine refuses or answers anything but a stream: 404, and the stream is reported broken (the copy will be saved)', async () => {
    for (const [answer, reason] of [
      [{ error: 'The engine is not waiting for this stream.' }, 'the engine refused the stream (The engine is not waiting for this stream.)'],
      [{ stream: 'PK\u0003\u0004 forged bytes' }, "the engine's answer was not a stream"],
      ['PK', "the engine's answer was not a stream"],
      [{ name: 'Other.zip' }, "the engine's answer was not a stream"],
    ] as const) {
      const { d, broken } = deps((port) => {
        port.postMessage({ name: NAME });
        port.postMessage(answer);
      });
      expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
      expect(broken()).toEqual([reason]);
    }
  });

  it('no engine host to ask: 404', async () => {
    const { d, asked } = deps(() => {}, { hostUrl: `${BASE}options.html` });
    expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
    expect(asked).toEqual([]);
  });
});
