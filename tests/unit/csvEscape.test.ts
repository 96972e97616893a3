import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import Papa from 'papaparse';
import { CSV_NEWLINE, csvCell, csvCellText, csvRecord, csvRecords, escapeFormula, runsAsFormula, type CsvValue } from '../../lib/csvEscape';
import { reportCsv } from '../../workers/caseFiles';
import { toolOutput } from '../../scripts/tools';
import { executionReportCsv } from '../../workers/execution';

const TRIGGERS = ['=', '+', '-', '@'];
/** Leading characters a spreadsheet may skip before it looks for a formula. */
const INVISIBLE = [' ', '\u00a0', '\u3000', '\u2000', '\u2005', '\u200a', '\u202f', '\u205f', '\u1680', '\ufeff', '\u200b', '\u200e', '\u2028', '\u0085', '\u000b', '\u000c', '\u0001'];

describe('escapeFormula (OWASP: prefix a quote)', () => {
  it.each(['=SUM(A1)', '+49 30', '-5 mm', '@reader', '\tleading tab', '\rleading CR', '\nleading LF', '\t', "=cmd|' /C calc'!A0"])('escapes %j', (text) => {
    expect(escapeFormula(text)).toBe(`'${text}`);
  });
  it.each(INVISIBLE)('escapes a trigger after leading U+%s', (space) => {
    for (const t of TRIGGERS) expect(escapeFormula(`${space}${space}${t}cmd`)).toBe(`'${space}${space}${t}cmd`);
  });
  it.each(['＝1+1', '＋1', '－1', '＠x', '﹦1', '\u3000＝1'])('escapes full-width and small forms of the triggers: %j', (text) => {
    expect(escapeFormula(text)).toBe(`'${text}`);
  });
  it('escapes any text holding a NUL', () => {
    expect(escapeFormula('\u0000=cmd')).toBe("'\u0000=cmd");
    expect(escapeFormula('ab\u0000c')).toBe("'ab\u0000c");
  });
  it.each(['plain', '', ' ', '\u3000', 'a=b', '5-3', "'quoted", ' a =b', 'x;=cmd', '−3 (U+2212)', '€5'])('leaves %j alone', (text) => {
    expect(escapeFormula(text)).toBe(text);
  });
  it('property: no escaped text starts, after any invisible run, with a trigger', () => {
    const lead = fc.array(fc.constantFrom(...INVISIBLE, '\t', '\r', '\n', '\u0000'), { maxLength: 3 });
    fc.assert(
      fc.property(lead, fc.constantFrom(...TRIGGERS, 'a', '1'), fc.string(), (l, t, rest) => {
        const out = escapeFormula(l.join('') + t + rest);
        expect(/^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@]/u.test(out)).toBe(false);
        expect(runsAsFormula(out)).toBe(out.includes('\u0000'));
      }),
    );
  });
  it('property: it only ever adds one leading quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect([s, `'${s}`]).toContain(escapeFormula(s));
      }),
    );
  });
});

describe('csvCellText and csvCell', () => {
  it('numbers and booleans are values, never escaped; null and undefined are empty', () => {
    expect(csvCellText(-3)).toBe('-3');
    expect(csvCellText(12.5)).toBe('12.5');
    expect(csvCellText(1e21)).toBe('1e+21');
    expect(csvCellText(Number.NaN)).toBe('');
    expect(csvCellText(Number.POSITIVE_INFINITY)).toBe('');
    expect(csvCellText(true)).toBe('true');
    expect(csvCellText(null)).toBe('');
    expect(csvCellText(undefined)).toBe('');
  });
  it('text is guarded; NUL becomes U+FFFD', () => {
    expect(csvCellText('-3')).toBe("'-3");
    expect(csvCellText('a\u0000b')).toBe("'a\uFFFDb");
  });
  it('every cell is quoted, embedded quotes doubled', () => {
    expect(csvCell('')).toBe('""');
    expect(csvCell(null)).toBe('""');
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell(7)).toBe('"7"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x;=cmd|\' /C calc\'!A0')).toBe('"x;\'=cmd|\' /C calc\'!A0"');
    expect(csvCell(' edge ')).toBe('" edge "');
  });
  it('a record is comma-separated and ends in CRLF', () => {
    expect(csvRecord(['a', 1, null, '=x'])).toBe(`"a","1","","'=x"${CSV_NEWLINE}`);
    expect(csvRecords([['a'], ['b']])).toBe('"a"\r\n"b"\r\n');
    expect(csvRecords([])).toBe('');
  });
});

/**
 * A naive `;` splitter (what a `;`-locale spreadsheet does): `"` toggles quoting anywhere; `;` or a
 * line break outside quotes ends a field.
 */
function naiveSplit(text: string, separator: string): { text: string; startsQuoted: boolean }[] {
  const fields: { text: string; startsQuoted: boolean }[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || (!inQuotes && (text[i] === separator || text[i] === '\r' || text[i] === '\n'))) {
      const field = text.slice(start, i);
      fields.push({ text: field, startsQuoted: field.replace(/^[\s\p{Cc}\p{Cf}\p{Z}]*/u, '').startsWith('"') });
      start = i + 1;
    } else if (text[i] === '"') inQuotes = !inQuotes;
  }
  return fields;
}

const cellValue: fc.Arbitrary<CsvValue> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('=', '+', '-', '@', ';', ',', '"', "'", '\t', '\r', '\n', ' ', '\u00a0', '\u3000', '\u0000', 'x', '1') }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const rowsOf = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(cellValue, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 5 }));

describe('the written CSV, read back', () => {
  it('property: csv-parse (`,`) gives back every value, minus the guard quote, NUL as U+FFFD', () => {
    fc.assert(
      fc.property(rowsOf, (rows) => {
        const back = parse(csvRecords(rows), { relax_quotes: false, relax_column_count: false }) as string[][];
        expect(back).toEqual(rows.map((r) => r.map(csvCellText)));
        back.forEach((r, i) =>
          r.forEach((cell, j) => {
            const v = rows[i][j];
            const original = v === null ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
            // The guards only ever insert `'`: without them, the value comes back as it was.
            expect(cell.replaceAll("'", '')).toBe(original.replace(/\u0000/g, '\uFFFD').replaceAll("'", ''));
          }),
        );
      }),
    );
  });
  it('property: papaparse reads the same cells', () => {
    fc.assert(
      fc.property(rowsOf, (rows) => {
        const back = Papa.parse<string[]>(csvRecords(rows), { delimiter: ',', newline: CSV_NEWLINE, skipEmptyLines: false }).data;
        expect(back.slice(0, rows.length)).toEqual(rows.map((r) => r.map(csvCellText)));
      }),
    );
  });
  it('property: split naively on `;` or a tab, no field outside quotes starts with a formula character', () => {
    fc.assert(
      fc.property(rowsOf, (rows) => {
        const text = csvRecords(rows);
        for (const sep of [';', '\t']) {
          for (const f of naiveSplit(text, sep)) {
            if (f.startsQuoted || f.text === '') continue;
            expect(/^[\s\p{Cc}\p{Cf}\p{Z}]*[=+\-@]/u.test(f.text), JSON.stringify(f.text)).toBe(false);
          }
        }
      }),
    );
  });
  it('the issue’s example: split on `;`, the second half stays inside quotes', () => {
    const line = csvRecord(['a', "x;=cmd|' /C calc'!A0"]).trimEnd();
    expect(naiveSplit(line, ';')).toEqual([{ text: line, startsQuoted: true }]);
  });
});

describe('every CSV we write goes through csvRecord', () => {
  it('export-report.csv of a case-files export: quoted, escaped', () => {
    const csv = reportCsv([{ path: '=evil.png', caseId: 'c1', fileUuid: 'f-1', reason: '@HTTP 500; -x', attempts: 3 }]);
    expect(csv).toBe('"path","case","file uuid","reason","attempts"\r\n"\'=evil.png","c1","f-1","\'@HTTP 500;\' -x","3"\r\n');
    expect(parse(csv)).toEqual([
      ['path', 'case', 'file uuid', 'reason', 'attempts'],
      ["'=evil.png", 'c1', 'f-1', "'@HTTP 500;' -x", '3'],
    ]);
  });
  it('export-report.csv of an execution export: quoted, escaped', () => {
    const csv = executionReportCsv([{ path: 'a.md', executionId: 'e1', stepId: 's1', stepName: ' =1+1', reason: 'cut', attempts: 2 }]);
    expect(csv).toBe('"path","execution","step id","step name","reason","attempts"\r\n"a.md","e1","s1","\' =1+1","cut","2"\r\n');
  });
  it("Python's csv splitting on ';' (quotes only at a field's start, as Excel in ';' locales) never sees a field it would run", () => {
    // Values of the characters that matter to such a reader (line breaks aside: readers differ on
    // them, and a value's line break is guarded the same way), plus the known attacks.
    const text = fc.string({ unit: fc.constantFrom('=', '+', '-', '@', ';', ',', '"', "'", '\t', ' ', '\u00a0', '\u3000', 'x', '1') });
    const rows = fc.sample(fc.array(fc.oneof(text, text, fc.integer(), fc.double()), { minLength: 1, maxLength: 6 }), { numRuns: 500, seed: 7 });
    rows.push(['a', "x;=cmd|' /C calc'!A0", 'b;\u3000+1', 'c;@SUM(A1)', 'd;"=1+1"', 'e;\t-2', "f;'=not run, already text"]);
    const script = `import csv, io, json, sys
text = sys.stdin.buffer.read().decode('utf-8')
fields = [f for row in csv.reader(io.StringIO(text, newline=''), delimiter=';') for f in row]
print(json.dumps(fields))`;
    const fields = JSON.parse(toolOutput('python3', ['-c', script], { input: csvRecords(rows) })) as string[];
    expect(fields.length).toBeGreaterThan(rows.length);
    // A negative number (never guarded: a value, spec 1a) may start a field; what follows it there
    // is our quoted cells, which such a reader keeps inside the formula's string literals.
    const number = /^[+-]?(\d|\.\d)[\d.eE+-]*(,|"|$)/;
    // Would run: its first visible character (after the invisible run a spreadsheet trims) is a trigger.
    const visible = (f: string) => f.replace(/^[\s\u0085\p{Cc}\p{Cf}\p{Z}]+/u, '');
    const runs = (f: string) => /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B]/u.test(visible(f));
    const running = fields.filter((f) => runs(f) && !number.test(visible(f)));
    expect(running).toEqual([]);
  });
});

describe('csvCell: the plain-text fast path (performance only)', () => {
  /** The full rules, without the fast path: what csvCell wrote before it. */
  const fullRules = (value: CsvValue) => `"${csvCellText(value).replace(/"/g, '""')}"`;
  const nearPlain = fc.string({
    unit: fc.constantFrom('a', 'Z', '0', ' ', '!', '#', "'", ',', '.', ':', '<', '|', '~', '\\', ']', '=', '+', '-', '@', ';', '"', '\t', '\r', '\n', '\u0000', '\u00a0', '\u200b', '\u3000', '＝', '﹣', 'é', '🫁'),
  });
  it('property: every text is written exactly as the full rules write it', () => {
    fc.assert(
      fc.property(fc.oneof(nearPlain, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        expect(csvCell(text)).toBe(fullRules(text));
      }),
      { numRuns: 5000 },
    );
  });
  it.each(['=1', '+1', '-1', '@x', ';=x', 'a;=x', ' =x', '"q"', 'a"b', '\t=x', 'x\n-y', 'a\u0000b', '＝1', '\u200b=1', 'plain', "'=1", 'a=b'])('%j as the full rules write it', (text) => {
    expect(csvCell(text)).toBe(fullRules(text));
  });
  it('a plain cell is only quoted', () => {
    expect(csvCell('d8c0ba40')).toBe('"d8c0ba40"');
    expect(csvRecord(['a', 1, null, true])).toBe('"a","1","","true"\r\n');
    expect(csvRecord([])).toBe('\r\n');
  });
});
