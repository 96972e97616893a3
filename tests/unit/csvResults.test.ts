import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvCellText, csvRecords, type CsvValue } from '../../lib/csvEscape';
import {
  CASE_COLUMNS,
  LatestSubmissions,
  MetaKeys,
  SUBMISSION_COLUMNS,
  caseExternalId,
  caseRecord,
  csvColumns,
  csvOptionsFrom,
  formatAnswer,
  formatMetaValue,
  formatTimestamp,
  isNewerSubmission,
  longRows,
  metaColumns,
  orderNames,
  selectSubmissions,
  submissionCells,
  wideRows,
  type ResultsInput,
} from '../../lib/csvResults';
import type { Case, Question, Submission, Workflow } from '../../lib/platform';

const workflow: Workflow = { id: 'w', name: 'Lung "CT" 🫁', orders: [{ id: 'o1', name: 'Batch A' }, { id: 'o2', name: '=Order' }] };
const questions: Question[] = [
  { key: 'diagnosis', label: 'Diagnosis', type: 'choice' },
  { key: 'score', label: 'Score', type: 'number' },
  { key: 'ok', label: 'OK?', type: 'boolean' },
  { key: 'findings', label: 'Findings', type: 'multichoice' },
  { key: 'comment', label: 'Comment', type: 'text' },
];
const kase = (id: string, over: Partial<Case> = {}): Case => ({
  id,
  shortId: `S-${id}`,
  externalId: `EXT-${id}`,
  entityExternalId: null,
  orderId: 'o1',
  metadata: {},
  files: [],
  ...over,
});
let n = 0;
const sub = (caseId: string, readerId: string, over: Partial<Submission> = {}): Submission => ({
  id: `sub-${++n}`,
  caseId,
  reader: { id: readerId, name: `Reader ${readerId}` },
  status: 'submitted',
  submittedAt: '2025-05-12T10:00:00.000Z',
  answers: {},
  ...over,
});

/** The text a reader gets back for a cell (formula guard applied), as lib/csvEscape.ts writes it. */
const text = (v: CsvValue): string => csvCellText(v);
const texts = (rows: readonly (readonly CsvValue[])[]): string[][] => rows.map((r) => r.map(csvCellText));

describe('formatAnswer and formatMetaValue', () => {
  it('null and missing answers are empty cells', () => {
    expect(text(formatAnswer(null))).toBe('');
    expect(text(formatAnswer(undefined))).toBe('');
    expect(text(formatMetaValue(null))).toBe('');
  });
  it('booleans are true/false', () => {
    expect(text(formatAnswer(true))).toBe('true');
    expect(text(formatAnswer(false))).toBe('false');
    expect(text(formatMetaValue(false))).toBe('false');
  });
  it('numbers stay numbers, negative numbers not escaped', () => {
    expect(formatAnswer(-3)).toBe(-3);
    expect(formatAnswer(Number.NaN)).toBe('');
    expect(text(formatAnswer(12.5))).toBe('12.5');
    expect(text(formatAnswer(0))).toBe('0');
    expect(text(formatAnswer(-3))).toBe('-3');
    expect(text(formatMetaValue(1e21))).toBe('1e+21');
  });
  it('multichoice joined with "; ", the whole cell escaped, empty list empty', () => {
    expect(text(formatAnswer(['nodule', 'effusion']))).toBe('nodule; effusion');
    expect(text(formatAnswer([]))).toBe('');
    expect(text(formatAnswer(['=x', 'y']))).toBe("'=x; y");
    expect(text(formatAnswer(['ground-glass; opacity', 'Ünïcödé 🫁']))).toBe('ground-glass; opacity; Ünïcödé 🫁');
  });
  it('text is kept as is; the writer escapes formula-leading text', () => {
    expect(formatAnswer('=x')).toBe('=x');
    expect(text(formatAnswer('He said "hi", then left'))).toBe('He said "hi", then left');
    expect(text(formatAnswer('line one\nline two'))).toBe('line one\nline two');
    expect(text(formatAnswer('=HYPERLINK("http://evil.example")'))).toBe('\'=HYPERLINK("http://evil.example")');
    expect(text(formatMetaValue('+44 20'))).toBe("'+44 20");
  });
  it('an unexpected object becomes its JSON', () => {
    expect(text(formatAnswer({ a: 1 } as never))).toBe('{"a":1}');
  });
});

describe('formatTimestamp (ISO 8601 UTC)', () => {
  it('normalises zones to UTC', () => {
    expect(text(formatTimestamp('2025-05-12T10:30:00Z'))).toBe('2025-05-12T10:30:00.000Z');
    expect(text(formatTimestamp('2025-05-12T12:30:00+02:00'))).toBe('2025-05-12T10:30:00.000Z');
    expect(text(formatTimestamp('2025-05-12T10:30:00.123Z'))).toBe('2025-05-12T10:30:00.123Z');
  });
  it('reads a zoneless date-time as UTC, whatever the machine zone', () => {
    expect(text(formatTimestamp('2025-05-12 10:30'))).toBe('2025-05-12T10:30:00.000Z');
  });
  it('null is empty; text that is no date is kept, escaped', () => {
    expect(text(formatTimestamp(null))).toBe('');
    expect(text(formatTimestamp('soon'))).toBe('soon');
    expect(text(formatTimestamp('-1 day'))).toBe("'-1 day");
  });
});

describe('columns', () => {
  it('long: case, submission, one per question in the platform order, then meta', () => {
    expect(csvColumns('long', questions, ['age', 'scanner, model'])).toEqual([
      'workflow name',
      'order name',
      'case id',
      'short id',
      'external id',
      'submission id',
      'reader id',
      'reader name',
      'status',
      'submitted at',
      'diagnosis',
      'score',
      'ok',
      'findings',
      'comment',
      'meta.age',
      'meta.scanner, model',
    ]);
  });
  it('wide: numbered groups of the submission columns', () => {
    const cols = csvColumns('wide', questions.slice(0, 2), ['age'], 2);
    expect(cols).toEqual([
      ...CASE_COLUMNS,
      's1.submission id',
      's1.reader id',
      's1.reader name',
      's1.status',
      's1.submitted at',
      's1.diagnosis',
      's1.score',
      's2.submission id',
      's2.reader id',
      's2.reader name',
      's2.status',
      's2.submitted at',
      's2.diagnosis',
      's2.score',
      'meta.age',
    ]);
    expect(csvColumns('wide', questions, [], 0)).toEqual([...CASE_COLUMNS]);
  });
  it('header cells are escaped too (question keys are user content)', () => {
    expect(texts([csvColumns('long', [{ key: '=evil' }], [])])[0]).toContain("'=evil");
  });
});

describe('metaColumns (union over all cases, first-seen order)', () => {
  it('keeps first-seen order over cases and within a case', () => {
    const cases = [kase('a', { metadata: { sex: 'F', age: 40 } }), kase('b', { metadata: { site: 'X', age: 50 } }), kase('c', { metadata: {} })];
    expect(metaColumns(cases)).toEqual(['sex', 'age', 'site']);
  });
  it('MetaKeys aligns each case’s cells to stable indices', () => {
    const keys = new MetaKeys();
    expect(keys.add({ b: 1 })).toEqual([1]);
    expect(keys.add({ a: true, b: null })).toEqual(['', 'true']);
    expect(texts([keys.add({ a: '=x' })])[0]).toEqual(['', "'=x"]);
    expect(keys.keys).toEqual(['b', 'a']);
  });
  it('a case record is one flat array: case cells, then meta cells aligned to the keys', () => {
    const keys = new MetaKeys();
    const orders = orderNames(workflow);
    expect(caseRecord(kase('a', { metadata: { x: 1 } }), orders, keys)).toEqual(['Batch A', 'a', 'S-a', 'EXT-a', 1]);
    expect(caseRecord(kase('b', { metadata: { y: 'v' } }), orders, keys)).toEqual(['Batch A', 'b', 'S-b', 'EXT-b', '', 'v']);
    expect(caseRecord(kase('c', { metadata: {} }), orders, keys)).toEqual(['Batch A', 'c', 'S-c', 'EXT-c']);
  });
});

describe('case cells', () => {
  it('external id: entity, else case, else short id (as CASE_EXTERNAL_ID)', () => {
    expect(caseExternalId({ entityExternalId: 'E', externalId: 'X', shortId: 'S' })).toBe('E');
    expect(caseExternalId({ entityExternalId: null, externalId: 'X', shortId: 'S' })).toBe('X');
    expect(caseExternalId({ entityExternalId: null, externalId: null, shortId: 'S' })).toBe('S');
  });
  it('order name is the case’s own order, escaped; empty when none', () => {
    const keys = new MetaKeys();
    const orders = orderNames(workflow);
    expect(text(caseRecord(kase('a', { orderId: 'o2' }), orders, keys)[0])).toBe("'=Order");
    expect(caseRecord(kase('a', { orderId: null }), orders, keys)[0]).toBe('');
    expect(text(caseRecord(kase('a', { externalId: '=HYPERLINK("x")' }), orders, keys)[3])).toBe('\'=HYPERLINK("x")');
  });
  it('submission cells: id, reader, status, UTC date, one per question', () => {
    const s = sub('a', 'r1', { status: 'draft', submittedAt: null, answers: { score: 1.5, findings: ['a', 'b'], ok: false, extra: 'x' } });
    expect(submissionCells(s, questions)).toEqual([s.id, 'r1', 'Reader r1', 'draft', '', '', 1.5, 'false', 'a; b', '']);
    expect(SUBMISSION_COLUMNS.length + questions.length).toBe(10);
  });
});

describe('selectSubmissions', () => {
  const subs = [
    sub('c1', 'r1', { id: 'a', submittedAt: '2025-01-01T10:00:00Z' }),
    sub('c1', 'r2', { id: 'b', status: 'draft', submittedAt: null }),
    sub('c1', 'r1', { id: 'c', submittedAt: '2025-01-02T10:00:00Z' }),
    sub('c2', 'r1', { id: 'd', submittedAt: '2025-01-01T11:00:00+02:00' }),
    sub('c1', 'r1', { id: 'e', status: 'draft', submittedAt: null }),
    sub('c2', 'r1', { id: 'f', submittedAt: '2025-01-01T09:30:00Z' }),
    sub('c1', 'r2', { id: 'g', submittedAt: '2024-12-31T10:00:00Z' }),
  ];
  const ids = (list: Submission[]) => list.map((s) => s.id);
  it('all keeps everything, in order', () => expect(ids(selectSubmissions(subs, 'all'))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']));
  it('submitted drops drafts', () => expect(ids(selectSubmissions(subs, 'submitted'))).toEqual(['a', 'c', 'd', 'f', 'g']));
  it('latest: newest submitted per reader and case, comparing instants not text', () => {
    // d is 09:00Z, f is 09:30Z: f is newer although "11:00+02:00" sorts after "09:30Z" as text.
    expect(ids(selectSubmissions(subs, 'latest'))).toEqual(['c', 'f', 'g']);
  });
  it('latest does not depend on the order of the stream', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(subs, { minLength: subs.length }), (shuffled) => {
        expect(new Set(ids(selectSubmissions(shuffled, 'latest')))).toEqual(new Set(['c', 'f', 'g']));
      }),
    );
  });
  it('ties on time go to the greater id', () => {
    expect(isNewerSubmission({ id: 'b', time: 1 }, { id: 'a', time: 1 })).toBe(true);
    expect(isNewerSubmission({ id: 'a', time: 2 }, { id: 'b', time: 1 })).toBe(true);
    const t = '2025-01-01T00:00:00Z';
    expect(ids(selectSubmissions([sub('c', 'r', { id: 'y', submittedAt: t }), sub('c', 'r', { id: 'x', submittedAt: t })], 'latest'))).toEqual(['y']);
  });
  it('keeps one small entry per (case, reader) pair and counts winners per case', () => {
    const latest = new LatestSubmissions();
    for (const s of subs) latest.offer(s);
    expect(latest.pairs).toBe(3);
    expect(latest.countsByCase()).toEqual(new Map([['c1', 2], ['c2', 1]]));
  });
});

const input = (): ResultsInput => {
  const cases = [
    kase('c1', { metadata: { age: 40, note: 'line 1\nline 2' } }),
    kase('c2', { orderId: 'o2', externalId: null, metadata: { smoker: true } }),
    kase('c3', { metadata: { age: 50 } }),
  ];
  const submissions = [
    sub('c1', 'r1', { id: 's1', answers: { diagnosis: 'malignant, suspected', score: 50, ok: true, findings: ['x'], comment: '=1+1' } }),
    sub('c1', 'r2', { id: 's2', status: 'draft', submittedAt: null, answers: { diagnosis: null } }),
    sub('c2', 'r1', { id: 's3', submittedAt: '2025-05-12T12:00:00+02:00', answers: { comment: 'Ünïcödé 🫁 "q"' } }),
    sub('c1', 'r1', { id: 's4', submittedAt: '2025-05-13T10:00:00Z', answers: { score: -1 } }),
  ];
  return { workflow, questions, cases, submissions };
};

describe('longRows', () => {
  it('one row per selected submission, every cell by the rules', () => {
    const [header, ...rows] = texts(longRows(input(), 'all'));
    expect(header.slice(-3)).toEqual(['meta.age', 'meta.note', 'meta.smoker']);
    expect(rows.map((r) => r[5])).toEqual(['s1', 's2', 's3', 's4']);
    expect(rows[0]).toEqual([
      'Lung "CT" 🫁',
      'Batch A',
      'c1',
      'S-c1',
      'EXT-c1',
      's1',
      'r1',
      'Reader r1',
      'submitted',
      '2025-05-12T10:00:00.000Z',
      'malignant, suspected',
      '50',
      'true',
      'x',
      "'=1+1",
      '40',
      'line 1\nline 2',
      '',
    ]);
    expect(rows[2].slice(1, 5)).toEqual(["'=Order", 'c2', 'S-c2', 'S-c2']);
    expect(rows[2][9]).toBe('2025-05-12T10:00:00.000Z');
    expect(rows[2].slice(-3)).toEqual(['', '', 'true']);
    expect(rows[3][11]).toBe('-1');
    for (const r of rows) expect(r).toHaveLength(header.length);
  });
  it('submitted and latest', () => {
    expect(longRows(input(), 'submitted').slice(1).map((r) => r[5])).toEqual(['s1', 's3', 's4']);
    expect(longRows(input(), 'latest').slice(1).map((r) => r[5])).toEqual(['s3', 's4']);
  });
  it('a submission of a case the list did not hold still gets a row, with its case id', () => {
    const i = input();
    const rows = longRows({ ...i, submissions: [sub('zz', 'r1', { id: 'orphan' })] }, 'all');
    expect(rows[1].slice(2, 6)).toEqual(['zz', '', '', 'orphan']);
  });
});

describe('wideRows', () => {
  it('one row per case in case order, submissions side by side in numbered groups', () => {
    const [header, ...rows] = texts(wideRows(input(), 'all'));
    expect(rows.map((r) => r[2])).toEqual(['c1', 'c2', 'c3']);
    const width = SUBMISSION_COLUMNS.length + questions.length;
    expect(header).toHaveLength(5 + 3 * width + 3);
    expect(header[5]).toBe('s1.submission id');
    expect(header[5 + 2 * width]).toBe('s3.submission id');
    expect(rows[0][5]).toBe('s1');
    expect(rows[0][5 + width]).toBe('s2');
    expect(rows[0][5 + 2 * width]).toBe('s4');
    expect(rows[1][5]).toBe('s3');
    expect(rows[1][5 + width]).toBe('');
    expect(rows[2].slice(5, 5 + 3 * width).every((c) => c === '')).toBe(true);
    expect(rows[2].slice(-3)).toEqual(['50', '', '']);
    for (const r of rows) expect(r).toHaveLength(header.length);
  });
  it('a workflow of 200,000 questions: its wide row holds every answer cell (no spread of them onto the call stack)', () => {
    const many: Question[] = Array.from({ length: 200_000 }, (_, i) => ({ key: `q${i}`, label: `Q${i}`, type: 'text' }));
    const [header, row] = wideRows({ workflow, questions: many, cases: [kase('c1')], submissions: [sub('c1', 'r1', { answers: { q199999: 'last' } })] }, 'all');
    expect(row).toHaveLength(header.length);
    expect(row[5 + SUBMISSION_COLUMNS.length + 199_999]).toBe('last');
  });
  it('groups follow the selection', () => {
    expect(texts(wideRows(input(), 'submitted'))[0].filter((c) => c.endsWith('.submission id'))).toEqual(['s1.submission id', 's2.submission id']);
    const latest = texts(wideRows(input(), 'latest'));
    expect(latest[0].filter((c) => c.endsWith('.submission id'))).toEqual(['s1.submission id']);
    expect(latest.slice(1).map((r) => r[5])).toEqual(['s4', 's3', '']);
  });
});

describe('the written rows read back through another parser (csv-parse)', () => {
  it('every cell comes back as written (quotes, newlines, commas, Unicode, formula escapes)', () => {
    const rows = longRows(input(), 'all');
    expect(parse(csvRecords(rows), { relax_column_count: false })).toEqual(texts(rows));
  });
});

describe('csvOptionsFrom (remembered choices)', () => {
  it('reads stored options and falls back per field', () => {
    expect(csvOptionsFrom(undefined)).toEqual({ submissions: 'all', layout: 'long', bom: false });
    expect(csvOptionsFrom({ submissions: 'latest', layout: 'wide', bom: true })).toEqual({ submissions: 'latest', layout: 'wide', bom: true });
    expect(csvOptionsFrom({ submissions: 'nope', layout: 'wide', bom: 'yes' })).toEqual({ submissions: 'all', layout: 'wide', bom: false });
  });
});
