/**
 * Property-based tests of the path-template engine: whatever the template (valid) and whatever the
 * names (hostile), every path of an export is safe to unzip on Windows, macOS and Linux, and no two
 * paths collide.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Case, CaseFile, Order } from '../../lib/platform.ts';
import { planCaseFiles } from '../../lib/caseFilesPlan.ts';
import { sanitizeSegment } from '../../lib/naming.ts';
import { parsePathTemplate, TEMPLATE_VARIABLES, type PathTemplate } from '../../lib/pathTemplate.ts';

const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Independent checks (not reusing the implementation's regexes)
// ---------------------------------------------------------------------------------------------

const INVALID = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const RESERVED = new Set([
  'con', 'prn', 'aux', 'nul', 'conin$', 'conout$',
  ...[...'0123456789¹²³'].flatMap((d) => [`com${d}`, `lpt${d}`]),
]);
const isReserved = (segment: string) => RESERVED.has(segment.split('.')[0].trimEnd().toLowerCase());
const key = (p: string) => p.normalize('NFC').toLowerCase().normalize('NFC');

/** Every rule of spec 1b on the paths of one export. */
function checkExport(paths: string[]): void {
  const files = new Set<string>();
  const folders = new Set<string>();
  for (const path of paths) {
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new Error(`absolute: ${JSON.stringify(path)}`);
    const segments = path.split('/');
    for (const seg of segments) {
      const fail = (why: string) => {
        throw new Error(`${why}: segment ${JSON.stringify(seg)} of ${JSON.stringify(path)}`);
      };
      if (seg === '' || seg === '.' || seg === '..') fail('empty or dot segment');
      if (INVALID.test(seg)) fail('invalid or control character');
      if (LONE_SURROGATE.test(seg)) fail('lone surrogate');
      if (isReserved(seg)) fail('reserved name');
      if (encoder.encode(seg).length > 255) fail('over 255 bytes');
      if (/[. ]$/.test(seg) || seg.trim() !== seg) fail('trailing dot or space / untrimmed');
    }
    const k = key(path);
    if (files.has(k)) throw new Error(`collision: ${JSON.stringify(path)}`);
    files.add(k);
    for (let i = 1; i < segments.length; i++) folders.add(key(segments.slice(0, i).join('/')));
  }
  for (const f of files) if (folders.has(f)) throw new Error(`file is also a folder: ${JSON.stringify(f)}`);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const hostilePiece = fc.constantFrom(
  '..', '.', '/', '\\', '//', ' ', '  ', '\t', '\n', '\u0000', '\u001f', '\u007f', '\u0085', '\u009f',
  'CON', 'con', 'nul.txt', 'NUL', 'COM1', 'com9', 'LPT¹', 'CONIN$', 'aux.tar.gz', 'PRN ',
  '<', '>', ':', '"', '|', '?', '*', 'C:', 'c:\\', '~',
  '\u202e', '\u200e', '\u2066', '\u200d', '\ufeff',
  '\ud800', '\udfff', '😀', '👩‍👩‍👧', 'é', 'e\u0301', 'É', 'ß', 'İ', 'ı', 'Σ', 'ς', '日本語',
  '.jpg', '.JPG', '.', ' (2)', 'a', 'A', 'x', 'X',
  'é'.repeat(140), '😀'.repeat(70), 'a'.repeat(300), '.'.repeat(300),
);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)); // incl. lone surrogates
const randomText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: anyUnit, maxLength: 8 }),
);
const hostileName = fc
  .array(fc.oneof({ weight: 2, arbitrary: hostilePiece }, { weight: 1, arbitrary: randomText }), { maxLength: 6 })
  .map((a) => a.join(''));
/** Names equal but for case or normalisation, to force collisions. */
const nameFamily = fc.constantFrom('scan.jpg', 'Scan.JPG', 'SCAN.jpg', 'scan (2).jpg', 'scan', 'SCAN', 'café', 'cafe\u0301', 'CON');
const fileName = fc.oneof(hostileName, nameFamily);

const variableToken = fc
  .tuple(fc.constantFrom(...TEMPLATE_VARIABLES), fc.constantFrom('', ' ', '  '), fc.constantFrom('', ' '))
  .map(([name, a, b]) => `{{${a}${name}${b}}}`);
/** Literal text: anything but braces (which are template syntax). */
const literalText = fc.oneof(hostilePiece, randomText).map((s) => s.replace(/[{}]/g, ''));
const segment = fc.array(fc.oneof(variableToken, literalText), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
const validTemplate = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('/', '\\'), fc.boolean())
  .map(([segs, sep, trailing]) => segs.join(sep) + (trailing ? '/' : ''))
  .map((text) => parsePathTemplate(text))
  .filter((r): r is { ok: true; template: PathTemplate } => r.ok)
  .map((r) => r.template);

const caseFile = (name: string, i: number): CaseFile => ({
  uuid: `u-${i}`,
  originalFilename: name,
  contentType: 'application/octet-stream',
  size: 1,
  createdAt: '2024-01-01T00:00:00Z',
});
const caseArb = (files: fc.Arbitrary<string[]>) =>
  fc
    .record({
      id: hostileName,
      shortId: hostileName,
      externalId: fc.option(hostileName),
      entityExternalId: fc.option(hostileName),
      files,
    })
    .map(
      (r): Case => ({
        ...r,
        orderId: null,
        metadata: {},
        files: r.files.map(caseFile),
      }),
    );
const orderArb = fc.option(hostileName.map((name): Order => ({ id: 'o', name })));

const plannedPaths = (template: PathTemplate | null, workflowName: string, order: Order | null, cases: Case[]) =>
  [...planCaseFiles(template, { id: 'wf', name: workflowName }, order, cases)].map((p) => p.path);

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('path template properties', () => {
  it('the checker itself catches every violation', () => {
    for (const bad of [
      ['/a'], ['C:/a'], ['a//b'], ['./a'], ['a/..'], ['a:b'], ['a\u0001'], ['a\ud800'], ['CON'], ['com1.txt'], ['nul .txt'],
      ['x'.repeat(256)], ['a.'], ['a '], [' a'], ['a', 'A'], ['caf\u00e9', 'CAFE\u0301'], ['a', 'A/b'], ['a/b', 'a'],
    ]) {
      expect(() => checkExport(bad), JSON.stringify(bad)).toThrow();
    }
    expect(() => checkExport(['a/b', 'a/c', 'A (2)', 'con_.txt', 'x'.repeat(255)])).not.toThrow();
  });

  it('the template generator yields varied, mostly valid templates', () => {
    const raw = fc.sample(
      fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('/', '\\')).map(([a, sep]) => a.join(sep)),
      { numRuns: 2_000, seed: 42 },
    );
    const valid = raw.filter((t) => parsePathTemplate(t).ok);
    expect(valid.length / raw.length).toBeGreaterThan(0.5);
    expect(valid.some((t) => t.includes('..'))).toBe(true);
    expect(valid.some((t) => /[<>:"|?*]/.test(t))).toBe(true);
  });

  it('10,000 generated valid templates give safe, unique paths', () => {
    fc.assert(
      fc.property(
        validTemplate,
        hostileName,
        orderArb,
        fc.array(caseArb(fc.array(fileName, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 3 }),
        (template, workflowName, order, cases) => {
          checkExport(plannedPaths(template, workflowName, order, cases));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('1,000 exports of hostile names (many files, long strings) give safe, unique paths', () => {
    const longName = fc
      .array(fc.oneof(hostilePiece, randomText), { minLength: 20, maxLength: 60 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.option(validTemplate, { freq: 4 }),
        fc.oneof(hostileName, longName),
        orderArb,
        fc.array(caseArb(fc.array(fc.oneof(fileName, longName), { minLength: 1, maxLength: 12 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (template, workflowName, order, cases) => {
          checkExport(plannedPaths(template, workflowName, order, cases));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('the default names (no template) are safe and unique for hostile names', () => {
    fc.assert(
      fc.property(
        hostileName,
        orderArb,
        fc.array(caseArb(fc.array(fileName, { minLength: 1, maxLength: 5 })), { minLength: 1, maxLength: 5 }),
        (workflowName, order, cases) => {
          checkExport(plannedPaths(null, workflowName, order, cases));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('templates whose every segment is the same hostile value still give unique paths', () => {
    const t = parsePathTemplate('{{ CASE_EXTERNAL_ID }}/{{ ORIGINAL_FILENAME }}');
    if (!t.ok) throw new Error('template');
    fc.assert(
      fc.property(fc.array(fc.tuple(nameFamily, fc.array(nameFamily, { minLength: 1, maxLength: 6 })), { maxLength: 8 }), (spec) => {
        const cases = spec.map(([ext, files], i): Case => ({
          id: String(i),
          shortId: String(i),
          externalId: ext,
          entityExternalId: null,
          orderId: null,
          metadata: {},
          files: files.map(caseFile),
        }));
        checkExport(plannedPaths(t.template, 'wf', null, cases));
      }),
      { numRuns: 300 },
    );
  });

  it('sanitizeSegment is idempotent and its output passes every segment rule', () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, fc.string({ unit: anyUnit, maxLength: 400 })), (s) => {
        const once = sanitizeSegment(s);
        expect(sanitizeSegment(once)).toBe(once);
        if (once !== '') checkExport([once]);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('parsePathTemplate never throws', () => {
  const syntaxPiece = fc.constantFrom(
    '{{', '}}', '{%', '%}', '${', '{', '}', '|', '/', '\\', '..', '.', 'C:', ' ', '$',
    ...TEMPLATE_VARIABLES, 'case_id', 'CASE_EXTERNALID', 'x',
  );
  const anyTemplateText = fc.oneof(
    fc.string({ unit: anyUnit, maxLength: 40 }),
    fc.array(fc.oneof(syntaxPiece, randomText), { maxLength: 12 }).map((a) => a.join('')),
  );

  it('returns ok or errors with valid offsets inside the text, on arbitrary strings', () => {
    fc.assert(
      fc.property(anyTemplateText, (text) => {
        const r = parsePathTemplate(text);
        if (r.ok) {
          expect(r.template.source).toBe(text);
          return;
        }
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(e.message.length).toBeGreaterThan(0);
          expect(Number.isInteger(e.start) && Number.isInteger(e.end)).toBe(true);
          expect(e.start).toBeGreaterThanOrEqual(0);
          expect(e.end).toBeGreaterThan(e.start);
          expect(e.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
