/** Settings (lib/settings.ts): validation, defaults, and reading/writing a storage area. */
import { describe, expect, it } from 'vitest';
import {
  allOrigins,
  checkParallel,
  DEFAULT_SETTINGS,
  loadSettings,
  normalizeOrigin,
  saveSettings,
  SettingsError,
  settingsFrom,
  settingsPatchItems,
  type SettingsArea,
} from '../../lib/settings';

function memoryArea(initial: Record<string, unknown> = {}): SettingsArea & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = structuredClone(initial);
  return {
    data,
    async get(keys) {
      const list = keys === null ? Object.keys(data) : Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(list.filter((k) => k in data).map((k) => [k, structuredClone(data[k])]));
    },
    async set(items) {
      Object.assign(data, structuredClone(items));
    },
  };
}

describe('normalizeOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['https://app.example.com/', 'https://app.example.com'],
    ['  HTTPS://App.Example.com  ', 'https://app.example.com'],
    ['app.example.com', 'https://app.example.com'],
    ['http://localhost:4415', 'http://localhost:4415'],
    ['http://localhost:80', 'http://localhost'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
  ])('%s → %s', (input, origin) => {
    expect(normalizeOrigin(input)).toEqual({ ok: true, value: origin });
  });
  it.each([
    ['', /Type the address/],
    ['ftp://x.org', /Only http/],
    ['https://app.example.com/develop/workflows/1', /without a path/],
    ['https://app.example.com?x=1', /without a path/],
    ['https://user:pw@app.example.com', /user name/],
    ['https://*.example.com', /not a web address|Wildcards/],
    ['http://', /not a web address|no host/],
  ])('rejects %s', (input, message) => {
    const c = normalizeOrigin(input);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.message).toMatch(message);
  });
});

describe('checkParallel', () => {
  it('accepts whole numbers from 1 to 16', () => {
    for (const n of [1, 6, 16, '8']) expect(checkParallel(n)).toEqual({ ok: true, value: Number(n) });
  });
  it('refuses anything else', () => {
    for (const n of [0, 17, 2.5, -1, '', 'abc', null, undefined, NaN, '1e9']) {
      const c = checkParallel(n);
      expect(c.ok, String(n)).toBe(false);
      if (!c.ok) expect(c.message).toMatch(/1 to 16/);
    }
  });
});

describe('settingsFrom', () => {
  it('falls back to the defaults for anything missing or invalid', () => {
    expect(settingsFrom({})).toEqual(DEFAULT_SETTINGS);
    expect(
      settingsFrom({
        origins: ['https://a.org/', 'nonsense://', 42, 'https://a.org'],
        parallel: 99,
        csvOptions: { submissions: 'latest', layout: 'sideways', bom: 'yes' },
        executionOptions: { format: 'pdf', combine: true },
      }),
    ).toEqual({
      origins: ['https://a.org'],
      parallel: 16,
      csv: { submissions: 'latest', layout: 'long', bom: false },
      execution: { format: 'markdown', combine: true },
    });
  });
});

describe('saving', () => {
  it('writes valid patches under the keys the dialogs share', async () => {
    const area = memoryArea();
    const s = await saveSettings(area, {
      parallel: 12,
      csv: { submissions: 'submitted', layout: 'wide', bom: true },
      execution: { format: 'html', combine: true },
      origins: ['http://localhost:4415/'],
    });
    expect(s).toEqual({
      origins: ['http://localhost:4415'],
      parallel: 12,
      csv: { submissions: 'submitted', layout: 'wide', bom: true },
      execution: { format: 'html', combine: true },
    });
    expect(area.data).toEqual({
      origins: ['http://localhost:4415'],
      parallel: 12,
      csvOptions: { submissions: 'submitted', layout: 'wide', bom: true },
      executionOptions: { format: 'html', combine: true },
    });
    expect(await loadSettings(area)).toEqual(s);
  });

  it('writes nothing when any part is invalid', async () => {
    const area = memoryArea({ parallel: 3 });
    await expect(saveSettings(area, { parallel: 17, execution: { format: 'html', combine: false } })).rejects.toThrow(SettingsError);
    await expect(saveSettings(area, { origins: ['ftp://x'] })).rejects.toThrow(/Only http/);
    await expect(saveSettings(area, { csv: { submissions: 'some', layout: 'long', bom: false } as never })).rejects.toThrow(/submissions/);
    await expect(saveSettings(area, { execution: { format: 'html', combine: 'yes' } as never })).rejects.toThrow(/combine/);
    expect(area.data).toEqual({ parallel: 3 });
  });

  it('a patch only touches its own keys', () => {
    expect(settingsPatchItems({ parallel: 2 })).toEqual({ ok: true, value: { parallel: 2 } });
    expect(settingsPatchItems({})).toEqual({ ok: true, value: {} });
  });
});

describe('allOrigins', () => {
  it('is the build origins, then the added ones, without duplicates', () => {
    expect(allOrigins({ origins: ['https://b.org', 'http://localhost:4400'] }, ['http://localhost:4400'])).toEqual(['http://localhost:4400', 'https://b.org']);
    expect(allOrigins({ origins: [] }, [])).toEqual([]);
  });
});

describe('originMatchPattern', async () => {
  const { originMatchPattern } = await import('../../lib/settings');
  it('keeps the port for Chrome and drops it for Firefox (whose patterns cannot hold one)', () => {
    expect(originMatchPattern('http://localhost:4400', 'chrome')).toBe('http://localhost:4400/*');
    expect(originMatchPattern('http://localhost:4400', 'firefox')).toBe('http://localhost/*');
    expect(originMatchPattern('https://app.example.com', 'firefox')).toBe('https://app.example.com/*');
  });
});
