import { describe, expect, it } from 'vitest';
import type { Case, CaseFile } from '../../lib/platform.ts';
import {
  describeTemplate,
  nearestVariable,
  parsePathTemplate,
  renderPathTemplate,
  TEMPLATE_VARIABLE_HELP,
  TEMPLATE_VARIABLES,
  variableDescription,
  variables,
  variableValue,
  type FileContext,
  type PathTemplate,
  type TemplateError,
  type VariableName,
} from '../../lib/pathTemplate.ts';

const file = (originalFilename: string, uuid = 'f-uuid-1'): CaseFile => ({
  uuid,
  originalFilename,
  contentType: 'image/jpeg',
  size: 10,
  createdAt: '2024-01-01T00:00:00Z',
});

const aCase = (over: Partial<Case> = {}): Case => ({
  id: 'case-db-1',
  shortId: 'C-7',
  externalId: 'EXT-42',
  entityExternalId: null,
  orderId: 'o1',
  metadata: {},
  files: [file('scan.jpg'), file('notes.PDF', 'f-uuid-2')],
  ...over,
});

const ctx = (over: Partial<FileContext> = {}): FileContext => {
  const c = over.case ?? aCase();
  const fileIndex = over.fileIndex ?? 1;
  return {
    workflow: { id: 'wf1', name: 'Chest study', orders: [] },
    order: { id: 'o1', name: 'Batch 2' },
    case: c,
    file: c.files[fileIndex],
    fileIndex,
    ...over,
  };
};

const parse = (text: string): PathTemplate => {
  const r = parsePathTemplate(text);
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.template;
};
const errorsOf = (text: string): TemplateError[] => {
  const r = parsePathTemplate(text);
  if (r.ok) throw new Error(`expected errors for ${text}`);
  return r.errors;
};
const render = (text: string, c: FileContext = ctx()) => renderPathTemplate(parse(text), c);

describe('variables: one getter each', () => {
  const expected: Record<VariableName, string> = {
    WORKFLOW_NAME: 'Chest study',
    WORKFLOW_ORDER_NAME: 'Batch 2',
    CASE_ID: 'case-db-1',
    CASE_SHORT_ID: 'C-7',
    CASE_EXTERNAL_ID: 'EXT-42',
    CASE_EXTERNAL_ID_PADDED: '000000EXT-42',
    FILE_UUID: 'f-uuid-2',
    FILE_COUNT: '2',
    FILE_EXT: '.PDF',
    ORIGINAL_FILENAME: 'notes.PDF',
    FILENAME: '000000EXT-42_Chest study-Batch 2_2.PDF',
  };

  it('covers every variable, in the spec order', () => {
    expect(TEMPLATE_VARIABLES).toEqual(Object.keys(expected));
    expect(TEMPLATE_VARIABLES).toEqual(Object.keys(variables));
  });

  it.each(Object.entries(expected))('{{ %s }} renders %j', (name, value) => {
    expect(variableValue(name as VariableName, ctx())).toBe(value);
    expect(render(`{{ ${name} }}`)).toBe(value);
  });

  it('WORKFLOW_ORDER_NAME falls back to the workflow name without an order', () => {
    expect(variableValue('WORKFLOW_ORDER_NAME', ctx({ order: null }))).toBe('Chest study');
  });

  it('CASE_EXTERNAL_ID: entity external id, else case external id, else short id', () => {
    expect(variableValue('CASE_EXTERNAL_ID', ctx({ case: aCase({ entityExternalId: 'ENT-1' }) }))).toBe('ENT-1');
    expect(variableValue('CASE_EXTERNAL_ID', ctx({ case: aCase({ externalId: null }) }))).toBe('C-7');
    expect(variableValue('CASE_EXTERNAL_ID', ctx({ case: aCase({ externalId: '' }) }))).toBe('C-7');
    expect(variableValue('CASE_EXTERNAL_ID', ctx({ case: aCase({ entityExternalId: '', externalId: 'X' }) }))).toBe('X');
  });

  it('CASE_EXTERNAL_ID_PADDED pads on the left to 12 characters, longer values unchanged', () => {
    const padded = (id: string) => variableValue('CASE_EXTERNAL_ID_PADDED', ctx({ case: aCase({ externalId: id }) }));
    expect(padded('42')).toBe('000000000042');
    expect(padded('123456789012')).toBe('123456789012');
    expect(padded('1234567890123')).toBe('1234567890123');
    expect(padded('日本')).toBe('0000000000日本');
  });

  it('FILE_COUNT is 1-based upload order within the case', () => {
    expect(variableValue('FILE_COUNT', ctx({ fileIndex: 0 }))).toBe('1');
  });

  it('FILE_EXT is empty without extension', () => {
    const c = aCase({ files: [file('README'), file('.bashrc'), file('archive.tar.gz')] });
    expect(variableValue('FILE_EXT', ctx({ case: c, fileIndex: 0 }))).toBe('');
    expect(variableValue('FILE_EXT', ctx({ case: c, fileIndex: 1 }))).toBe('');
    expect(variableValue('FILE_EXT', ctx({ case: c, fileIndex: 2 }))).toBe('.gz');
  });

  it('FILENAME without an order has no -order part', () => {
    expect(variableValue('FILENAME', ctx({ order: null, fileIndex: 0 }))).toBe('000000EXT-42_Chest study_1.jpg');
  });

  it('help and chips are derived from the getters', () => {
    expect(TEMPLATE_VARIABLE_HELP.map((v) => v.name)).toEqual(TEMPLATE_VARIABLES);
    const help = describeTemplate();
    for (const name of TEMPLATE_VARIABLES) {
      expect(variableDescription(name)).toBe(variables[name].describe);
      expect(help).toContain(`{{ ${name} }}: ${variables[name].describe}`);
    }
  });
});

describe('parsePathTemplate: valid templates', () => {
  it('accepts spaces inside the braces or none', () => {
    for (const t of ['{{CASE_ID}}', '{{ CASE_ID }}', '{{   CASE_ID}}']) {
      expect(parse(t).parts).toEqual([{ kind: 'variable', name: 'CASE_ID' }]);
    }
  });
  it('keeps literal text', () => {
    expect(parse('cases/{{ CASE_ID }}-x/').parts).toEqual([
      { kind: 'text', text: 'cases/' },
      { kind: 'variable', name: 'CASE_ID' },
      { kind: 'text', text: '-x/' },
    ]);
  });
  it('treats an empty or whitespace-only template as no template', () => {
    expect(parse('').parts).toEqual([]);
    expect(parse('  \t ').parts).toEqual([]);
  });
  it('accepts literal characters that rendering sanitises (never rejected)', () => {
    expect(parsePathTemplate('a:b/c*?/{{ FILENAME }}').ok).toBe(true);
    expect(parsePathTemplate('./{{ CASE_ID }}').ok).toBe(true);
    expect(parsePathTemplate('a..b/...x/{{ CASE_ID }}..').ok).toBe(true);
    expect(parsePathTemplate('$ cost/{{ CASE_ID }}').ok).toBe(true);
  });
});

describe('parsePathTemplate: rejections, with message and offsets', () => {
  const one = (text: string) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    const [e] = errors;
    return { ...e, part: text.slice(e.start, e.end) };
  };

  it('unknown variable, suggesting the nearest', () => {
    const e = one('x/{{ CASE_EXTERNALID }}/y');
    expect(e.message).toBe('Unknown variable CASE_EXTERNALID. Did you mean CASE_EXTERNAL_ID?');
    expect(e.part).toBe('CASE_EXTERNALID');
    expect(e.start).toBe(5);
  });

  it.each([
    ['WORKFLOW_NAM', 'WORKFLOW_NAME'],
    ['WORKFLOW_ORDER', 'WORKFLOW_ORDER_NAME'],
    ['CASE_SHORTID', 'CASE_SHORT_ID'],
    ['FILE_EXTENSION', 'FILE_EXT'],
    ['FILENAM', 'FILENAME'],
    ['ORIGINAL_FILE_NAME', 'ORIGINAL_FILENAME'],
    ['file_uid', 'FILE_UUID'],
    ['CASE_EXTERNAL_ID_PADDING', 'CASE_EXTERNAL_ID_PADDED'],
  ])('suggests %s → %s', (typo, nearest) => {
    expect(nearestVariable(typo)).toBe(nearest);
    expect(one(`{{ ${typo} }}`).message).toBe(`Unknown variable ${typo}. Did you mean ${nearest}?`);
  });

  it('lowercase variable names, suggesting the uppercase', () => {
    const e = one('{{ case_id }}');
    expect(e.message).toBe('Variable names are uppercase: write CASE_ID, not case_id.');
    expect(e.part).toBe('case_id');
    expect(one('{{Filename}}').message).toBe('Variable names are uppercase: write FILENAME, not Filename.');
  });

  it('tags {% … %}', () => {
    const e = one('a/{% if x %}b');
    expect(e.message).toMatch(/^Tags \(\{% … %\}\) aren't supported/);
    expect(e.part).toBe('{% if x %}');
    expect(one('{% unclosed').part).toBe('{%');
  });

  it('filters {{ X | f }}', () => {
    const e = one('{{ CASE_ID | upcase }}');
    expect(e.message).toMatch(/^Filters aren't supported \(\| upcase\)/);
    expect(e.part).toBe('| upcase');
  });

  it('${TOKEN}', () => {
    const e = one('a/${CASE_ID}/b');
    expect(e.message).toBe("${TOKEN} syntax isn't supported: write {{ CASE_ID }}.");
    expect(e.part).toBe('${CASE_ID}');
    expect(one('${FOO}').message).toBe("${TOKEN} syntax isn't supported: variables are written {{ NAME }}.");
  });

  it('unclosed {{', () => {
    const e = one('a/{{ CASE_ID');
    expect(e.message).toBe('Unclosed {{: close the variable with }}.');
    expect(e.part).toBe('{{ CASE_ID');
    const [first] = errorsOf('{{ CASE_ID/{{ FILENAME }}');
    expect(first.message).toBe('Unclosed {{: close the variable with }}.');
    expect([first.start, first.end]).toEqual([0, 11]);
  });

  it('unmatched }}', () => {
    const e = one('CASE_ID }}/x');
    expect(e.message).toBe('Unmatched }}: a variable starts with {{.');
    expect([e.start, e.end]).toEqual([8, 10]);
  });

  it('single braces', () => {
    const e = one('a/{ CASE_ID }/b');
    expect(e.message).toBe('Single braces: a variable takes double braces, {{ CASE_ID }}.');
    expect(e.part).toBe('{ CASE_ID }');
    const lone = one('a{b');
    expect(lone.message).toBe('Unbalanced {: braces are only allowed around variables, {{ NAME }}.');
    expect([lone.start, lone.end]).toEqual([1, 2]);
    expect(one('a}b').message).toBe('Unbalanced }: braces are only allowed around variables, {{ NAME }}.');
  });

  it('braces inside a variable', () => {
    const errors = errorsOf('{{{ CASE_ID }}}');
    expect(errors.map((e) => e.message)).toEqual([
      'Unbalanced braces: a variable is written {{ NAME }}.',
      'Unbalanced }: braces are only allowed around variables, {{ NAME }}.',
    ]);
  });

  it('empty variable and non-identifiers', () => {
    expect(one('{{ }}').message).toBe('Empty variable: write a name between the braces, e.g. {{ CASE_ID }}.');
    const e = one('{{ CASE_ID FILENAME }}');
    expect(e.message).toBe('"CASE_ID FILENAME" is not a variable name: templates only take plain variables like {{ CASE_ID }}.');
    expect(e.part).toBe('CASE_ID FILENAME');
  });

  it.each([
    ['/abs/{{ CASE_ID }}', 'The path must be relative: remove the leading /.', '/'],
    ['\\abs\\{{ CASE_ID }}', 'The path must be relative: remove the leading \\.', '\\'],
    ['//server/share/{{ CASE_ID }}', 'The path must be relative: remove the leading // (a network path).', '//'],
    ['\\\\server\\share', 'The path must be relative: remove the leading \\\\ (a network path).', '\\\\'],
    ['C:/x/{{ CASE_ID }}', 'The path must be relative: remove the drive C: at the start.', 'C:'],
    ['c:{{ CASE_ID }}', 'The path must be relative: remove the drive c: at the start.', 'c:'],
    ['D:\\x', 'The path must be relative: remove the drive D: at the start.', 'D:'],
    ['C:', 'The path must be relative: remove the drive C: at the start.', 'C:'],
    ['  /x', 'The path must be relative: remove the leading /.', '/'],
  ])('absolute path %j', (text, message, part) => {
    const e = one(text);
    expect(e.message).toBe(message);
    expect(e.part).toBe(part);
  });

  it.each([
    ['../{{ CASE_ID }}', 0],
    ['a/../b', 2],
    ['a\\..\\b', 2],
    ['a/..', 2],
    ['{{ CASE_ID }}/ .. /x', 15],
  ])('a .. segment in the literal text: %j', (text, start) => {
    const e = one(text);
    expect(e.message).toBe("'..' (the parent folder) isn't allowed in the path.");
    expect([e.start, e.end]).toEqual([start, start + 2]);
  });

  it('a .. next to a variable is not a segment of its own (sanitised instead)', () => {
    expect(parsePathTemplate('{{ CASE_ID }}../x').ok).toBe(true);
  });

  it('collects all errors, in text order', () => {
    const text = '/{{ CASE_EXTERNALID }}/{{ case_id }}/{% x %}/{{ CASE_ID | f }}/${X}/../{{ Y';
    const errors = errorsOf(text);
    expect(errors.map((e) => text.slice(e.start, e.end))).toEqual([
      '/',
      'CASE_EXTERNALID',
      'case_id',
      '{% x %}',
      '| f',
      '${X}',
      '..',
      '{{ Y',
    ]);
    for (let i = 1; i < errors.length; i++) expect(errors[i].start).toBeGreaterThanOrEqual(errors[i - 1].start);
  });
});

describe('renderPathTemplate', () => {
  it('null or empty template: FILENAME at the root', () => {
    expect(renderPathTemplate(null, ctx())).toBe('000000EXT-42_Chest study-Batch 2_2.PDF');
    expect(render('')).toBe('000000EXT-42_Chest study-Batch 2_2.PDF');
  });

  it('makes folders with /', () => {
    expect(render('{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/{{ FILENAME }}')).toBe(
      'Batch 2/EXT-42/000000EXT-42_Chest study-Batch 2_2.PDF',
    );
  });

  it('appends FILENAME to a template ending in /', () => {
    expect(render('{{ CASE_ID }}/')).toBe('case-db-1/000000EXT-42_Chest study-Batch 2_2.PDF');
    expect(render('{{ CASE_ID }}\\')).toBe('case-db-1/000000EXT-42_Chest study-Batch 2_2.PDF');
  });

  it('appends FILENAME when the last segment renders empty', () => {
    const c = aCase({ files: [file('noext')] });
    expect(render('{{ CASE_ID }}/{{ FILE_EXT }}', ctx({ case: c, fileIndex: 0 }))).toBe(
      'case-db-1/000000EXT-42_Chest study-Batch 2_1',
    );
    expect(render('{{ CASE_ID }}/ ', ctx())).toBe('case-db-1/000000EXT-42_Chest study-Batch 2_2.PDF');
  });

  it('uses FILENAME when the whole result is empty', () => {
    const c = aCase({ files: [file('')] });
    expect(render('{{ ORIGINAL_FILENAME }}', ctx({ case: c, fileIndex: 0 }))).toBe('000000EXT-42_Chest study-Batch 2_1');
  });

  it('replaces / and \\ in values: they never make folders', () => {
    const c = aCase({ externalId: 'a/b\\c', files: [file('../../etc/passwd')] });
    expect(render('{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}', ctx({ case: c, fileIndex: 0 }))).toBe(
      'a_b_c/.._.._etc_passwd',
    );
  });

  it('a value of .. is sanitised, not a parent folder', () => {
    const c = aCase({ externalId: '..' });
    expect(render('{{ CASE_EXTERNAL_ID }}/x', ctx({ case: c }))).toBe('_/x');
  });

  it('treats a literal \\ as /', () => {
    expect(render('a\\b\\{{ CASE_ID }}')).toBe('a/b/case-db-1');
  });

  it('drops empty and literal . segments', () => {
    expect(render('./a//b/./{{ CASE_ID }}')).toBe('a/b/case-db-1');
  });

  it('sanitises each segment: invalid characters, trailing dots, reserved names', () => {
    expect(render('a:b*/CON/x. /{{ CASE_ID }}.txt')).toBe('a_b_/CON_/x/case-db-1.txt');
    const c = aCase({ externalId: 'nul' });
    expect(render('{{ CASE_EXTERNAL_ID }}/f', ctx({ case: c }))).toBe('nul_/f');
  });

  it('keeps each segment within 255 bytes, keeping the extension', () => {
    const c = aCase({ files: [file(`${'日'.repeat(200)}.jpeg`)] });
    const out = render('x/{{ ORIGINAL_FILENAME }}', ctx({ case: c, fileIndex: 0 }));
    const last = out.split('/')[1];
    expect(new TextEncoder().encode(last).length).toBeLessThanOrEqual(255);
    expect(last.endsWith('.jpeg')).toBe(true);
  });
});
