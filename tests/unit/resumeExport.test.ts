/**
 * An export that goes on after a crash (ExportContext.archive): files the earlier run put in the
 * archive are not fetched again, and kept bytes + the resumed run = the entries of an uninterrupted run,
 * byte for byte up to the generated entries at the end (report, SHA256SUMS), which are written again.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caseFilesZip } from '../../workers/caseFiles';
import type { JournalEntry } from '../../lib/archiveJournal';
import type { CaseFilesRequest } from '../../lib/jobs';
import type { Case, Workflow } from '../../lib/platform';
import type { ArchiveResume } from '../../workers/journal';
import { readZipEntries } from '../zipReader';

const workflow: Workflow = { id: 'w', name: 'Resume', orders: [] };
const cases: Case[] = Array.from({ length: 6 }, (_, i) => ({
  id: `c${i}`,
  shortId: `S${i}`,
  externalId: `E${i}`,
  entityExternalId: null,
  orderId: null,
  metadata: {},
  files: [0, 1].map((j) => ({ uuid: `u${i}${j}`, originalFilename: `f${j}.bin`, contentType: 'application/octet-stream', size: 500 + 97 * i + j, createdAt: '2025-01-02T03:04:05Z' })),
}));
const files = cases.flatMap((c) => c.files);
const bytesOf = (uuid: string, size: number) => Buffer.alloc(size, uuid);

function platform() {
  const fetched: string[] = [];
  const fetchImpl = (async (input: string) => {
    const url = new URL(input);
    if (url.pathname === '/api/v1/workflows/w/cases') return Response.json({ items: cases, nextCursor: null });
    const m = /^\/api\/v1\/files\/([^/]+)\/content$/.exec(url.pathname);
    const f = m && files.find((x) => x.uuid === m[1]);
    if (!f) return Response.json({ error: 'not_found', message: 'gone' }, { status: 404 });
    fetched.push(f.uuid);
    const body = bytesOf(f.uuid, f.size);
    return new Response(body, { headers: { 'X-Checksum-Sha256': createHash('sha256').update(body).digest('hex') } });
  }) as unknown as typeof fetch;
  return { fetchImpl, fetched };
}

const request: CaseFilesRequest = { kind: 'case-files', origin: 'https://p.example', workflowId: 'w', orderId: null, template: '{{ CASE_EXTERNAL_ID }}/' };

async function run(resumed: JournalEntry[]) {
  const p = platform();
  const records: JournalEntry[] = [];
  const archive: ArchiveResume = { resumed, record: (e) => records.push(e) };
  const out = caseFilesZip(request, workflow, { fetch: p.fetchImpl, signal: new AbortController().signal, onProgress: () => {}, archive });
  const bytes = Buffer.from(await new Response(out.stream).arrayBuffer());
  return { bytes, records, fetched: p.fetched, progress: out.progress };
}

describe('a case-files export resumed from its journal', () => {
  it('after any number of complete entries: nothing fetched twice, the same archive', async () => {
    const full = await run([]);
    expect(full.records.map((r) => r.name)).toEqual(cases.flatMap((c) => [1, 2].map((n) => `${c.externalId}/0000000000${c.externalId}_Resume_${n}.bin`)));
    const wanted = await readZipEntries(full.bytes, { requireChecksums: true });
    for (let k = 0; k <= full.records.length; k++) {
      const kept = k ? full.records[k - 1].end : 0;
      const rest = await run(full.records.slice(0, k));
      expect(rest.fetched, `after ${k}`).toEqual(files.slice(k).map((f) => f.uuid));
      const joined = Buffer.concat([full.bytes.subarray(0, kept), rest.bytes]);
      // Byte for byte up to the last file; the checksum list (written at the end) lists them all.
      const lastFileEnd = full.records.at(-1)!.end;
      expect(joined.subarray(0, lastFileEnd).equals(full.bytes.subarray(0, lastFileEnd)), `after ${k}`).toBe(true);
      expect(await readZipEntries(joined, { requireChecksums: true })).toEqual(wanted);
      expect(rest.records).toEqual(full.records.slice(k));
      expect(rest.progress.filesDone).toBe(files.length);
      expect(rest.progress.bytesDone).toBe(files.reduce((n, f) => n + f.size, 0));
    }
  });
});
