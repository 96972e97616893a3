/**
 * Listing bounds (`PlatformClient.paged`): a cursor that repeats, a listing that never ends and a
 * page of the wrong shape stop with a clear error; a case listed twice is exported once.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ListingError, MAX_CURSOR_LENGTH, MAX_LISTED_ITEMS, MAX_LISTED_PAGES, PlatformClient, type Case, type Workflow } from '../../lib/platform';
import { exportCaseFiles } from '../../workers/caseFiles';
import { exportCsv } from '../../workers/csv';
import { unzipToMap } from '../zipReader';
import { createHash } from 'node:crypto';

const ORIGIN = 'http://p.test';

/** A client whose listing answers `pages(cursor)` for each request. */
function clientOf(answer: (cursor: string | null, n: number) => unknown, bounds?: { items: number; pages: number }) {
  let n = 0;
  const fetchImpl = (async (input: string) => Response.json(answer(new URL(input).searchParams.get('cursor'), n++))) as unknown as typeof fetch;
  return new PlatformClient({ origin: ORIGIN, fetch: fetchImpl, listingBounds: bounds });
}

async function drain(client: PlatformClient) {
  const items: unknown[] = [];
  for await (const page of client.paged('/api/v1/x', (v) => v)) items.push(...page);
  return items;
}

describe('PlatformClient.paged: listing bounds', () => {
  it('follows the cursors to the end', async () => {
    const client = clientOf((c) => (c === null ? { items: [1, 2], nextCursor: 'a' } : c === 'a' ? { items: [3], nextCursor: 'b' } : { items: [4], nextCursor: null }));
    expect(await drain(client)).toEqual([1, 2, 3, 4]);
  });

  it('a cursor that repeats stops with a clear error instead of looping', async () => {
    const client = clientOf((c) => (c === null ? { items: [1], nextCursor: 'p2' } : c === 'p2' ? { items: [2], nextCursor: 'p3' } : { items: [3], nextCursor: 'p2' }));
    const err = await drain(client).catch((e) => e);
    expect(err).toBeInstanceOf(ListingError);
    expect(err.message).toBe("The platform's listing repeated a page (cursor p2): stopped instead of looping.");
  });

  it('the cursor in the message is short and printable', async () => {
    const long = `\u0000${'x'.repeat(100)}`;
    const client = clientOf(() => ({ items: [], nextCursor: long }));
    const err = await drain(client).catch((e) => e);
    expect(err.message).toBe(`The platform's listing repeated a page (cursor ?${'x'.repeat(39)}…): stopped instead of looping.`);
  });

  it('any cycle of cursors is caught on its first repeat (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }), fc.nat(), async (cursors, back) => {
        const to = back % cursors.length;
        // c0 → c1 → … → c(k-1) → c(to) again
        const next = (c: string | null) => (c === null ? cursors[0] : cursors.indexOf(c) + 1 < cursors.length ? cursors[cursors.indexOf(c) + 1] : cursors[to]);
        let requests = 0;
        const client = clientOf((c) => {
          requests++;
          return { items: [c], nextCursor: next(c) };
        });
        const err = await drain(client).catch((e) => e);
        expect(err).toBeInstanceOf(ListingError);
        expect(requests).toBe(cursors.length + 1);
      }),
      { numRuns: 60 },
    );
  });

  it('a listing that never ends stops at the item bound, or at the page bound with empty pages', async () => {
    const items = clientOf((_, n) => ({ items: [n, n, n], nextCursor: `c${n}` }), { items: 10, pages: 1000 });
    await expect(drain(items)).rejects.toThrow("The platform's listing /api/v1/x did not end after 12 items in 4 pages: stopped.");
    const empty = clientOf((_, n) => ({ items: [], nextCursor: `c${n}` }), { items: 10, pages: 50 });
    await expect(drain(empty)).rejects.toThrow("The platform's listing /api/v1/x did not end after 0 items in 51 pages: stopped.");
    expect(MAX_LISTED_ITEMS).toBe(10_000_000);
    expect(MAX_LISTED_PAGES).toBe(100_000);
  });

  it('a page of the wrong shape, or a cursor that is not a short string, stops it', async () => {
    await expect(drain(clientOf(() => ({ nextCursor: null })))).rejects.toThrow(/answered a page without an items list/);
    await expect(drain(clientOf(() => [1, 2]))).rejects.toThrow(/answered a page without an items list/);
    await expect(drain(clientOf(() => ({ items: [], nextCursor: 7 })))).rejects.toThrow(/cursor that is not a string/);
    await expect(drain(clientOf(() => ({ items: [], nextCursor: 'x'.repeat(MAX_CURSOR_LENGTH + 1) })))).rejects.toThrow(/cursor that is not a string/);
    expect(await drain(clientOf(() => ({ items: [1], nextCursor: '' })))).toEqual([1]); // "" ends, like null
  });
});

describe('a case listed twice is exported once', () => {
  const workflow: Workflow = { id: 'w', name: 'Flow', orders: [] };
  const kase = (i: number): Case => ({
    id: `c${i}`,
    shortId: `S${i}`,
    externalId: null,
    entityExternalId: null,
    orderId: null,
    metadata: { k: i },
    files: [{ uuid: `f${i}`, originalFilename: 'a.txt', contentType: 'text/plain', size: 4, createdAt: '2025-01-01T00:00:00Z' }],
  });
  // Page 1: c0 c1; page 2: c1 (again) c2; page 3: c0 (again).
  const pages = [[kase(0), kase(1)], [kase(1), kase(2)], [kase(0)]];
  const subs = [0, 1, 2].map((i) => ({ id: `s${i}`, caseId: `c${i}`, reader: { id: 'r', name: 'R' }, status: 'submitted', submittedAt: '2025-01-01T00:00:00Z', answers: {} }));
  const fetchImpl = (async (input: string) => {
    const url = new URL(input);
    const at = Number(url.searchParams.get('cursor') ?? 0);
    if (url.pathname === '/api/v1/workflows/w') return Response.json(workflow);
    if (url.pathname === '/api/v1/workflows/w/questions') return Response.json([]);
    if (url.pathname === '/api/v1/workflows/w/cases') return Response.json({ items: pages[at], nextCursor: at + 1 < pages.length ? String(at + 1) : null });
    if (url.pathname === '/api/v1/workflows/w/submissions') return Response.json({ items: subs, nextCursor: null });
    const m = /\/files\/(f\d)\/content$/.exec(url.pathname);
    if (m) return new Response(`${m[1]}..`, { headers: { 'X-Checksum-Sha256': createHash('sha256').update(`${m[1]}..`).digest('hex') } });
    return Response.json({ error: 'not_found' }, { status: 404 });
  }) as unknown as typeof fetch;
  const ctx = () => ({ fetch: fetchImpl, signal: new AbortController().signal, onProgress: () => {} });

  it('case files: one set of files per case', async () => {
    const out = await exportCaseFiles({ kind: 'case-files', origin: ORIGIN, workflowId: 'w', orderId: null, template: '{{ CASE_ID }}/{{ ORIGINAL_FILENAME }}' }, ctx());
    const zip = await unzipToMap(Buffer.from(await new Response(out.stream).arrayBuffer()));
    expect([...zip.keys()].sort()).toEqual(['c0/a.txt', 'c1/a.txt', 'c2/a.txt']);
    expect(out.progress.filesTotal).toBe(3);
  });

  it('CSV: one row per case in the wide layout, one per submission in the long one', async () => {
    for (const layout of ['wide', 'long'] as const) {
      const out = await exportCsv({ kind: 'csv', origin: ORIGIN, workflowId: 'w', orderId: null, submissions: 'all', layout, bom: false }, ctx());
      const lines = (await new Response(out.stream).text()).trim().split('\r\n');
      expect(lines).toHaveLength(4); // header + c0, c1, c2
    }
  });
});
