/** The parts under the message checks: shape validators, download names, blob URLs, configured origins. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arr, bool, check, count, nullable, num, obj, oneOf, optional, record, str, strictObj, union } from '../../lib/shapes';
import { jobResultShape, progressShape } from '../../lib/messageSchema';
import { DOWNLOAD_SUFFIX, downloadNameFor, isSafeDownloadName } from '../../lib/downloadName';
import { isConfiguredOrigin, isOwnBlobUrl, servesOrigin } from '../../lib/senders';
import { allOrigins, settingsFrom, type SettingsArea } from '../../lib/settings';
import { caseFilesArchiveName, executionArchiveFileName, resultsCsvName } from '../../lib/naming';

describe('shapes', () => {
  it('str: type, length, control characters, pattern', () => {
    expect(check(str(), 'ok')).toEqual({ ok: true, value: 'ok' });
    expect(check(str(), 5).ok).toBe(false);
    expect(check(str({ min: 1 }), '').ok).toBe(false);
    expect(check(str({ max: 3 }), 'abcd').ok).toBe(false);
    expect(check(str(), 'a\nb').ok).toBe(false);
    expect(check(str(), 'a\u0085b').ok).toBe(false);
    expect(check(str({ multiline: true }), 'a\nb').ok).toBe(true);
    expect(check(str({ pattern: /^a+$/ }), 'ab').ok).toBe(false);
  });

  it('num and count: finite, whole, in range', () => {
    for (const bad of [NaN, Infinity, '1', null, 1.5, -1]) expect(check(count, bad).ok).toBe(false);
    expect(check(count, 0).ok).toBe(true);
    expect(check(num({ min: 1, max: 16, integer: true }), 17).ok).toBe(false);
    expect(check(bool, 'true').ok).toBe(false);
    expect(check(oneOf('a', 'b'), 'c').ok).toBe(false);
    expect(check(nullable(count), null)).toEqual({ ok: true, value: null });
  });

  it('obj: a new plain object with only the listed fields; optional ones stay absent', () => {
    const shape = obj({ a: count, b: optional(str()) });
    const input = { a: 1, c: 'dropped' };
    const out = check(shape, input);
    expect(out).toEqual({ ok: true, value: { a: 1 } });
    expect(out.ok && 'b' in out.value).toBe(false);
    expect(check(shape, { a: 1, b: 2 })).toMatchObject({ ok: false, message: expect.stringContaining('b:') });
    for (const bad of [null, [], new Date(), Object.create({ a: 1 }), 'x']) expect(check(shape, bad).ok).toBe(false);
  });

  it('obj: an inherited or __proto__ field is not read', () => {
    const polluted = JSON.parse('{"__proto__": {"a": 1}}');
    expect(check(obj({ a: optional(count) }), polluted)).toEqual({ ok: true, value: {} });
    expect(check(obj({ a: count }), Object.assign(Object.create(null), { a: 2 }))).toEqual({ ok: true, value: { a: 2 } });
  });

  it('strictObj refuses keys it does not list', () => {
    const shape = strictObj({ parallel: optional(count) });
    expect(check(shape, { parallel: 2 }).ok).toBe(true);
    expect(check(shape, { origins: ['https://evil.test'] })).toMatchObject({ ok: false, message: expect.stringContaining('origins') });
  });

  it('arr, record and union', () => {
    expect(check(arr(count, { max: 2 }), [1, 2, 3]).ok).toBe(false);
    expect(check(arr(count), [1, 'x'])).toMatchObject({ ok: false, message: expect.stringContaining('[1]') });
    expect(check(record(str({ max: 3 }), count), { abc: 1 })).toEqual({ ok: true, value: { abc: 1 } });
    expect(check(record(str({ max: 3 }), count), { abcd: 1 }).ok).toBe(false);
    const u = union('kind', { a: obj({ kind: oneOf('a'), n: count }), b: obj({ kind: oneOf('b') }) });
    expect(check(u, { kind: 'a', n: 1 }).ok).toBe(true);
    expect(check(u, { kind: 'c' }).ok).toBe(false);
    expect(check(u, { kind: 'toString' }).ok).toBe(false);
  });
});

describe('job result timings', () => {
  it("the archive's time and completion are finite, non-negative numbers or absent; anything else refuses the result", () => {
    const base = { filename: 'w_case-files.zip', archiveBytes: 1, files: 1, failed: [] };
    expect(check(jobResultShape, base).ok).toBe(true);
    expect(check(jobResultShape, { ...base, archiveMs: 12, builtAt: 1_796_302_610_349 })).toEqual({ ok: true, value: { ...base, archiveMs: 12, builtAt: 1_796_302_610_349 } });
    fc.assert(
      fc.property(fc.constantFrom('archiveMs', 'builtAt'), fc.oneof(fc.constantFrom(-1, NaN, Infinity, -Infinity, '5', null, true, {}, [1]), fc.double({ max: -Number.MIN_VALUE })), (key, bad) => {
        expect(check(jobResultShape, { ...base, [key]: bad }).ok).toBe(false);
      }),
    );
  });
});

describe('progress figures', () => {
  it('a missing or non-finite figure shows as 0 instead of costing the update; a non-number is refused', () => {
    const base = { filesDone: 1, filesTotal: 2, bytesDone: 3, bytesTotal: 4, listingDone: false, failed: 0, rate: 0, archiveBytes: 0 };
    expect(check(progressShape, { ...base, bytesTotal: null, rate: NaN, archiveBytes: Infinity })).toEqual({ ok: true, value: { ...base, bytesTotal: 0, rate: 0, archiveBytes: 0 } });
    expect(check(progressShape, { ...base, bytesTotal: 4.5 })).toEqual({ ok: true, value: { ...base, bytesTotal: 4.5 } });
    expect(check(progressShape, { ...base, bytesTotal: '4' }).ok).toBe(false);
    expect(check(progressShape, { ...base, paused: 'hacked' }).ok).toBe(false);
  });
});

describe('download names (lib/downloadName.ts)', () => {
  const JOB = '0b6f3c1e-5d0a-4a52-9a39-8e1f3b2c4d5e';

  it('takes every name our naming produces', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 300 })), (w, o) => {
        const order = o === null ? null : { name: o };
        expect(isSafeDownloadName(caseFilesArchiveName({ name: w }, order), 'case-files')).toBe(true);
        expect(isSafeDownloadName(resultsCsvName({ name: w }, order), 'csv')).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(isSafeDownloadName(executionArchiveFileName('Nightly', '2024-03-05T07:08:09Z', 'e1'), 'execution')).toBe(true);
  });

  it('replaces a name with folders, `..`, another type or the wrong kind by one of its own', () => {
    for (const bad of ['../../.bashrc_case-files.zip', 'a/b_case-files.zip', 'a\\b_case-files.zip', 'x_case-files.zip.exe', 'evil.exe', '.hidden_case-files.zip', 'x\u202e_case-files.zip', `${'a'.repeat(200)}_case-files.zip`, '_case-files.zip', 'x_results.csv'])
      expect({ bad, name: downloadNameFor(bad, 'case-files', JOB) }).toEqual({ bad, name: 'workflow-export_0b6f3c1e_case-files.zip' });
    expect(downloadNameFor('Demo_case-files.zip', 'case-files', JOB)).toBe('Demo_case-files.zip');
    expect(downloadNameFor('CON.zip', 'execution', JOB)).toBe('workflow-export_0b6f3c1e.zip');
    expect(downloadNameFor('a:b.zip', 'execution', JOB)).toBe('workflow-export_0b6f3c1e.zip');
    for (const kind of Object.keys(DOWNLOAD_SUFFIX) as (keyof typeof DOWNLOAD_SUFFIX)[])
      expect(isSafeDownloadName(downloadNameFor('../x', kind, JOB), kind)).toBe(true);
  });
});

describe('blob URLs of our own origin (isOwnBlobUrl)', () => {
  const base = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
  it('accepts blob:<our origin>/<uuid>, in Chrome and Firefox', () => {
    expect(isOwnBlobUrl(`blob:${base}0b6f3c1e-5d0a-4a52-9a39-8e1f3b2c4d5e`, base)).toBe(true);
    const ff = 'moz-extension://1f1e8c53-8a0e-4e0c-9b9d-2a4b6c8d0e1f/';
    expect(isOwnBlobUrl(`blob:${ff}0b6f3c1e-5d0a-4a52-9a39-8e1f3b2c4d5e`, ff)).toBe(true);
    expect(isOwnBlobUrl(`blob:${ff}0b6f3c1e-5d0a-4a52-9a39-8e1f3b2c4d5e`, base)).toBe(false);
  });

  it('refuses any web URL', () => {
    fc.assert(fc.property(fc.webUrl(), (url) => !isOwnBlobUrl(url, base) && !isOwnBlobUrl(`blob:${url}`, base)));
  });
});

describe('configured origins (the content script runs only there)', () => {
  const builtIn = ['http://localhost:4400'];
  const configured = allOrigins(settingsFrom({ origins: ['https://app.example.com/'] }), builtIn);
  it('the build\'s and the user\'s origins, exactly', () => {
    expect(isConfiguredOrigin('http://localhost:4400', configured)).toBe(true);
    expect(isConfiguredOrigin('https://app.example.com', configured)).toBe(true);
  });
  it('not another port of the same host (Firefox match patterns have no port), nor another scheme or host', () => {
    for (const origin of ['http://localhost:4401', 'http://localhost', 'https://localhost:4400', 'http://app.example.com', 'https://eu.app.example.com', 'null'])
      expect({ origin, served: isConfiguredOrigin(origin, configured) }).toEqual({ origin, served: false });
  });

  const area = (stored: Record<string, unknown> | Error): SettingsArea => ({
    get: async () => {
      if (stored instanceof Error) throw stored;
      return stored;
    },
    set: async () => {},
  });
  it('servesOrigin: the build\'s origins and the user\'s from the settings, nothing else', async () => {
    const stored = area({ origins: ['https://app.example.com'] });
    expect(await servesOrigin('http://localhost:4400', stored, builtIn)).toBe(true);
    expect(await servesOrigin('https://app.example.com', stored, builtIn)).toBe(true);
    expect(await servesOrigin('http://localhost:4401', stored, builtIn)).toBe(false);
    expect(await servesOrigin('https://app.example.com', area({}), builtIn)).toBe(false);
    // Garbage in the settings counts for nothing.
    expect(await servesOrigin('http://localhost:4401', area({ origins: 'http://localhost:4401' }), builtIn)).toBe(false);
    expect(await servesOrigin('http://localhost:4401', area({ origins: [{ toString: () => 'http://localhost:4401' }] }), builtIn)).toBe(false);
  });
  it('servesOrigin: settings that can\'t be read leave the build\'s origins only', async () => {
    const broken = area(new Error('storage unavailable'));
    expect(await servesOrigin('http://localhost:4400', broken, builtIn)).toBe(true);
    expect(await servesOrigin('https://app.example.com', broken, builtIn)).toBe(false);
  });
});
