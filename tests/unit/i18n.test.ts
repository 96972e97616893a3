/**
 * The message catalogues (public/_locales/<lang>/messages.json) are complete and consistent, and every
 * key the code asks for exists: a missing or empty text in any language fails here, not in front of a user.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { formatMessage, t, tParts } from '../../lib/i18n';

const ROOT = resolve(import.meta.dirname, '../..');
const LOCALES = join(ROOT, 'public/_locales');

interface Entry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
type Catalogue = Record<string, Entry>;

const languages = readdirSync(LOCALES).filter((d) => statSync(join(LOCALES, d)).isDirectory());
const catalogues = new Map<string, Catalogue>(
  languages.map((lang) => [lang, JSON.parse(readFileSync(join(LOCALES, lang, 'messages.json'), 'utf8')) as Catalogue]),
);
const en = catalogues.get('en')!;

/** Placeholder names a message uses (`$name$`, not `$$`). */
const used = (message: string) =>
  new Set([...message.replace(/\$\$/g, '').matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toLowerCase()));

/** Source files of the code that shows text. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}
const CODE = ['components', 'entrypoints', 'lib', 'workers'].flatMap((d) => sources(join(ROOT, d)));
CODE.push(join(ROOT, 'wxt.config.ts'));

/** Keys the code names: t('key'…), tParts('key'…), a `'key'` typed as MessageKey, and manifest __MSG_key__. */
function keysInCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (key: string, file: string) => found.set(key, [...(found.get(key) ?? []), relative(ROOT, file)]);
  for (const file of CODE) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:t|tParts)\(\s*['"]([A-Za-z0-9_]+)['"]/g)) add(m[1], file);
    // Conditional keys: t(cond ? 'a' : 'b', …).
    for (const m of text.matchAll(/\bt\(\s*[^'"(),]+\?\s*'([A-Za-z0-9_]+)'\s*:\s*'([A-Za-z0-9_]+)'/g)) (add(m[1], file), add(m[2], file));
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) add(m[1], file);
  }
  return found;
}

describe('message catalogues', () => {
  it('has English and at least one more language', () => {
    expect(languages).toContain('en');
    expect(languages.length).toBeGreaterThanOrEqual(2);
  });

  for (const lang of languages) {
    describe(lang, () => {
      const cat = catalogues.get(lang)!;

      it('has every English key, with a non-empty text, and no other key', () => {
        const missing = Object.keys(en).filter((k) => !(k in cat));
        const empty = Object.keys(cat).filter((k) => typeof cat[k]?.message !== 'string' || cat[k].message.trim() === '');
        const extra = Object.keys(cat).filter((k) => !(k in en));
        expect({ missing, empty, extra }).toEqual({ missing: [], empty: [], extra: [] });
      });

      it('has keys the browser accepts (letters, digits, _; unique ignoring case)', () => {
        const keys = Object.keys(cat);
        expect(keys.filter((k) => !/^[A-Za-z0-9_]+$/.test(k) || k.startsWith('@@'))).toEqual([]);
        expect(new Set(keys.map((k) => k.toLowerCase())).size).toBe(keys.length);
      });

      it('uses the same placeholders as English, each declared, used and positional', () => {
        const problems: string[] = [];
        for (const [key, entry] of Object.entries(cat)) {
          const ref = en[key];
          if (!ref) continue;
          const declared = Object.keys(entry.placeholders ?? {}).map((n) => n.toLowerCase());
          const refDeclared = Object.keys(ref.placeholders ?? {}).map((n) => n.toLowerCase());
          const inText = used(entry.message);
          if ([...inText].sort().join() !== [...declared].sort().join()) problems.push(`${key}: uses ${[...inText]} but declares ${declared}`);
          if ([...declared].sort().join() !== [...refDeclared].sort().join()) problems.push(`${key}: placeholders ${declared} differ from English ${refDeclared}`);
          for (const [name, p] of Object.entries(entry.placeholders ?? {})) {
            const refContent = Object.entries(ref.placeholders ?? {}).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1].content;
            if (!/^\$[1-9]$/.test(p.content)) problems.push(`${key}.${name}: content ${p.content} is not $1…$9`);
            if (refContent !== undefined && refContent !== p.content) problems.push(`${key}.${name}: ${p.content}, English has ${refContent}`);
          }
          // A stray `$` (not `$$`, not a placeholder) would be dropped by the browser.
          const stray = entry.message.replace(/\$\$/g, '').replace(/\$[A-Za-z0-9_@]+\$/g, '');
          if (stray.includes('$')) problems.push(`${key}: stray $ in "${entry.message}"`);
        }
        expect(problems).toEqual([]);
      });
    });
  }

  it('has every key the code uses in English, and every English key is used', () => {
    const found = keysInCode();
    const missing = [...found].filter(([k]) => !(k in en)).map(([k, files]) => `${k} (${files.join(', ')})`);
    expect(missing).toEqual([]);
    // Keys named indirectly (tables of labels typed as MessageKey) count as used when they appear quoted in the code.
    const code = CODE.map((f) => readFileSync(f, 'utf8')).join('\n');
    const unused = Object.keys(en).filter((k) => !found.has(k) && !code.includes(`'${k}'`));
    expect(unused).toEqual([]);
  });

  it('names the extension from the catalogue', () => {
    const config = readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8');
    expect(config).toMatch(/default_locale:\s*'en'/);
    expect(config).toContain("name: '__MSG_extName__'");
  });
});

describe('t (English fallback outside the browser)', () => {
  it('formats placeholders as the browser does', () => {
    expect(t('exportFailed', 'boom')).toBe('The export failed: boom');
    expect(t('popupFailed', 2, 10)).toBe('2 of 10 files failed (see export-report.csv)');
    expect(t('jobExportLabel', t('kindExecution'))).toBe('Execution export');
    expect(formatMessage({ message: 'a $$ b $X$ $y$', placeholders: { x: { content: '$2' }, Y: { content: '$1' } } }, ['one', 'two'])).toBe(
      'a $ b two one',
    );
  });

  it('puts elements in place with tParts', () => {
    const el = { element: true };
    expect(tParts('savesArchive', el)).toEqual(['Saves ', el, '.']);
    expect(tParts('scopeWithOrder', el, 'Batch 2')).toEqual([el, ' · order Batch 2']);
  });

  it('uses the browser when there is one', () => {
    const g = globalThis as { chrome?: unknown };
    const before = g.chrome;
    g.chrome = { i18n: { getMessage: (key: string, subs?: string[]) => (key === 'exportFailed' ? `Export fehlgeschlagen: ${subs?.[0]}` : '') } };
    try {
      expect(t('exportFailed', 'x')).toBe('Export fehlgeschlagen: x');
      // No text from the browser: English.
      expect(t('close')).toBe('Close');
    } finally {
      g.chrome = before;
    }
  });
});
