/**
 * The CSV the spec asks for (product spec 1a), written here from the spec independently of
 * lib/csvResults.ts, from what the platform's API serves: shared by the Chromium spec
 * (tests/e2e/csv.spec.ts) and the Firefox one (tests/e2e-firefox/csv.firefox.ts).
 */
import type { Case, Page as ApiPage, Question, Submission, Workflow } from '../lib/platform';

export type Submissions = 'all' | 'submitted' | 'latest';
export type Layout = 'long' | 'wide';

export async function platformData(api: { fetch: typeof fetch }, workflowId: string, orderId: string | null) {
  const get = async <T>(path: string): Promise<T> => (await (await api.fetch(path)).json()) as T;
  const all = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ limit: '7' });
      if (orderId) q.set('order', orderId);
      if (cursor) q.set('cursor', cursor);
      const page: ApiPage<T> = await get<ApiPage<T>>(`${path}?${q}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  const base = `/api/v1/workflows/${workflowId}`;
  const [workflow, questions, cases, submissions] = await Promise.all([
    get<Workflow>(base),
    get<Question[]>(`${base}/questions`),
    all<Case>(`${base}/cases`),
    all<Submission>(`${base}/submissions`),
  ]);
  return { workflow, questions, cases, submissions };
}

/**
 * A text cell: a `'` before a leading tab, CR or LF, before `=`, `+`, `-`, `@` (or their full-width
 * forms) after any leading spaces, controls or format characters, and before any text holding a NUL
 * (which reads back as U+FFFD).
 */
export const text = (s: string) => (/^[\t\r\n]|\0|^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@＝＋－＠﹦﹢﹣﹫]/u.test(s) ? `'${s}` : s).replace(/\0/g, '\uFFFD');
export const value = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'boolean' || typeof v === 'number' ? String(v) : Array.isArray(v) ? text(v.join('; ')) : text(String(v));

export function select(subs: Submission[], option: Submissions): Submission[] {
  if (option === 'all') return subs;
  const submitted = subs.filter((s) => s.status === 'submitted');
  if (option === 'submitted') return submitted;
  const best = new Map<string, Submission>();
  for (const s of submitted) {
    const key = JSON.stringify([s.caseId, s.reader.id]);
    const b = best.get(key);
    const t = Date.parse(s.submittedAt!);
    if (!b || t > Date.parse(b.submittedAt!) || (t === Date.parse(b.submittedAt!) && s.id > b.id)) best.set(key, s);
  }
  const winners = new Set([...best.values()]);
  return submitted.filter((s) => winners.has(s));
}

export function expectedCsv(data: Awaited<ReturnType<typeof platformData>>, option: Submissions, layout: Layout): string[][] {
  const { workflow, questions, cases } = data;
  const metaKeys = [...new Set(cases.flatMap((c) => Object.keys(c.metadata)))];
  const caseCells = (c: Case) => [
    text(workflow.name),
    text(workflow.orders.find((o) => o.id === c.orderId)?.name ?? ''),
    c.id,
    c.shortId,
    text(c.entityExternalId ?? c.externalId ?? c.shortId),
  ];
  const subCells = (s: Submission) => [
    s.id,
    s.reader.id,
    text(s.reader.name),
    s.status,
    s.submittedAt ? new Date(s.submittedAt).toISOString() : '',
    ...questions.map((q) => value(s.answers[q.key])),
  ];
  const meta = (c: Case) => metaKeys.map((k) => value(c.metadata[k]));
  const subHeader = ['submission id', 'reader id', 'reader name', 'status', 'submitted at', ...questions.map((q) => text(q.key))];
  const caseHeader = ['workflow name', 'order name', 'case id', 'short id', 'external id'];
  const metaHeader = metaKeys.map((k) => `meta.${k}`);
  const chosen = select(data.submissions, option);
  const byId = new Map(cases.map((c) => [c.id, c]));
  if (layout === 'long')
    return [[...caseHeader, ...subHeader, ...metaHeader], ...chosen.map((s) => [...caseCells(byId.get(s.caseId)!), ...subCells(s), ...meta(byId.get(s.caseId)!)])];
  const groups = cases.map((c) => chosen.filter((s) => s.caseId === c.id));
  const n = Math.max(0, ...groups.map((g) => g.length));
  const header = [...caseHeader, ...Array.from({ length: n }, (_, i) => subHeader.map((h) => `s${i + 1}.${h}`)).flat(), ...metaHeader];
  const blank = subHeader.map(() => '');
  return [header, ...cases.map((c, i) => [...caseCells(c), ...Array.from({ length: n }, (_, g) => (groups[i][g] ? subCells(groups[i][g]) : blank)).flat(), ...meta(c)])];
}
