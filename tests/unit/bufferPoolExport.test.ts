import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportCaseFiles } from '../../workers/caseFiles';
import { memoryTempFile, type TempStore } from '../../workers/buffering';
import { bufferPool } from '../../workers/bufferPool';
import type { Case } from '../../lib/platform';
import { unzipToMap as unzip } from '../zipReader';

/**
 * The engine's byte arrays are used again (workers/bufferPool.ts): a file's array goes back once the
 * writer has moved on AND the sink has written it. If either rule broke, a later download would
 * overwrite bytes still waiting for the sink, and the archive would hold the wrong bytes. Large
 * files (written without a copy) and small ones (gathered), of sizes that share buffers, with a
 * sink slower than the downloads.
 */
const sizes = [300_000, 310_000, 5_000, 290_000, 4_000, 305_000];
const cases: Case[] = Array.from({ length: 12 }, (_, i) => ({
  id: `c${i}`,
  shortId: `S${i}`,
  externalId: null,
  entityExternalId: null,
  orderId: 'o',
  metadata: {},
  files: [0, 1, 2].map((j) => ({
    uuid: `u${i}-${j}`,
    originalFilename: `f${j}.bin`,
    contentType: 'application/octet-stream',
    size: sizes[(i * 3 + j) % sizes.length],
    createdAt: '2025-01-02T03:04:05Z',
  })),
}));
const files = cases.flatMap((c) => c.files.map((f) => ({ ...f, path: `S${c.shortId}/${f.originalFilename}` })));
const bytesOf = (uuid: string, size: number) => {
  const b = Buffer.alloc(size);
  const seed = createHash('sha256').update(uuid).digest();
  for (let i = 0; i < size; i++) b[i] = seed[i % 32] ^ (i >> 8);
  return b;
};

const fetchImpl = (async (input: string) => {
  const url = new URL(input);
  if (url.pathname === '/api/v1/workflows/w') return Response.json({ id: 'w', name: 'W', orders: [{ id: 'o', name: 'O' }] });
  if (url.pathname === '/api/v1/workflows/w/cases') return Response.json({ items: cases, nextCursor: null });
  const f = files.find((x) => url.pathname === `/api/v1/files/${x.uuid}/content`);
  if (!f) return new Response('no', { status: 404 });
  const all = bytesOf(f.uuid, f.size);
  // A few milliseconds each, in pieces: several downloads overlap the sink's writes.
  await new Promise((r) => setTimeout(r, 1 + (f.size % 3)));
  return new Response(all, { headers: { 'X-Checksum-Sha256': createHash('sha256').update(all).digest('hex') } });
}) as unknown as typeof fetch;

const pooledStore: TempStore = { create: async (size) => memoryTempFile(size, bufferPool), clear: async () => {} };

describe('byte arrays used again (the engine pool) in a whole export', () => {
  it('every file lands with its own bytes, with a sink that writes late', async () => {
    const out = await exportCaseFiles(
      { kind: 'case-files', origin: 'http://p', workflowId: 'w', orderId: null, template: 'S{{ CASE_SHORT_ID }}/{{ ORIGINAL_FILENAME }}', parallel: 6 },
      { fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => {}, tempStore: pooledStore },
    );
    // The sink: like writeStreamToOpfs, it copies each chunk out, then says it was written; this
    // one holds up to 4 chunks before it writes the oldest (a sink that queues), later still.
    const written: Buffer[] = [];
    const queue: Uint8Array[] = [];
    const write = (chunk: Uint8Array) => {
      written.push(Buffer.from(chunk));
      bufferPool.written(chunk);
    };
    const reader = out.stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      queue.push(value);
      await new Promise((r) => setTimeout(r, 1));
      if (queue.length > 4) write(queue.shift()!);
    }
    queue.forEach(write);
    const zip = await unzip(Buffer.concat(written));
    expect(out.failed).toEqual([]);
    for (const f of files) expect(createHash('sha256').update(zip.get(f.path) ?? '').digest('hex'), f.path).toBe(createHash('sha256').update(bytesOf(f.uuid, f.size)).digest('hex'));
  });
});
