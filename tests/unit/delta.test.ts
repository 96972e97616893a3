/** Only new since the last export (issue 16.2): the rules of lib/delta.ts and the compact manifests of lib/deltaManifest.ts. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FileBase,
  SubmissionBase,
  fileIsNew,
  hash64,
  newSinceSuffix,
  shaKey,
  stableJson,
  submissionFingerprint,
  submissionIsNew,
  utcStamp,
  type FileRecord,
} from '../../lib/delta';
import { FileIndex, ManifestBuilder, SubmissionIndex, decodeFiles, decodeSubmissions, encodeFiles, encodeSubmissions } from '../../lib/deltaManifest';
import { annotatedCaseFilesArchiveName, caseFilesArchiveName, resultsCsvName, utf8ByteLength } from '../../lib/naming';
import { downloadNameFor, isSafeDownloadName } from '../../lib/downloadName';

const SHA_A = 'a'.repeat(64);
const SHA_B = '0123456789abcdef'.repeat(4);
const uuidOf = (i: number) => `${i.toString(16).padStart(8, '0')}-1111-4222-8333-${(i * 7919).toString(16).padStart(12, '0').slice(-12)}`;

describe('stableJson and the submission fingerprint', () => {
  it('does not depend on key order, at any depth', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(stableJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(stableJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
  it('property: the text is the one stored manifests hold (the first implementation, kept here), for any JSON', () => {
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null) ?? 'null';
      if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(',')}]`;
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
    };
    const value = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.constant(undefined))), fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined))));
    fc.assert(
      fc.property(value, (v) => {
        expect(stableJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });
  it('is 64 bits (16 hex digits) and changes with status, submittedAt or answers only', () => {
    const s = { id: 's1', reader: { id: 'r', name: 'R' }, status: 'submitted', submittedAt: '2025-01-01T00:00:00Z', answers: { q1: 'yes', q2: ['a', 'b'] } };
    const f = submissionFingerprint(s);
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    const otherReader = { ...s, reader: { id: 'other', name: 'Other' }, id: 'x' };
    expect(submissionFingerprint(otherReader)).toBe(f);
    expect(submissionFingerprint({ ...s, answers: { q2: ['a', 'b'], q1: 'yes' } })).toBe(f);
    expect(submissionFingerprint({ ...s, status: 'draft' })).not.toBe(f);
    expect(submissionFingerprint({ ...s, submittedAt: '2025-01-01T00:00:01Z' })).not.toBe(f);
    expect(submissionFingerprint({ ...s, answers: { q1: 'no', q2: ['a', 'b'] } })).not.toBe(f);
    expect(submissionFingerprint({ ...s, answers: { q1: 'yes', q2: ['b', 'a'] } })).not.toBe(f);
  });
  it('hash64 spreads: 10,000 distinct texts give 10,000 distinct hashes', () => {
    const seen = new Set(Array.from({ length: 10_000 }, (_, i) => hash64(`answer-${i}`)));
    expect(seen.size).toBe(10_000);
  });
});

describe('which files and submissions are new', () => {
  const base = new FileBase([
    { uuid: 'u1', sha: shaKey(SHA_A), etag: null },
    { uuid: 'u2', sha: null, etag: null },
  ]);
  it('a file is new when its uuid was not held, or its SHA-256 changed, or either hash is unknown', () => {
    expect(fileIsNew(base, 'u1', SHA_A)).toBe(false);
    expect(fileIsNew(base, 'u1', SHA_A.toUpperCase())).toBe(false);
    expect(fileIsNew(base, 'u1', SHA_B)).toBe(true);
    expect(fileIsNew(base, 'u1', null)).toBe(true);
    expect(fileIsNew(base, 'u2', SHA_A)).toBe(true);
    expect(fileIsNew(base, 'u3', SHA_A)).toBe(true);
  });
  it('a submission is new when its id was not held or its fingerprint changed', () => {
    const s = { id: 's1', status: 'submitted', submittedAt: 't', answers: { q: 1 } };
    const subs = new SubmissionBase([{ id: 's1', fingerprint: submissionFingerprint(s) }]);
    expect(submissionIsNew(subs, s)).toBe(false);
    expect(submissionIsNew(subs, { ...s, answers: { q: 2 } })).toBe(true);
    expect(submissionIsNew(subs, { ...s, id: 's2' })).toBe(true);
  });
  it('shaKey keeps 160 bits of a real SHA-256 and refuses anything else', () => {
    expect(shaKey(SHA_B)).toBe(SHA_B.slice(0, 40));
    for (const bad of [null, undefined, '', 'abc', 'g'.repeat(64), `${SHA_A}0`]) expect(shaKey(bad)).toBeNull();
  });
});

describe('compact manifests', () => {
  it('round-trips files: UUIDs as 16 bytes, other ids as text, ETags derived from the hash or kept as text', () => {
    const records: FileRecord[] = [
      { uuid: uuidOf(1), sha: SHA_A, etag: `"${SHA_A.slice(0, 40)}"` },
      { uuid: 'not-a-uuid ✓', sha: SHA_B, etag: 'W/"weak, odd"' },
      { uuid: uuidOf(2).toUpperCase(), sha: null, etag: null },
      { uuid: uuidOf(3), sha: SHA_B.slice(0, 40), etag: '"xyz"' },
    ];
    const back = [...decodeFiles(encodeFiles(records))];
    expect(back).toEqual(records.map((r) => ({ ...r, sha: r.sha ? r.sha.slice(0, 40) : null })));
  });
  it('round-trips any files and submissions (property)', () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
    const file = fc.record({
      uuid: fc.oneof(fc.uuid(), fc.string({ maxLength: 60 })),
      sha: fc.option(hex(64), { nil: null }),
      etag: fc.option(fc.string({ minLength: 1, maxLength: 80 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(file, { maxLength: 30 }), (files) => {
        const want = files.map((f) => ({ ...f, sha: f.sha ? f.sha.slice(0, 40) : null }));
        expect([...decodeFiles(encodeFiles(files))]).toEqual(want);
      }),
    );
    const sub = fc.record({ id: fc.oneof(fc.uuid(), fc.string({ maxLength: 60 })), fingerprint: hex(16) });
    fc.assert(
      fc.property(fc.array(sub, { maxLength: 30 }), (subs) => {
        expect([...decodeSubmissions(encodeSubmissions(subs))]).toEqual(subs);
      }),
    );
  });
  it('a damaged manifest throws rather than reading past its end or giving wrong records', () => {
    const bytes = encodeFiles([{ uuid: uuidOf(1), sha: SHA_A, etag: '"abc"' }]);
    expect(() => [...decodeFiles(bytes.subarray(0, bytes.length - 1))]).toThrow(/cut short/);
    expect(() => [...decodeFiles(new Uint8Array([...bytes, 0]))]).toThrow(/after its last/);
    expect(() => [...decodeSubmissions(bytes)]).toThrow(/not a stored submissions manifest/);
    const flags = bytes.slice();
    flags[5] = 0x80 | flags[5];
    expect(() => [...decodeFiles(flags)]).toThrow(/unknown flags/);
  });
  it('500,000 files as the reference platform serves them take at most 40 bytes each (measured: 38)', () => {
    const builder = new ManifestBuilder();
    for (let i = 0; i < 500_000; i++) {
      const sha = (i.toString(16).padStart(8, '0') + SHA_B).slice(0, 64);
      builder.file(uuidOf(i), sha, `"${sha.slice(0, 40)}"`);
    }
    const { files } = builder.encode();
    const perFile = files!.byteLength / 500_000;
    expect(perFile).toBeLessThanOrEqual(40);
    expect(Math.round(perFile)).toBe(38);
    expect(files!.byteLength).toBeLessThan(19_100_000);
    const back = decodeFiles(files!);
    expect(back.next().value).toEqual({ uuid: uuidOf(0), sha: ('00000000' + SHA_B).slice(0, 40), etag: `"${('00000000' + SHA_B).slice(0, 40)}"` });
  });
  it('FileIndex and SubmissionIndex look records up in the bytes as decoding them would', () => {
    const files: FileRecord[] = Array.from({ length: 50 }, (_, i) => ({ uuid: i % 3 ? uuidOf(i) : `id-${i}`, sha: i % 5 ? SHA_A.slice(0, 40) : null, etag: i % 2 ? `"${SHA_A.slice(0, 10)}"` : null }));
    const index = new FileIndex(encodeFiles(files));
    expect(index.size).toBe(50);
    for (const f of files) expect(index.get(f.uuid)).toEqual(f);
    expect(index.get('missing')).toBeUndefined();
    const subs = files.map((f, i) => ({ id: f.uuid, fingerprint: hash64(String(i)) }));
    const sIndex = new SubmissionIndex(encodeSubmissions(subs));
    for (const s of subs) expect(sIndex.fingerprintOf(s.id)).toBe(s.fingerprint);
    expect(sIndex.fingerprintOf('missing')).toBeUndefined();
    // The builder writes the same bytes as encoding the records at once.
    const b = new ManifestBuilder();
    for (const f of files) b.keep(f);
    for (const s of subs) b.submission(s.id, s.fingerprint);
    expect(b.encode()).toEqual({ files: encodeFiles(files), submissions: encodeSubmissions(subs) });
    expect(new ManifestBuilder().encode()).toEqual({});
  });
  it('500,000 submissions take 25 bytes each', () => {
    const builder = new ManifestBuilder();
    for (let i = 0; i < 500_000; i++) builder.submission(uuidOf(i), hash64(String(i)));
    expect(builder.encode().submissions!.byteLength / 500_000).toBeCloseTo(25, 0);
  });
});

describe('the download name of a delta export', () => {
  const since = Date.UTC(2026, 11, 1, 9, 5, 7);
  it('gets _new-since_<UTC start> before its extension', () => {
    expect(utcStamp(since)).toBe('2026-12-01_09-05-07');
    expect(newSinceSuffix(since)).toBe('_new-since_2026-12-01_09-05-07');
    expect(caseFilesArchiveName({ name: 'Chest CT' }, null, since)).toBe('Chest CT_case-files_new-since_2026-12-01_09-05-07.zip');
    expect(resultsCsvName({ name: 'W' }, { name: 'O' }, since)).toBe('W-O_results_new-since_2026-12-01_09-05-07.csv');
    expect(annotatedCaseFilesArchiveName({ name: 'W' }, { name: 'O' }, since)).toBe('W-O_annotated-case-files_new-since_2026-12-01_09-05-07.zip');
    expect(caseFilesArchiveName({ name: 'Chest CT' }, null)).toBe('Chest CT_case-files.zip');
  });
  it('stays within 200 bytes (the names shorten, the suffix never) and the background accepts it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 300 }), { nil: null }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (w, o, at) => {
        const order = o === null ? null : { name: o };
        for (const [name, kind] of [
          [caseFilesArchiveName({ name: w }, order, at), 'case-files'],
          [annotatedCaseFilesArchiveName({ name: w }, order, at), 'annotated-case-files'],
          [resultsCsvName({ name: w }, order, at), 'csv'],
        ] as const) {
          expect(utf8ByteLength(name)).toBeLessThanOrEqual(200);
          expect(name).toContain(newSinceSuffix(at));
          expect(isSafeDownloadName(name, kind)).toBe(true);
        }
      }),
    );
  });
  it('the background still refuses names of another kind or a forged suffix', () => {
    expect(isSafeDownloadName('W_case-files_new-since_2026-12-01_09-05-07.zip', 'csv')).toBe(false);
    expect(isSafeDownloadName('W_results_new-since_2026-12-01_09-05-07.zip', 'csv')).toBe(false);
    expect(isSafeDownloadName('W_case-files_new-since_yesterday.zip', 'case-files')).toBe(false);
    expect(downloadNameFor('W_case-files_new-since_2026-12-01_09-05-07.zip', 'case-files', 'abcdef12-0000')).toBe('W_case-files_new-since_2026-12-01_09-05-07.zip');
  });
});
