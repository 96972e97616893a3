import { describe, expect, it } from 'vitest';
import {
  annotatedCaseFilesArchiveName,
  avoidReservedName,
  caseFilesArchiveName,
  defaultCaseFileName,
  executionArchiveFileName,
  executionArchiveName,
  formatExecutionDateTime,
  isReservedName,
  limitFileNameBytes,
  limitSegmentBytes,
  MAX_DOWNLOAD_NAME_BYTES,
  PathDeduper,
  pathKey,
  resultsCsvName,
  sanitizeSegment,
  sanitizeValue,
  splitExtension,
  stepFileName,
  stepNameCounts,
  truncateUtf8,
  utf8ByteLength,
  workflowOrderName,
} from '../../lib/naming.ts';

const bytes = utf8ByteLength;
const hasLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('utf8ByteLength / truncateUtf8', () => {
  it('counts UTF-8 bytes', () => {
    expect(bytes('a')).toBe(1);
    expect(bytes('é')).toBe(2);
    expect(bytes('€')).toBe(3);
    expect(bytes('😀')).toBe(4);
  });
  it('cuts on code-point boundaries, never splitting a surrogate pair', () => {
    expect(truncateUtf8('😀😀', 7)).toBe('😀');
    expect(truncateUtf8('é'.repeat(10), 5)).toBe('éé');
    expect(truncateUtf8('abc', 0)).toBe('');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});

describe('sanitizeSegment', () => {
  it.each(['<', '>', ':', '"', '/', '\\', '|', '?', '*'])('replaces the invalid character %j with _', (ch) => {
    expect(sanitizeSegment(`a${ch}b`)).toBe('a_b');
  });

  const controls = [
    ...Array.from({ length: 0x20 }, (_, i) => i),
    0x7f,
    ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  ];
  it.each(controls.map((c) => [c.toString(16).padStart(4, '0'), c]))('replaces the control character U+%s with _', (_hex, c) => {
    expect(sanitizeSegment(`a${String.fromCharCode(c as number)}b`)).toBe('a_b');
  });

  it.each(['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])(
    'removes the bidi control %j',
    (mark) => {
      expect(sanitizeSegment(`invoice${mark}gpj.exe`)).toBe('invoicegpj.exe');
    },
  );

  it('replaces lone surrogates with _ and keeps pairs', () => {
    expect(sanitizeSegment('a\ud800b')).toBe('a_b');
    expect(sanitizeSegment('a\udc00')).toBe('a_');
    expect(sanitizeSegment('a😀')).toBe('a😀');
  });

  it('trims trailing dots and spaces, and leading and trailing whitespace', () => {
    expect(sanitizeSegment('name. . ')).toBe('name');
    expect(sanitizeSegment('name...')).toBe('name');
    expect(sanitizeSegment('  name  ')).toBe('name');
    expect(sanitizeSegment('\u00a0name\t')).toBe('name_'); // tab is a control character: replaced, not trimmed
    expect(sanitizeSegment('.hidden')).toBe('.hidden');
  });

  it('turns . and .. (and any dots-only segment) into _', () => {
    expect(sanitizeSegment('.')).toBe('_');
    expect(sanitizeSegment('..')).toBe('_');
    expect(sanitizeSegment(' ... ')).toBe('_');
    expect(sanitizeSegment('. .')).toBe('_');
  });

  it('gives an empty string for empty or whitespace-only input', () => {
    expect(sanitizeSegment('')).toBe('');
    expect(sanitizeSegment('   ')).toBe('');
    expect(sanitizeSegment('\u200e')).toBe('');
  });

  it('NFC-normalises', () => {
    expect(sanitizeSegment('e\u0301')).toBe('\u00e9');
  });

  const reserved = [
    'CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$',
    ...Array.from({ length: 10 }, (_, i) => `COM${i}`),
    ...Array.from({ length: 10 }, (_, i) => `LPT${i}`),
    'COM¹', 'COM²', 'COM³', 'LPT¹', 'LPT²', 'LPT³',
  ];
  it.each(reserved)('alters the reserved name %s, in any case, with or without extension', (name) => {
    // NFKC first: the superscript forms come out as plain digits (`COM¹` → `COM1_`).
    const n = name.normalize('NFKC');
    expect(isReservedName(name)).toBe(true);
    expect(sanitizeSegment(name)).toBe(`${n}_`);
    expect(sanitizeSegment(name.toLowerCase())).toBe(`${n.toLowerCase()}_`);
    expect(sanitizeSegment(`${name}.txt`)).toBe(`${n}_.txt`);
    expect(sanitizeSegment(`${name}.tar.gz`)).toBe(`${n}_.tar.gz`);
    expect(sanitizeSegment(`${name} .txt`)).toBe(`${n}_ .txt`);
    expect(isReservedName(sanitizeSegment(name))).toBe(false);
  });

  it.each(['CONSOLE', 'COM10', 'NULL.txt', 'LPT', 'xCON', 'CON-1.txt', 'AUX_'])('leaves the ordinary name %s alone', (name) => {
    expect(isReservedName(name)).toBe(false);
    expect(sanitizeSegment(name)).toBe(name);
  });

  it('avoidReservedName appends _ to the stem', () => {
    expect(avoidReservedName('NUL.txt')).toBe('NUL_.txt');
    expect(avoidReservedName('con')).toBe('con_');
  });

  it('cuts to 255 UTF-8 bytes keeping the extension (2-byte characters)', () => {
    const out = sanitizeSegment(`${'é'.repeat(200)}.jpg`);
    expect(bytes(out)).toBeLessThanOrEqual(255);
    expect(out).toBe(`${'é'.repeat(125)}.jpg`);
  });

  it('cuts to 255 UTF-8 bytes keeping the extension, never splitting a surrogate pair', () => {
    const out = sanitizeSegment(`${'😀'.repeat(100)}.png`);
    expect(out).toBe(`${'😀'.repeat(62)}.png`);
    expect(hasLoneSurrogate(out)).toBe(false);
    const mixed = sanitizeSegment(`a${'😀'.repeat(100)}.png`);
    expect(bytes(mixed)).toBeLessThanOrEqual(255);
    expect(mixed.endsWith('.png')).toBe(true);
    expect(hasLoneSurrogate(mixed)).toBe(false);
  });

  it('cuts a name without extension from its end, trimming a trailing dot or space at the cut', () => {
    const out = sanitizeSegment(`${'a'.repeat(254)} b`);
    expect(out).toBe('a'.repeat(254));
    expect(bytes(sanitizeSegment('x'.repeat(1000)))).toBe(255);
  });

  it('does not keep an "extension" too long to be one', () => {
    const out = sanitizeSegment(`a.${'b'.repeat(400)}`);
    expect(bytes(out)).toBe(255);
    expect(out.startsWith('a.bbb')).toBe(true);
  });

  it('is idempotent', () => {
    for (const s of ['CON', '..', ' a. ', `${'é'.repeat(200)}.jpg`, 'a<b>', 'NUL.txt', `a.${'b'.repeat(400)}`]) {
      const once = sanitizeSegment(s);
      expect(sanitizeSegment(once)).toBe(once);
    }
  });

  it('limitSegmentBytes leaves short names alone', () => {
    expect(limitSegmentBytes('a.jpg')).toBe('a.jpg');
  });
});

describe('sanitizeValue', () => {
  it('replaces / and \\ so a value cannot make folders', () => {
    expect(sanitizeValue('a/b\\c')).toBe('a_b_c');
    expect(sanitizeValue('../..')).toBe('.._..');
    expect(sanitizeValue('plain')).toBe('plain');
  });
});

describe('splitExtension', () => {
  it.each([
    ['photo.jpg', 'photo', '.jpg'],
    ['archive.tar.gz', 'archive.tar', '.gz'],
    ['.hidden', '.hidden', ''],
    ['a.', 'a.', ''],
    ['noext', 'noext', ''],
    ['', '', ''],
    ['Dr. Smith notes', 'Dr. Smith notes', ''],
    ['dir.x/file', 'dir.x/file', ''],
    ['..jpg', '.', '.jpg'],
  ])('%j → stem %j, ext %j', (name, stem, ext) => {
    expect(splitExtension(name)).toEqual({ stem, ext });
  });
});

describe('workflowOrderName', () => {
  it('is the workflow name, followed by -<order name> when an order is selected', () => {
    expect(workflowOrderName({ name: 'WF' }, null)).toBe('WF');
    expect(workflowOrderName({ name: 'WF' }, { name: 'Batch 1' })).toBe('WF-Batch 1');
    expect(workflowOrderName({ name: 'WF' }, { name: ' ' })).toBe('WF');
  });
});

describe('limitFileNameBytes', () => {
  it('shortens only the stem', () => {
    expect(limitFileNameBytes('abcdef', '.zip', 8)).toBe('abcd.zip');
    expect(limitFileNameBytes('ab', '.zip', 8)).toBe('ab.zip');
    expect(limitFileNameBytes('é'.repeat(10), '.zip', 9)).toBe('éé.zip');
  });
  it('never cuts the suffix', () => {
    expect(limitFileNameBytes('abc', '_very-long-suffix.zip', 5)).toBe('_very-long-suffix.zip');
  });
  it('defaults to 200 bytes', () => {
    expect(bytes(limitFileNameBytes('a'.repeat(500), '.csv'))).toBe(200);
  });
});

describe('download names', () => {
  const wf = { name: 'Chest study' };
  const order = { name: 'Batch 2' };

  it('caseFilesArchiveName', () => {
    expect(caseFilesArchiveName(wf, null)).toBe('Chest study_case-files.zip');
    expect(caseFilesArchiveName(wf, order)).toBe('Chest study-Batch 2_case-files.zip');
  });
  it('annotatedCaseFilesArchiveName', () => {
    expect(annotatedCaseFilesArchiveName(wf, order)).toBe('Chest study-Batch 2_annotated-case-files.zip');
  });
  it('resultsCsvName', () => {
    expect(resultsCsvName(wf, null)).toBe('Chest study_results.csv');
    expect(resultsCsvName(wf, order)).toBe('Chest study-Batch 2_results.csv');
  });

  it.each([
    ['caseFilesArchiveName', caseFilesArchiveName, '_case-files.zip'],
    ['annotatedCaseFilesArchiveName', annotatedCaseFilesArchiveName, '_annotated-case-files.zip'],
    ['resultsCsvName', resultsCsvName, '_results.csv'],
  ] as const)('%s stays within 200 bytes, shortening only the workflow/order part', (_n, fn, suffix) => {
    const long = { name: '日本語'.repeat(100) };
    const longOrder = { name: 'Ordér'.repeat(80) };
    for (const [w, o] of [
      [long, null],
      [long, order],
      [wf, longOrder],
      [long, longOrder],
    ] as const) {
      const name = fn(w, o);
      expect(bytes(name)).toBeLessThanOrEqual(MAX_DOWNLOAD_NAME_BYTES);
      expect(name.endsWith(suffix)).toBe(true);
      expect(hasLoneSurrogate(name)).toBe(false);
    }
    // a short part is kept whole; both parts stay visible
    expect(fn(long, order)).toContain('-Batch 2' + suffix);
    expect(fn(wf, longOrder).startsWith('Chest study-Ordér')).toBe(true);
    const both = fn(long, longOrder);
    expect(both.startsWith('日本語')).toBe(true);
    expect(both).toContain('-Ordér');
  });

  it('sanitises download names (invalid characters, separators, leading dots, format characters)', () => {
    expect(caseFilesArchiveName({ name: 'a/b:c*' }, { name: 'x\\y' })).toBe('a_b_c_-x_y_case-files.zip');
    expect(resultsCsvName({ name: '..hidden' }, null)).toBe('hidden_results.csv');
    expect(resultsCsvName({ name: 'a\u200db\u202e' }, null)).toBe('ab_results.csv');
    expect(resultsCsvName({ name: '   ' }, null)).toBe('workflow_results.csv');
    expect(resultsCsvName({ name: 'CON' }, null)).toBe('CON_results.csv');
  });
});

describe('executionArchiveName', () => {
  it('formats the start in UTC as YYYY-MM-DD_HH-mm-ss', () => {
    expect(formatExecutionDateTime('2024-03-05T07:08:09.999Z')).toBe('2024-03-05_07-08-09');
    expect(formatExecutionDateTime('2024-03-05T01:08:09+02:00')).toBe('2024-03-04_23-08-09');
    expect(formatExecutionDateTime('2024-12-31T23:59:59')).toBe('2024-12-31_23-59-59'); // zoneless = UTC
    expect(formatExecutionDateTime(new Date(Date.UTC(2023, 0, 2, 3, 4, 5)))).toBe('2023-01-02_03-04-05');
    expect(formatExecutionDateTime('garbage')).toBe('garbage');
  });

  it('is <workflow_name>_<datetime>_<execution_id>, with .zip in the file name', () => {
    expect(executionArchiveName('Nightly run', '2024-03-05T07:08:09Z', 'ex_42')).toBe('Nightly run_2024-03-05_07-08-09_ex_42');
    expect(executionArchiveFileName('Nightly run', '2024-03-05T07:08:09Z', 'ex_42')).toBe(
      'Nightly run_2024-03-05_07-08-09_ex_42.zip',
    );
  });

  it('sanitises the parts', () => {
    expect(executionArchiveName('a/b:c', '2024-03-05T07:08:09Z', 'id/1')).toBe('a_b_c_2024-03-05_07-08-09_id_1');
  });

  it('stays within 200 bytes with .zip, never cutting the datetime or the id', () => {
    const id = '0f8e4c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b';
    const name = executionArchiveFileName('Wörkflow 😀 '.repeat(40), '2024-03-05T07:08:09Z', id);
    expect(bytes(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith(`_2024-03-05_07-08-09_${id}.zip`)).toBe(true);
    expect(hasLoneSurrogate(name)).toBe(false);
  });

  it('cuts an absurdly long id only as a last resort', () => {
    const name = executionArchiveFileName('wf', '2024-03-05T07:08:09Z', 'x'.repeat(500));
    expect(bytes(name)).toBeLessThanOrEqual(200);
    expect(name).toContain('2024-03-05_07-08-09');
  });
});

describe('stepFileName', () => {
  const steps = [
    { name: 'Load', status: 'success', iteration: 1 },
    { name: 'ProcessData', status: 'success', iteration: 1 },
    { name: 'ProcessData', status: 'failed', iteration: 2 },
  ];
  it('is <step_name>_<status>.md for a step name that occurs once', () => {
    expect(stepFileName(steps[0], steps, '.md')).toBe('Load_success.md');
    expect(stepFileName(steps[0], steps, 'html')).toBe('Load_success.html');
  });
  it('adds the iteration for every run of a repeated step name', () => {
    expect(stepFileName(steps[1], steps, '.md')).toBe('ProcessData_1_success.md');
    expect(stepFileName(steps[2], steps, '.md')).toBe('ProcessData_2_failed.md');
  });
  it('accepts precomputed name counts', () => {
    const counts = stepNameCounts(steps);
    expect(counts.get('ProcessData')).toBe(2);
    expect(stepFileName(steps[2], counts, '.md')).toBe('ProcessData_2_failed.md');
  });
  it('sanitises as in 1b and stays within 255 bytes keeping the suffix', () => {
    expect(stepFileName({ name: 'a/b?', status: 'success', iteration: 1 }, [], '.md')).toBe('a_b__success.md');
    const long = stepFileName({ name: 'é'.repeat(300), status: 'failed', iteration: 3 }, new Map([['é'.repeat(300), 2]]), '.html');
    expect(bytes(long)).toBeLessThanOrEqual(255);
    expect(long.endsWith('_3_failed.html')).toBe(true);
  });
});

describe('defaultCaseFileName', () => {
  it('is <padded id>_<workflow[-order]-name>_<count><ext>', () => {
    expect(defaultCaseFileName('000000000042', { name: 'WF' }, null, 3, '.jpg')).toBe('000000000042_WF_3.jpg');
    expect(defaultCaseFileName('000000000042', { name: 'WF' }, { name: 'O' }, 3, '')).toBe('000000000042_WF-O_3');
  });
  it('shortens only the workflow/order part to 255 bytes', () => {
    const name = defaultCaseFileName('000000000042', { name: 'ü'.repeat(300) }, { name: 'o' }, 17, '.jpeg');
    expect(bytes(name)).toBeLessThanOrEqual(255);
    expect(name.startsWith('000000000042_ü')).toBe(true);
    expect(name.endsWith('-o_17.jpeg')).toBe(true);
  });
});

describe('PathDeduper', () => {
  it('gives the later of two files on one path " (2)", " (3)"… before the extension', () => {
    const d = new PathDeduper();
    expect(d.claim('a/photo.jpg')).toBe('a/photo.jpg');
    expect(d.claim('a/photo.jpg')).toBe('a/photo (2).jpg');
    expect(d.claim('a/photo.jpg')).toBe('a/photo (3).jpg');
    expect(d.claim('b/photo.jpg')).toBe('b/photo.jpg');
  });
  it('compares case-insensitively', () => {
    const d = new PathDeduper();
    expect(d.claim('Photo.JPG')).toBe('Photo.JPG');
    expect(d.claim('photo.jpg')).toBe('photo (2).jpg');
    expect(d.claim('PHOTO.jpg')).toBe('PHOTO (3).jpg');
  });
  it('compares NFC-normalised (é composed or not)', () => {
    const d = new PathDeduper();
    d.claim('caf\u00e9.txt');
    expect(d.claim('cafe\u0301.txt')).toBe('cafe\u0301 (2).txt');
    expect(pathKey('CAF\u00c9')).toBe(pathKey('cafe\u0301'));
  });
  it('puts the counter at the end of a name without extension', () => {
    const d = new PathDeduper();
    d.claim('README');
    d.claim('.hidden');
    expect(d.claim('readme')).toBe('readme (2)');
    expect(d.claim('.hidden')).toBe('.hidden (2)');
  });
  it('never reuses a name taken by an earlier file, deduped or not', () => {
    const d = new PathDeduper();
    expect(d.claim('a.txt')).toBe('a.txt');
    expect(d.claim('a (2).txt')).toBe('a (2).txt');
    expect(d.claim('a.txt')).toBe('a (3).txt');
    expect(d.claim('a (3).txt')).toBe('a (3) (2).txt');
  });
  it('renames a folder whose path is already a file (file a, then a/b)', () => {
    const d = new PathDeduper();
    expect(d.claim('a')).toBe('a');
    expect(d.claim('a/b')).toBe('a (2)/b');
    expect(d.claim('A/c')).toBe('a (2)/c');
  });
  it('renames a file whose path is already a folder (a/b, then a)', () => {
    const d = new PathDeduper();
    expect(d.claim('a/b')).toBe('a/b');
    expect(d.claim('A')).toBe('A (2)');
  });
  it('keeps the first spelling of a folder that differs only in case', () => {
    const d = new PathDeduper();
    expect(d.claim('Case/x.jpg')).toBe('Case/x.jpg');
    expect(d.claim('CASE/y.jpg')).toBe('Case/y.jpg');
    expect(d.claim('case/X.JPG')).toBe('Case/X (2).JPG');
  });
  it('keeps every segment within 255 bytes when adding a counter', () => {
    const d = new PathDeduper();
    const name = `${'é'.repeat(125)}.jpg`;
    expect(bytes(name)).toBe(254);
    d.claim(name);
    const second = d.claim(name);
    expect(bytes(second)).toBeLessThanOrEqual(255);
    expect(second.endsWith(' (2).jpg')).toBe(true);
  });
  it('handles many duplicates quickly', () => {
    const d = new PathDeduper();
    let last = '';
    for (let i = 0; i < 5000; i++) last = d.claim('same.txt');
    expect(last).toBe('same (5000).txt');
  });
});
