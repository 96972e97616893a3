/**
 * The CSV's pass check: the two reads of the submissions are compared per case; what changed in
 * between is exported where the file allows it and named in the job's warnings, never dropped
 * silently.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { LISTED_CASES, ReadTally, changedCases, fnv1a, passChangeWarning } from '../../lib/csvPasses';
import { exportCsv } from '../../workers/csv';
import type { CsvRequest } from '../../lib/jobs';
import type { Case, Submission, Workflow } from '../../lib/platform';

const sub = (id: string, caseId: string, reader: string, day: number, status: Submission['status'] = 'submitted'): Submission => ({
  id,
  caseId,
  reader: { id: reader, name: reader.toUpperCase() },
  status,
  submittedAt: status === 'submitted' ? `2025-01-${String(day).padStart(2, '0')}T00:00:00Z` : null,
  answers: { q: `${id} answer` },
});

describe('ReadTally and changedCases', () => {
  it('the same submissions in any order are no change; one added, removed, re-dated or re-statused is', () => {
    const subs = [sub('a', 'c0', 'r', 1), sub('b', 'c0', 's', 2), sub('c', 'c1', 'r', 3)];
    fc.assert(
      fc.property(fc.shuffledSubarray(subs, { minLength: 3, maxLength: 3 }), (order) => {
        const one = new ReadTally();
        const two = new ReadTally();
        subs.forEach((s) => one.add(s.caseId === 'c0' ? 0 : 1, s));
        order.forEach((s) => two.add(s.caseId === 'c0' ? 0 : 1, s));
        expect(changedCases(one, two)).toEqual([]);
      }),
    );
    const base = new ReadTally();
    subs.forEach((s) => base.add(s.caseId === 'c0' ? 0 : 1, s));
    const variant = (list: Submission[]) => {
      const t = new ReadTally();
      list.forEach((s) => t.add(s.caseId === 'c0' ? 0 : 1, s));
      return changedCases(base, t);
    };
    expect(variant([subs[0], subs[1]])).toEqual([1]); // c's gone
    expect(variant([...subs, sub('d', 'c1', 's', 4)])).toEqual([1]); // added
    expect(variant([sub('a', 'c0', 'r', 9), subs[1], subs[2]])).toEqual([0]); // re-submitted later
    expect(variant([sub('a', 'c0', 'r', 1, 'draft'), subs[1], subs[2]])).toEqual([0]); // back to draft
    expect(variant([...subs, subs[2]])).toEqual([1]); // listed twice
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });

  it('the warning names the cases (at most ten), says what the file shows, and is null without changes', () => {
    expect(passChangeWarning({ caseIds: [], layout: 'wide', latest: false, late: 0 })).toBeNull();
    const ids = Array.from({ length: LISTED_CASES + 2 }, (_, i) => `c${i}`);
    const w = passChangeWarning({ caseIds: ids, layout: 'wide', latest: false, late: 1 })!;
    expect(w).toContain('12 cases (c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, and 2 more)');
    expect(w).toContain('1 submission of the second read could not be written');
    expect(passChangeWarning({ caseIds: ['x'], layout: 'long', latest: true, late: 0 })).toMatch(/^The submissions changed on the platform while the CSV was written: 1 case \(x\).*latest at the first read/);
  });
});

describe('exportCsv: submissions that change between the two reads', () => {
  const workflow: Workflow = { id: 'w', name: 'Flow', orders: [] };
  const cases: Case[] = ['c0', 'c1', 'c2'].map((id) => ({ id, shortId: id.toUpperCase(), externalId: null, entityExternalId: null, orderId: null, metadata: {}, files: [] }));

  /** The submissions listing answers `reads[0]` the first time, `reads[1]` after (two pages each). */
  function platform(reads: [Submission[], Submission[]]) {
    let read = -1;
    return (async (input: string) => {
      const url = new URL(input);
      if (url.pathname === '/api/v1/workflows/w') return Response.json(workflow);
      if (url.pathname === '/api/v1/workflows/w/questions') return Response.json([{ key: 'q', label: 'Q', type: 'text' }]);
      if (url.pathname === '/api/v1/workflows/w/cases') return Response.json({ items: cases, nextCursor: null });
      if (url.pathname === '/api/v1/workflows/w/submissions') {
        const cursor = url.searchParams.get('cursor');
        if (cursor === null) read++;
        const all = reads[Math.min(read, 1)];
        const at = Number(cursor ?? 0);
        return Response.json({ items: all.slice(at, at + 2), nextCursor: at + 2 < all.length ? String(at + 2) : null });
      }
      return Response.json({ error: 'not_found' }, { status: 404 });
    }) as unknown as typeof fetch;
  }

  async function run(request: Pick<CsvRequest, 'submissions' | 'layout'>, reads: [Submission[], Submission[]]) {
    const out = await exportCsv({ kind: 'csv', origin: 'http://p', workflowId: 'w', orderId: null, bom: false, ...request }, {
      fetch: platform(reads),
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    const rows: Record<string, string>[] = parse(await new Response(out.stream).text(), { columns: true });
    return { rows, warnings: out.warnings ?? [] };
  }

  const first = [sub('a', 'c0', 'r', 1), sub('b', 'c0', 's', 2), sub('c', 'c1', 'r', 3), sub('d', 'c2', 'r', 4)];

  it('no change, no warning', async () => {
    for (const submissions of ['all', 'latest'] as const)
      for (const layout of ['wide', 'long'] as const) expect((await run({ submissions, layout }, [first, first])).warnings).toEqual([]);
  });

  it('wide: a case that lost a submission is written with what is left, and one that gained one holds it where a column group is free', async () => {
    // c0 loses b; c2 gains e (while c0's row is still open, so c2's row is too).
    const second = [first[0], first[2], first[3], sub('e', 'c2', 's', 5)];
    const { rows, warnings } = await run({ submissions: 'all', layout: 'wide' }, [first, second]);
    expect(rows.map((r) => r['case id'])).toEqual(['c0', 'c1', 'c2']);
    expect([rows[0]['s1.submission id'], rows[0]['s2.submission id']]).toEqual(['a', '']);
    expect([rows[2]['s1.submission id'], rows[2]['s2.submission id']]).toEqual(['d', 'e']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('2 cases (c0, c2)');
    expect(warnings[0]).not.toContain('could not be written');
  });

  it('wide: a submission listed after its case\u2019s row was written is said', async () => {
    const second = [...first, sub('e', 'c1', 's', 5)];
    const { rows, warnings } = await run({ submissions: 'all', layout: 'wide' }, [first, second]);
    expect(rows[1]['s1.submission id']).toBe('c');
    expect(warnings[0]).toContain('1 case (c1)');
    expect(warnings[0]).toContain('1 submission of the second read could not be written');
  });

  it('wide: a submission gained before the row was complete is exported in the row', async () => {
    // c0 (2 submissions at the first read) shows a new one, f, before b at the second.
    const second = [first[0], sub('f', 'c0', 't', 6), first[1], first[2], first[3]];
    const { rows, warnings } = await run({ submissions: 'all', layout: 'wide' }, [first, second]);
    // Two column groups (the first read's largest count): a and f fill them; b no longer fits.
    expect([rows[0]['s1.submission id'], rows[0]['s2.submission id']]).toEqual(['a', 'f']);
    expect(warnings[0]).toContain('1 case (c0)');
    expect(warnings[0]).toContain('1 submission of the second read could not be written');
  });

  it('latest: a reader whose latest submission was removed meanwhile has no row, and the warning says so', async () => {
    const second = [first[0], first[1], first[3]]; // c1's only submission is gone
    const { rows, warnings } = await run({ submissions: 'latest', layout: 'long' }, [first, second]);
    expect(rows.map((r) => r['submission id'])).toEqual(['a', 'b', 'd']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1 case (c1)');
    expect(warnings[0]).toContain('has no row there');
  });

  it('latest: a newer submission added meanwhile is named (the file keeps the first read\u2019s latest)', async () => {
    const second = [...first, sub('g', 'c1', 'r', 20)];
    const { rows, warnings } = await run({ submissions: 'latest', layout: 'wide' }, [first, second]);
    expect(rows.find((r) => r['case id'] === 'c1')!['s1.submission id']).toBe('c');
    expect(warnings[0]).toContain('1 case (c1)');
    expect(warnings[0]).toContain('a submission added since is not in the file');
  });

  it('drafts do not count for latest: a draft added meanwhile is no change', async () => {
    const second = [...first, sub('h', 'c1', 'r', 0, 'draft')];
    expect((await run({ submissions: 'latest', layout: 'long' }, [first, second])).warnings).toEqual([]);
  });
});
