/**
 * The stream worker's answer to `/stream/<jobId>` (lib/streamServer.ts): only a stream URL of ours,
 * only a stream the document says the background opened (its name first, then the engine's ready);
 * anything else is a 404, and a stream opened but not served is reported broken. The body is read
 * from the job's copy, as the engine grants it.
 */
import { describe, expect, it } from 'vitest';
import { serveStream, type StreamServerDeps, type StreamWorkerToHost } from '../../lib/streamServer';
import { mirrorOn } from '../../workers/downloadStream';

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
  const copyReads: string[] = [];
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
    readCopy: async (jobId, from, to) => {
      copyReads.push(`${jobId} ${from}-${to}`);
      return COPY.slice(from, to);
    },
  };
  const broken = () => asked.filter((m) => m.type === 'stream/broken').map((m) => (m as { reason: string }).reason);
  return { d, asked, broken, copyReads };
}

const bytes = (text: string) => new TextEncoder().encode(text);

/** The job's copy in the private file system. */
const COPY = bytes('PK\u0003\u0004 a whole archive');

describe('serveStream', () => {
  it("answers with the job's copy, as the engine grants it, as an attachment under the name the background opened it with", async () => {
    const { d, asked, copyReads } = deps((port) => {
      port.postMessage({ name: NAME });
      // The engine: the copy is whole already.
      const mirror = mirrorOn(port);
      void mirror.written(COPY.byteLength).then(() => mirror.close());
    });
    const res = (await serveStream(`${BASE}stream/${ID}`, d))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="_tude_case-files.zip"; filename*=UTF-8''%C3%89tude_case-files.zip`);
    expect(res.headers.get('Content-Type')).toBe('application/zip');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(COPY);
    expect(asked).toEqual([{ to: 'host', type: 'stream/port', jobId: ID }]);
    expect(copyReads).toEqual([`${ID} 0-${COPY.byteLength}`]);
  });

  it('a range the engine did not grant in order, or a forged answer, ends the download with an error, and nothing more is read', async () => {
    for (const forged of [{ range: [5, 10] }, { range: [0, 0] }, { range: [0, 5 * 1024 * 1024] }, { end: 3 }, { range: [0, '9'] }, { bytes: 'PK' }, { error: 'gone' }]) {
      const { d, copyReads } = deps((port) => {
        port.postMessage({ name: NAME });
        port.postMessage({ ready: true });
        port.onmessage = () => port.postMessage(forged);
      });
      const res = (await serveStream(`${BASE}stream/${ID}`, d))!;
      expect(res.status).toBe(200);
      await expect(res.arrayBuffer(), JSON.stringify(forged)).rejects.toThrow(/the engine/);
      expect(copyReads).toEqual([]);
    }
  });

  it('leaves every other URL alone', async () => {
    const { d, asked } = deps(() => {});
    expect(await serveStream(`${BASE}popup.html`, d)).toBeNull();
    expect(await serveStream(`${BASE}stream/${ID}?again=1`, d)).toBeNull();
    expect(await serveStream(`${BASE}stream/../popup.html`, d)).toBeNull();
    expect(asked).toEqual([]);
  });

  it('a stream the background did not open (unknown, ended, asked twice): 404, nothing reported broken', async () => {
    for (const answer of [{ error: 'This export is not streaming.' }, { ready: true }, 'PK', { name: '' }, { name: 'x'.repeat(1001) }, { name: 42 }]) {
      const { d, broken } = deps((port) => {
        port.postMessage(answer);
        // A ready without an opened name first is not taken either.
        port.postMessage({ ready: true });
      });
      expect((await serveStream(`${BASE}stream/${ID}`, d))!.status).toBe(404);
      expect(broken()).toEqual([]);
    }
  });

  it('opened, but the engine refuses or answers anything but ready: 404, and the stream is reported broken (the copy will be saved)', async () => {
    for (const [answer, reason] of [
      [{ error: 'The engine is not waiting for this stream.' }, 'the engine refused the stream (The engine is not waiting for this stream.)'],
      [{ stream: 'PK\u0003\u0004 forged bytes' }, "the engine's answer was not ready"],
      [{ ready: 'yes' }, "the engine's answer was not ready"],
      ['PK', "the engine's answer was not ready"],
      [{ name: 'Other.zip' }, "the engine's answer was not ready"],
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
