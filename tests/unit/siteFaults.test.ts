/**
 * The reference platform's knobs for "nothing lost silently": If-Range is honoured, a file can
 * change after its body was cut (changeOnCut), and files can come without their checksum
 * (omitChecksum). The export engine meets them through the real HTTP stack (downloadVerified with
 * Node's fetch): the changed file arrives as its new version, never spliced.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SiteHandle, startSite } from '../site/server.ts';
import type { Case, Page } from '../../lib/platform.ts';
import { rangeOpener } from '../../workers/fetching.ts';
import { downloadVerified } from '../../workers/verified.ts';
import { memoryTempStore } from '../../workers/buffering.ts';

let site: SiteHandle;
let cookie = '';

beforeAll(async () => {
  site = await startSite({ port: 0, scaleCases: 2, scaleFilesPerCase: 1, scaleFileSize: 200_000 });
  const res = await fetch(`${site.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo' }), redirect: 'manual' });
  cookie = /session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
});
afterAll(() => site.close());

const withCookie = ((input: string, init: RequestInit = {}) => fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } })) as typeof fetch;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function firstFile() {
  const page = (await (await withCookie(`${site.url}/api/v1/workflows/3/cases`)).json()) as Page<Case>;
  return page.items[0].files[0];
}

describe('reference platform: If-Range, changeOnCut, omitChecksum', () => {
  it('a Range request whose If-Range still matches gets 206; one that no longer does gets 200, whole', async () => {
    const f = await firstFile();
    const url = `${site.url}/api/v1/files/${f.uuid}/content`;
    const whole = await withCookie(url);
    const etag = whole.headers.get('ETag')!;
    await whole.arrayBuffer();
    expect((await withCookie(url, { headers: { Range: 'bytes=10-', 'If-Range': etag } })).status).toBe(206);
    const stale = await withCookie(url, { headers: { Range: 'bytes=10-', 'If-Range': '"old"' } });
    expect(stale.status).toBe(200);
    expect(Number(stale.headers.get('Content-Length'))).toBe(f.size);
    await stale.arrayBuffer();
  });

  it('a file cut mid-body and changed meanwhile is downloaded again from byte 0, as its new version', async () => {
    const f = await firstFile();
    const url = `${site.url}/api/v1/files/${f.uuid}/content`;
    const before = Buffer.from(await (await withCookie(url)).arrayBuffer());
    site.resetStats();
    site.setConfig({ failCut: 1, changeOnCut: true });
    let file;
    try {
      // Every first request is cut, and changes the file; the resumed one (If-Range) is not cut: turn cuts off after the first.
      const open = rangeOpener(withCookie, url);
      let n = 0;
      file = await downloadVerified(
        async (init) => {
          if (n++ === 1) site.setConfig({ failCut: 0 });
          return open(init);
        },
        { store: memoryTempStore, expectedSize: f.size, signal: new AbortController().signal, info: { attempts: 0 }, policy: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } },
      );
    } finally {
      site.setConfig({ failCut: 0, changeOnCut: false });
    }
    const after = Buffer.from(await (await withCookie(url)).arrayBuffer());
    expect(site.stats().filesChanged).toBe(1);
    expect(site.stats().ifRangeMismatches).toBe(1);
    expect(sha(after)).not.toBe(sha(before));
    expect(sha(file.content as Uint8Array)).toBe(sha(after)); // the new version, whole
    expect(file.verified).toBe(true);
  });

  it('omitChecksum: no X-Checksum-Sha256, and the download goes in as not verified', async () => {
    const f = await firstFile();
    site.setConfig({ omitChecksum: true });
    try {
      const url = `${site.url}/api/v1/files/${f.uuid}/content`;
      const res = await withCookie(url);
      expect(res.headers.get('X-Checksum-Sha256')).toBeNull();
      await res.arrayBuffer();
      const file = await downloadVerified(rangeOpener(withCookie, url), { store: memoryTempStore, expectedSize: f.size, signal: new AbortController().signal, info: { attempts: 0 } });
      expect(file.verified).toBe(false);
    } finally {
      site.setConfig({ omitChecksum: false });
    }
  });
});
