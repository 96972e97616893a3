/**
 * The CSV exporter in Node: a fake fetch serves the reference platform's data as paged JSON; the
 * output is parsed with csv-parse (not lib/csvEscape that wrote it) and compared cell by cell.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { exportCsv, prefetched } from '../../workers/csv';
import { emptyProgress, type CsvRequest, type Progress } from '../../lib/jobs';
import { longRows as longValues, wideRows as wideValues, type SubmissionsOption, type LayoutOption, type ResultsInput } from '../../lib/csvResults';
import { csvCellText } from '../../lib/csvEscape';
import { resultsCsvName } from '../../lib/naming';
import type { Case, Page, Question, Submission, Workflow } from '../../lib/platform';
import { generateData } from '../../tests/site/data';
import { defaultConfig } from '../../tests/site/config';

const ORIGIN = 'http://platform.test';
/** The rows as a reader gets them back (formula guard applied). */
const longRows = (input: ResultsInput, option: SubmissionsOption) => longValues(input, option).map((r) => r.map(csvCellText));
const wideRows = (input: ResultsInput, option: SubmissionsOption) => wideValues(input, option).map((r) => r.map(csvCellText));
const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

interface FakeOptions {
  /** Serve the submissions in this order (default: grouped by case, in case order). */
  shuffle?: boolean;
  /** Answer the first request of every page with 503 (Retry-After 0). */
  flaky?: boolean;
  /** Page size the server uses at most (the client asks for 500). */
  pageSize?: number;
}

/** The platform's data of one workflow, as the API serves it. */
function dataset(workflowId: string, scale: Partial<typeof defaultConfig> = {}) {
  const data = generateData({ ...defaultConfig, ...scale });
  const w = data.workflow(workflowId)!;
  const memo = <T>(fn: (orderId: string | null) => T) => {
    const cache = new Map<string | null, T>();
    return (orderId: string | null): T => {
      if (!cache.has(orderId)) cache.set(orderId, fn(orderId));
      return cache.get(orderId)!;
    };
  };
  const casesOf = memo((orderId: string | null): Case[] => {
    const list = w.casesOfOrder(orderId)!;
    return Array.from({ length: list.length }, (_, i) => {
      const c = w.caseAt(list.at(i));
      return { ...c, files: c.files.map((f) => ({ uuid: f.uuid, originalFilename: f.originalFilename, contentType: f.contentType, size: 0, createdAt: f.createdAt })) };
    });
  });
  const submissionsOf = memo((orderId: string | null): Submission[] => {
    const list = w.casesOfOrder(orderId)!;
    return Array.from({ length: list.length }, (_, i) => w.submissionsOf(list.at(i))).flat();
  });
  const shuffledSubmissionsOf = memo((orderId: string | null) => shuffled(submissionsOf(orderId)));
  const workflow: Workflow = { id: w.id, name: w.name, orders: w.orders };
  return { workflow, questions: w.questions as Question[], casesOf, submissionsOf, shuffledSubmissionsOf };
}

function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function fakePlatform(d: ReturnType<typeof dataset>, opts: FakeOptions = {}) {
  const requests: string[] = [];
  const failedOnce = new Set<string>();
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  const page = <T>(all: T[], url: URL): Page<T> => {
    const start = Number(url.searchParams.get('cursor') || 0);
    const limit = Math.min(Number(url.searchParams.get('limit') || 500), opts.pageSize ?? 500);
    const end = start + limit;
    return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
  };
  const fetchImpl: typeof fetch = async (input) => {
    const url = new URL(String(input));
    requests.push(url.pathname + url.search);
    if (opts.flaky && !failedOnce.has(url.toString())) {
      failedOnce.add(url.toString());
      return json({ error: 'unavailable', message: 'try again' }, 503, { 'Retry-After': '0' });
    }
    const order = url.searchParams.get('order');
    const path = url.pathname.replace(`/api/v1/workflows/${d.workflow.id}`, '');
    if (path === '') return json(d.workflow);
    if (path === '/questions') return json(d.questions);
    if (path === '/cases') return json(page(d.casesOf(order), url));
    if (path === '/submissions') {
      return json(page(opts.shuffle ? d.shuffledSubmissionsOf(order) : d.submissionsOf(order), url));
    }
    return json({ error: 'not_found', message: url.pathname }, 404);
  };
  return { fetch: fetchImpl, requests };
}

async function run(request: Partial<CsvRequest>, d: ReturnType<typeof dataset>, opts: FakeOptions = {}) {
  const platform = fakePlatform(d, opts);
  const progress: Progress[] = [];
  const req: CsvRequest = { kind: 'csv', origin: ORIGIN, workflowId: d.workflow.id, orderId: null, submissions: 'all', layout: 'long', bom: false, ...request };
  const out = await exportCsv(req, { fetch: platform.fetch, signal: new AbortController().signal, onProgress: (p) => progress.push({ ...p }), policy: fast });
  const bytes = new Uint8Array(await new Response(out.stream).arrayBuffer());
  return { out, bytes, text: new TextDecoder().decode(bytes), progress, requests: platform.requests };
}

const w1 = dataset('1');

describe('exportCsv on the awkward workflow', () => {
  const options: SubmissionsOption[] = ['all', 'submitted', 'latest'];
  const layouts: LayoutOption[] = ['long', 'wide'];
  const orders = [null, '13'];
  for (const layout of layouts)
    for (const submissions of options)
      for (const orderId of orders)
        it(`${layout}, ${submissions}, order ${orderId ?? 'none'}: the streamed file equals the rules applied to all the data`, async () => {
          const { out, text } = await run({ layout, submissions, orderId }, w1, { pageSize: 3 });
          const input = { workflow: w1.workflow, questions: w1.questions, cases: w1.casesOf(orderId), submissions: w1.submissionsOf(orderId) };
          const want = layout === 'long' ? longRows(input, submissions) : wideRows(input, submissions);
          expect(parse(text, { bom: false })).toEqual(want);
          expect(text.endsWith('\r\n')).toBe(true);
          const order = orderId ? w1.workflow.orders.find((o) => o.id === orderId)! : null;
          expect(out.filename).toBe(resultsCsvName(w1.workflow, order));
          expect(out.failed).toEqual([]);
        });

  it('cells match the platform data, checked independently of lib/csvResults', async () => {
    const { text } = await run({}, w1);
    const [header, ...rows] = parse(text) as string[][];
    const subs = w1.submissionsOf(null);
    const cases = new Map(w1.casesOf(null).map((c) => [c.id, c]));
    expect(rows).toHaveLength(subs.length);
    const col = (name: string) => header.indexOf(name);
    const esc = (s: string) => (/^[\t\r\n]|\0|^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@＝＋－＠﹦﹢﹣﹫]/u.test(s) ? `'${s}` : s).replace(/\0/g, '\uFFFD');
    const cell = (v: unknown): string =>
      v === null || v === undefined ? '' : Array.isArray(v) ? esc(v.join('; ')) : typeof v === 'string' ? esc(v) : String(v);
    let sawQuote = false;
    let sawNewline = false;
    let sawFormula = false;
    expect(text.startsWith('"workflow name","order name"')).toBe(true); // every cell quoted
    rows.forEach((row, i) => {
      const s = subs[i];
      const c = cases.get(s.caseId)!;
      expect(row[col('workflow name')]).toBe(esc(w1.workflow.name));
      expect(row[col('case id')]).toBe(c.id);
      expect(row[col('submission id')]).toBe(s.id);
      expect(row[col('reader name')]).toBe(esc(s.reader.name));
      expect(row[col('status')]).toBe(s.status);
      expect(row[col('submitted at')]).toBe(s.submittedAt ? new Date(s.submittedAt).toISOString() : '');
      for (const q of w1.questions) expect(row[col(q.key)], `${s.id} ${q.key}`).toBe(cell(s.answers[q.key]));
      for (const [k, v] of Object.entries(c.metadata)) expect(row[col(`meta.${k}`)], `${c.id} meta ${k}`).toBe(cell(v));
      for (const v of row) {
        sawQuote ||= v.includes('"');
        sawNewline ||= v.includes('\n');
        sawFormula ||= v.startsWith("'=");
      }
    });
    expect([sawQuote, sawNewline, sawFormula]).toEqual([true, true, true]);
    // Every meta key of every case has its column, first-seen order.
    const keys = [...new Set(w1.casesOf(null).flatMap((c) => Object.keys(c.metadata)))];
    expect(header.filter((h) => h.startsWith('meta.'))).toEqual(keys.map((k) => `meta.${k}`));
  });

  it('adds the UTF-8 BOM when asked', async () => {
    const with_ = await run({ bom: true }, w1);
    const without = await run({ bom: false }, w1);
    expect([...with_.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect([...without.bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    expect(with_.bytes.subarray(3)).toEqual(without.bytes);
    expect(parse(with_.text, { bom: true })).toEqual(parse(without.text));
  });

  it('retries pages answered 503, and reports progress to the end', async () => {
    const { text, progress, requests } = await run({ layout: 'wide', submissions: 'latest' }, w1, { flaky: true, pageSize: 4 });
    expect(requests.length).toBeGreaterThan(10);
    const input = { workflow: w1.workflow, questions: w1.questions, cases: w1.casesOf(null), submissions: w1.submissionsOf(null) };
    expect(parse(text)).toEqual(wideRows(input, 'latest'));
    const last = progress.at(-1)!;
    expect(last.listingDone).toBe(true);
    expect(last.filesDone).toBe(w1.casesOf(null).length); // wide: one row per case
    expect(last.bytesDone).toBe(new TextEncoder().encode(text).length);
    expect(last.bytesTotal).toBe(last.bytesDone);
    for (let i = 1; i < progress.length; i++) expect(progress[i].bytesDone).toBeGreaterThanOrEqual(progress[i - 1].bytesDone);
  });

  it('fails with the platform’s message on 403, and on an unknown order', async () => {
    const d = dataset('1');
    const denied = fakePlatform(d);
    const ctx = { signal: new AbortController().signal, onProgress: () => {}, policy: fast };
    const req: CsvRequest = { kind: 'csv', origin: ORIGIN, workflowId: '1', orderId: null, submissions: 'all', layout: 'long', bom: false };
    const forbidden: typeof fetch = async () => new Response(JSON.stringify({ error: 'forbidden', message: 'No access to this workflow.' }), { status: 403 });
    await expect(exportCsv(req, { ...ctx, fetch: forbidden })).rejects.toThrow('No access to this workflow.');
    await expect(exportCsv({ ...req, orderId: 'nope' }, { ...ctx, fetch: denied.fetch })).rejects.toThrow(/Order nope/);
  });
});

describe('streaming and out-of-order submissions', () => {
  const w3 = dataset('3', { scaleCases: 3000, scaleSubmissionsPerCase: 3 });
  const input = { workflow: w3.workflow, questions: w3.questions, cases: w3.casesOf(null), submissions: w3.submissionsOf(null) };

  it('writes rows as the pages arrive: the first rows come before the later pages are asked for', async () => {
    const platform = fakePlatform(w3);
    const req: CsvRequest = { kind: 'csv', origin: ORIGIN, workflowId: '3', orderId: null, submissions: 'all', layout: 'long', bom: false };
    const out = await exportCsv(req, { fetch: platform.fetch, signal: new AbortController().signal, onProgress: () => {}, policy: fast });
    const reader = out.stream.getReader();
    await reader.read(); // header
    await reader.read(); // first page of rows
    const subPages = () => platform.requests.filter((r) => r.includes('/submissions')).length;
    expect(subPages()).toBeLessThanOrEqual(2); // the page written and the one being fetched
    let chunks = 2;
    while (!(await reader.read()).done) chunks++;
    expect(subPages()).toBe(Math.ceil(9000 / 500));
    expect(chunks).toBe(1 + 18);
  });

  for (const layout of ['long', 'wide'] as const)
    for (const submissions of ['all', 'submitted', 'latest'] as const)
      it(`${layout}/${submissions}: submissions in any order give the same rows as the whole-table rules`, async () => {
        const { text } = await run({ layout, submissions }, w3, { shuffle: true });
        const got = parse(text) as string[][];
        const shuffledInput = { ...input, submissions: w3.shuffledSubmissionsOf(null) };
        const want = layout === 'long' ? longRows(shuffledInput, submissions) : wideRows(shuffledInput, submissions);
        if (layout === 'long') expect(got).toEqual(want);
        else {
          // Wide: same header and one row per case in case order; a case's groups keep stream order.
          expect(got[0]).toEqual(want[0]);
          expect(got.map((r) => r[2])).toEqual(want.map((r) => r[2]));
          expect(got).toEqual(want);
        }
      });

  it('cancelling the stream stops fetching', async () => {
    const platform = fakePlatform(w3);
    const req: CsvRequest = { kind: 'csv', origin: ORIGIN, workflowId: '3', orderId: null, submissions: 'all', layout: 'long', bom: false };
    const out = await exportCsv(req, { fetch: platform.fetch, signal: new AbortController().signal, onProgress: () => {}, policy: fast });
    const reader = out.stream.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const before = platform.requests.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(platform.requests.length).toBe(before);
    expect(platform.requests.filter((r) => r.includes('/submissions')).length).toBeLessThanOrEqual(3);
  });
});

describe('prefetched', () => {
  it('asks for the next item while the current one is used, and passes errors on', async () => {
    const log: string[] = [];
    async function* source() {
      for (let i = 0; i < 3; i++) {
        log.push(`fetch ${i}`);
        yield i;
      }
      throw new Error('boom');
    }
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const v of prefetched(source())) {
          log.push(`use ${v}`);
          got.push(v);
        }
      })(),
    ).rejects.toThrow('boom');
    expect(got).toEqual([0, 1, 2]);
    expect(log.slice(0, 3)).toEqual(['fetch 0', 'fetch 1', 'use 0']);
  });
});

it('emptyProgress is the starting point', () => expect(emptyProgress().listingDone).toBe(false));
