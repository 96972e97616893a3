import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { exportCaseFiles, reportCsv, REPORT_NAME } from '../../workers/caseFiles';
import type { Case, Workflow } from '../../lib/platform';
import { leftOut, notVerifiedCount, type CaseFilesRequest, type Progress } from '../../lib/jobs';
import { unzipToMap as unzip } from '../zipReader';

const workflow: Workflow = { id: 'w', name: 'Chest/CT', orders: [{ id: 'o', name: 'Batch' }] };
const file = (uuid: string, name: string, size: number) => ({
  uuid,
  originalFilename: name,
  contentType: 'application/octet-stream',
  size,
  createdAt: '2025-01-02T03:04:05Z',
});
const cases: Case[] = Array.from({ length: 7 }, (_, i) => ({
  id: `c${i}`,
  shortId: `S${i}`,
  externalId: i % 2 ? `E${i}` : null,
  entityExternalId: null,
  orderId: 'o',
  metadata: {},
  files: [file(`u${i}a`, 'scan.png', 100 + i), file(`u${i}b`, 'Scan.PNG', 3000 + i)],
}));
const bytesOf = (uuid: string, size: number) => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (uuid.charCodeAt(1) * 31 + i) & 0xff;
  return b;
};

/** A fake platform: pages of 3 cases, one file missing (404), one cut mid-body once. */
function fakePlatform() {
  let cutOnce = true;
  const requests: string[] = [];
  const fetchImpl = (async (input: string, init: RequestInit = {}) => {
    init.signal?.throwIfAborted();
    const url = new URL(input);
    requests.push(url.pathname + url.search);
    if (url.pathname === '/api/v1/workflows/w') return Response.json(workflow);
    if (url.pathname === '/api/v1/workflows/w/cases') {
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const items = cases.slice(start, start + 3);
      return Response.json({ items, nextCursor: start + 3 < cases.length ? String(start + 3) : null });
    }
    const m = /^\/api\/v1\/files\/([^/]+)\/content$/.exec(url.pathname);
    if (m) {
      const f = cases.flatMap((c) => c.files).find((x) => x.uuid === m[1]);
      if (!f || f.uuid === 'u3b') return Response.json({ error: 'not_found', message: 'File deleted' }, { status: 404 });
      const all = bytesOf(f.uuid, f.size);
      const range = /bytes=(\d+)-/.exec(new Headers(init.headers).get('Range') ?? '');
      const offset = range ? Number(range[1]) : 0;
      const body = all.subarray(offset);
      // u2a is served without its checksum: it goes in, listed as "not verified".
      const checksum: Record<string, string> = f.uuid === 'u2a' ? {} : { 'X-Checksum-Sha256': createHash('sha256').update(all).digest('hex') };
      const headers = { ETag: `"${f.uuid}"`, ...checksum };
      if (f.uuid === 'u5b' && cutOnce) {
        cutOnce = false;
        // 1000 bytes arrive, then the connection drops: resumed with Range from byte 1000.
        let sent = false;
        const cut = new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent) return c.error(new TypeError('terminated'));
            sent = true;
            c.enqueue(body.slice(0, 1000));
          },
        });
        return new Response(cut, { headers });
      }
      return new Response(body, { status: offset ? 206 : 200, headers });
    }
    return new Response('no', { status: 500 });
  }) as unknown as typeof fetch;
  return { fetchImpl, requests };
}

describe('exportCaseFiles (the pipeline in Node)', () => {
  it('zips every file under its planned path, resumes a cut body, reports the missing one', async () => {
    const { fetchImpl, requests } = fakePlatform();
    const request: CaseFilesRequest = { kind: 'case-files', origin: 'http://p', workflowId: 'w', orderId: 'o', template: '{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}', parallel: 3 };
    const seen: Progress[] = [];
    const out = await exportCaseFiles(request, {
      fetch: fetchImpl,
      signal: new AbortController().signal,
      onProgress: (p) => seen.push({ ...p }),
      policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    expect(out.filename).toBe('Chest_CT-Batch_case-files.zip');
    const zip = await unzip(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect(zip.size).toBe(14); // 13 files + the report
    expect(zip.get('E5/Scan (2).PNG')).toEqual(bytesOf('u5b', 3005));
    expect(zip.get('S0/scan.png')).toEqual(bytesOf('u0a', 100));
    expect(zip.has('E3/Scan (2).PNG')).toBe(false);
    expect(zip.get('S2/scan.png')).toEqual(bytesOf('u2a', 102));
    expect(zip.get(REPORT_NAME)!.toString()).toBe(
      '"path","case","file uuid","reason","attempts"\r\n"S2/scan.png","c2","u2a","not verified","1"\r\n"E3/Scan (2).PNG","c3","u3b","HTTP 404: File deleted","1"\r\n',
    );
    expect(out.failed).toHaveLength(2);
    expect(leftOut(out.failed)).toHaveLength(1);
    expect(notVerifiedCount(out.failed)).toBe(1);
    expect(requests.filter((r) => r.includes('u5b'))).toHaveLength(2);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ filesTotal: 14, filesDone: 14, failed: 1, notVerified: 1, listingDone: true });
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(createHash('sha256').update(zip.get('E1/scan.png')!).digest('hex')).toBe(
      createHash('sha256').update(bytesOf('u1a', 101)).digest('hex'),
    );
  });

  it('cancel rejects the stream and stops requesting', async () => {
    const { fetchImpl, requests } = fakePlatform();
    const controller = new AbortController();
    // Each answer takes a moment, so the export is still running when it is cancelled.
    const slow = (async (input: string, init?: RequestInit) => {
      await new Promise((r) => setTimeout(r, 5));
      return fetchImpl(input, init);
    }) as typeof fetch;
    const out = await exportCaseFiles(
      { kind: 'case-files', origin: 'http://p', workflowId: 'w', orderId: null, template: '' },
      { fetch: slow, signal: controller.signal, onProgress: () => {} },
    );
    const reader = out.stream.getReader();
    const reading = (async () => {
      for (;;) if ((await reader.read()).done) return;
    })();
    await vi.waitFor(() => expect(requests.some((r) => r.includes('/files/'))).toBe(true));
    controller.abort(new DOMException('cancelled', 'AbortError'));
    await expect(reading).rejects.toThrow();
    const n = requests.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(requests.length).toBe(n);
  });

  it('rejects a bad template before fetching any file', async () => {
    const { fetchImpl, requests } = fakePlatform();
    const out = await exportCaseFiles(
      { kind: 'case-files', origin: 'http://p', workflowId: 'w', orderId: null, template: '{{ NOPE }}' },
      { fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => {} },
    );
    await expect(new Response(out.stream).arrayBuffer()).rejects.toThrow(/Unknown variable NOPE/);
    expect(requests.some((r) => r.includes('/files/'))).toBe(false);
  });

  it('the report quotes every cell and guards formulas (lib/csvEscape)', () => {
    expect(reportCsv([{ path: 'a,"b"\n.png', caseId: 'c', fileUuid: 'u', reason: '=x', attempts: 2 }])).toBe(
      '"path","case","file uuid","reason","attempts"\r\n"a,""b""\n.png","c","u","\'=x","2"\r\n',
    );
  });
});
