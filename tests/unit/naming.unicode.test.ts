/** Issue 14, "Names": NFKC before the character rules, full case folding, reserved export names. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PathDeduper, caseFold, pathKey, sanitizeSegment, sanitizeValue } from '../../lib/naming';
import { RESERVED_EXPORT_NAMES, REPORT_NAME, ANNOTATIONS_NAME, CHECKSUMS_NAME } from '../../lib/reservedNames';
import { planCaseFiles } from '../../lib/caseFilesPlan';
import { parsePathTemplate, renderPathTemplate } from '../../lib/pathTemplate';
import type { Case } from '../../lib/platform';

const LOOKALIKES = ['／', '＼', '：', '∕', '⁄', '∖', '⧵', '⧸', '⧹', '﹨', '﹕', '︓', '╱', '╲', '∶', '꞉'];

describe('NFKC before the character rules', () => {
  it.each(LOOKALIKES)('%s never survives as (or becomes) a separator', (ch) => {
    expect(sanitizeSegment(`a${ch}b`)).toBe('a_b');
    // A value can't make folders; colons are the segment's rule.
    expect(sanitizeValue(`a${ch}b`)).toMatch(/^a[_:]b$/);
    expect(sanitizeSegment(sanitizeValue(`a${ch}b`))).toBe('a_b');
  });
  it('compatibility forms are judged as what they stand for', () => {
    expect(sanitizeSegment('ＣＯＮ.txt')).toBe('CON_.txt');
    expect(sanitizeSegment('‥')).toBe('_'); // two-dot leader is `..`
    expect(sanitizeSegment('ﬁle？.txt')).toBe('file_.txt');
    expect(sanitizeSegment('report．')).toBe('report'); // full-width full stop, trailing
    expect(sanitizeSegment('Ａ＜Ｂ＞')).toBe('A_B_');
  });
  it('a value with full-width separators makes no folder in the rendered path', () => {
    const parsed = parsePathTemplate('{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}');
    if (!parsed.ok) throw new Error('template');
    const c: Case = {
      id: 'c1', shortId: 'S1', externalId: '..／..／etc', entityExternalId: null, orderId: null, metadata: {},
      files: [{ uuid: 'f1', originalFilename: 'x∕y＼z.png', contentType: 'image/png', size: 1, createdAt: '2025-01-01T00:00:00Z' }],
    };
    const path = renderPathTemplate(parsed.template, { workflow: { id: 'w', name: 'W' }, order: null, case: c, file: c.files[0], fileIndex: 0 });
    expect(path).toBe('.._.._etc/x_y_z.png');
    expect(path.split('/')).toHaveLength(2);
  });
  it('property: a sanitised segment is NFKC-stable and holds no separator or look-alike', () => {
    const ch = fc.constantFrom(...LOOKALIKES, '/', '\\', ':', 'a', '.', ' ', 'ß', 'ﬁ', '\u3000', '\u00a0', '‥');
    fc.assert(
      fc.property(fc.array(fc.oneof(ch, fc.string({ unit: 'grapheme', maxLength: 2 })), { maxLength: 12 }), (parts) => {
        const out = sanitizeSegment(parts.join(''));
        expect(out.normalize('NFKC')).toBe(out);
        for (const l of [...LOOKALIKES, '/', '\\', ':']) expect(out.includes(l)).toBe(false);
        expect(out === '.' || out === '..').toBe(false);
      }),
    );
  });
});

describe('caseFold (full case folding for the collision key)', () => {
  it.each([
    ['ΟΔΟΣ', 'οδος'],
    ['ΟΔΟΣ', 'οδοσ'],
    ['ß', 'SS'],
    ['Straße.txt', 'STRASSE.TXT'],
    ['ẞ', 'ss'],
    ['ﬁle', 'FILE'],
    ['ＡＢＣ', 'abc'],
    ['CAF\u00c9', 'cafe\u0301'],
    ['ΐ', 'Ϊ́'],
    ['ǅ', 'dž'],
    ['K', 'k'], // Kelvin sign
    ['Å', 'å'], // Ångström sign
  ])('%s and %s fold alike', (a, b) => {
    expect(caseFold(a)).toBe(caseFold(b));
  });
  it.each([
    ['a', 'b'],
    ['straße', 'strase'],
    ['σ', 'ο'],
  ])('%s and %s stay apart', (a, b) => {
    expect(caseFold(a)).not.toBe(caseFold(b));
  });
  const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom('ß', 'ẞ', 'Σ', 'σ', 'ς', 'ΐ', 'İ', 'ı', 'ﬁ', 'ǅ', 'K', 'Ａ', ' ', 'a', 'A', '\u0301') }));
  it('property: fold(fold(x)) = fold(x)', () => {
    fc.assert(
      fc.property(text, (x) => {
        expect(caseFold(caseFold(x))).toBe(caseFold(x));
      }),
    );
  });
  it('property: fold(upper(x)) = fold(lower(x)) = fold(x)', () => {
    fc.assert(
      fc.property(text, (x) => {
        expect(caseFold(x.toUpperCase())).toBe(caseFold(x));
        expect(caseFold(x.toLowerCase())).toBe(caseFold(x));
      }),
    );
  });
  it('every code point: folding is stable and ignores upper/lower case', () => {
    const unstable: string[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const x = String.fromCodePoint(cp);
      const f = caseFold(x);
      if (caseFold(f) !== f || caseFold(x.toUpperCase()) !== f || caseFold(x.toLowerCase()) !== f) unstable.push(`U+${cp.toString(16)}`);
    }
    expect(unstable).toEqual([]);
  });
  it('pathKey is caseFold', () => {
    expect(pathKey('A/ΟΔΟΣ/Straße')).toBe(pathKey('a/οδος/STRASSE'));
  });
  it('the deduper compares with it: names equal but for full case folding get " (2)"', () => {
    const d = new PathDeduper();
    expect(d.claim('ΟΔΟΣ.txt')).toBe('ΟΔΟΣ.txt');
    expect(d.claim('οδος.txt')).toBe('οδος (2).txt');
    expect(d.claim('Straße/a.png')).toBe('Straße/a.png');
    expect(d.claim('STRASSE/b.png')).toBe('Straße/b.png'); // one folder, first spelling
  });
});

describe('reserved export names', () => {
  it('lists every name an export adds', () => {
    expect([...RESERVED_EXPORT_NAMES].sort()).toEqual(['SHA256SUMS', 'annotations.coco.json', 'annotations.json', 'classes.txt', 'data.yaml', 'export-report.csv']);
  });
  it.each(RESERVED_EXPORT_NAMES)('a user file named %s (in any case) gets " (2)"', (name) => {
    const d = new PathDeduper();
    expect(d.claim(name)).not.toBe(name);
    expect(new PathDeduper().claim(name.toUpperCase())).not.toBe(name.toUpperCase());
    expect(d.claim(`sub/${name}`)).toBe(`sub/${name}`); // reserved at the root only
  });
  it('Export-Report.csv from the user becomes Export-Report (2).csv; ours keeps its name', () => {
    const d = new PathDeduper();
    expect(d.claim('Export-Report.csv')).toBe('Export-Report (2).csv');
    expect(pathKey(REPORT_NAME)).not.toBe(pathKey('Export-Report (2).csv'));
    expect(d.claim('annotations.json')).toBe('annotations (2).json');
    expect(d.claim('ANNOTATIONS.JSON')).toBe('ANNOTATIONS (3).JSON');
    expect(pathKey(ANNOTATIONS_NAME)).toBe('annotations.json');
  });
  it('a user folder on a reserved name is renamed', () => {
    expect(new PathDeduper().claim(`${CHECKSUMS_NAME}/x.png`)).toBe(`${CHECKSUMS_NAME} (2)/x.png`);
  });
  it('an empty reserved list reserves nothing', () => {
    expect(new PathDeduper([]).claim(REPORT_NAME)).toBe(REPORT_NAME);
  });
  it('the case-files plan (and its preview) reserves them before the first file', () => {
    const parsed = parsePathTemplate('{{ ORIGINAL_FILENAME }}');
    if (!parsed.ok) throw new Error('template');
    const c: Case = {
      id: 'c1', shortId: 'S1', externalId: null, entityExternalId: null, orderId: null, metadata: {},
      files: ['Export-Report.csv', 'export-report.csv', 'SHA256SUMS'].map((n, i) => ({ uuid: `f${i}`, originalFilename: n, contentType: 'text/plain', size: 1, createdAt: '2025-01-01T00:00:00Z' })),
    };
    const paths = [...planCaseFiles(parsed.template, { id: 'w', name: 'W' }, null, [c])].map((p) => p.path);
    expect(paths).toEqual(['Export-Report (2).csv', 'export-report (3).csv', 'SHA256SUMS (2)']);
  });
});
