import { describe, expect, it } from 'vitest';
import type { Case, CaseFile } from '../../lib/platform.ts';
import { planCaseFiles, previewTree, renderTreeText } from '../../lib/caseFilesPlan.ts';
import { PathDeduper } from '../../lib/naming.ts';
import { parsePathTemplate, type PathTemplate } from '../../lib/pathTemplate.ts';

const file = (originalFilename: string, uuid: string): CaseFile => ({
  uuid,
  originalFilename,
  contentType: 'application/octet-stream',
  size: 1,
  createdAt: '2024-01-01T00:00:00Z',
});
const aCase = (id: string, externalId: string | null, names: string[]): Case => ({
  id,
  shortId: `S-${id}`,
  externalId,
  entityExternalId: null,
  orderId: null,
  metadata: {},
  files: names.map((n, i) => file(n, `${id}-f${i}`)),
});
const template = (text: string): PathTemplate => {
  const r = parsePathTemplate(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.template;
};
const workflow = { id: 'wf', name: 'WF', orders: [] };

describe('planCaseFiles', () => {
  const cases = [aCase('1', 'A', ['x.jpg', 'y.png']), aCase('2', '42', ['z.jpg'])];

  it('gives default names at the root without template, in case then upload order', () => {
    const plan = [...planCaseFiles(null, workflow, null, cases)];
    expect(plan.map((p) => p.path)).toEqual(['00000000000A_WF_1.jpg', '00000000000A_WF_2.png', '000000000042_WF_1.jpg']);
    expect(plan.map((p) => [p.case.id, p.file.uuid, p.fileIndex])).toEqual([
      ['1', '1-f0', 0],
      ['1', '1-f1', 1],
      ['2', '2-f0', 0],
    ]);
  });

  it('includes the order in default names', () => {
    const [first] = planCaseFiles(null, workflow, { id: 'o', name: 'Batch' }, cases);
    expect(first.path).toBe('00000000000A_WF-Batch_1.jpg');
  });

  it('renders the template and dedupes case-insensitively', () => {
    const same = [aCase('1', 'a', ['Scan.jpg', 'scan.JPG']), aCase('2', 'A', ['scan.jpg'])];
    const plan = [...planCaseFiles(template('{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}'), workflow, null, same)];
    expect(plan.map((p) => p.path)).toEqual(['a/Scan.jpg', 'a/scan (2).JPG', 'a/scan (3).jpg']);
  });

  it('keeps paths unique across pages with one deduper', () => {
    const deduper = new PathDeduper();
    const t = template('{{ ORIGINAL_FILENAME }}');
    const page1 = [...planCaseFiles(t, workflow, null, [aCase('1', null, ['a.txt'])], deduper)];
    const page2 = [...planCaseFiles(t, workflow, null, [aCase('2', null, ['A.txt'])], deduper)];
    expect([...page1, ...page2].map((p) => p.path)).toEqual(['a.txt', 'A (2).txt']);
  });

  it('is lazy', () => {
    function* endless(): Generator<Case> {
      for (let i = 0; ; i++) yield aCase(String(i), null, ['f']);
    }
    const it = planCaseFiles(null, workflow, null, endless());
    expect(it.next().value?.path).toBe('000000000S-0_WF_1');
    expect(it.next().value?.path).toBe('000000000S-1_WF_1');
  });
});

describe('previewTree', () => {
  const paths = ['b/2.jpg', 'top.txt', 'a/x/1.jpg', 'b/1.jpg', 'a/y.jpg'];

  it('nests folders, folders first, in order of appearance', () => {
    expect(previewTree(paths)).toEqual([
      {
        name: 'b',
        path: 'b',
        children: [
          { name: '2.jpg', path: 'b/2.jpg' },
          { name: '1.jpg', path: 'b/1.jpg' },
        ],
      },
      {
        name: 'a',
        path: 'a',
        children: [
          { name: 'x', path: 'a/x', children: [{ name: '1.jpg', path: 'a/x/1.jpg' }] },
          { name: 'y.jpg', path: 'a/y.jpg' },
        ],
      },
      { name: 'top.txt', path: 'top.txt' },
    ]);
  });

  it('renders as indented text', () => {
    expect(renderTreeText(previewTree(paths))).toBe(
      ['b/', '  2.jpg', '  1.jpg', 'a/', '  x/', '    1.jpg', '  y.jpg', 'top.txt'].join('\n'),
    );
    expect(renderTreeText(previewTree([]))).toBe('');
  });
});
