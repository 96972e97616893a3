/**
 * The extension's user-visible text: `browser.i18n` (public/_locales/<lang>/messages.json, the language
 * chosen by the browser's UI locale), with the English catalogue bundled as the fallback: where the
 * i18n API is missing (Node unit tests) or has no text for a key, the English text is formatted here
 * by the same rules as the browser's (named placeholders whose content is `$1`…`$9`, `$$` for `$`).
 */
import en from '../public/_locales/en/messages.json' with { type: 'json' };

export type MessageKey = keyof typeof en;
export type Substitution = string | number;

interface MessageEntry {
  message: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

type GetMessage = (key: string, substitutions?: string[]) => string;

/** The browser's `i18n.getMessage`, when there is one (extension pages, content scripts). */
function browserGetMessage(): GetMessage | null {
  const g = globalThis as { browser?: { i18n?: { getMessage?: GetMessage } }; chrome?: { i18n?: { getMessage?: GetMessage } } };
  const api = g.browser?.i18n ?? g.chrome?.i18n;
  return typeof api?.getMessage === 'function' ? api.getMessage.bind(api) : null;
}

/** Formats a messages.json entry as the browser does (exported for the tests). */
export function formatMessage(entry: MessageEntry, substitutions: readonly string[]): string {
  const byName = new Map(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
  const positional = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '');
  return entry.message
    .split('$$')
    .map((part) => part.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
      const content = byName.get(name.toLowerCase());
      return content === undefined ? whole : positional(content);
    }))
    .join('$');
}

/** The text of `key` in the browser's language, with `substitutions` in its placeholders (in order). */
export function t(key: MessageKey, ...substitutions: Substitution[]): string {
  const subs = substitutions.map(String);
  const get = browserGetMessage();
  if (get) {
    try {
      const text = get(key, subs);
      if (text) return text;
    } catch {
      // Fall back to English below (e.g. an invalidated extension context).
    }
  }
  return formatMessage((en as Record<string, MessageEntry>)[key], subs);
}

const MARK = /\uE000(\d)\uE001/;

/**
 * `t` for text with markup: substitutions that are not strings or numbers (elements) are put in place,
 * returning the parts in order, e.g. `tParts('savesArchive', <code>{name}</code>)` → `['Saves ', <code/>, '.']`.
 */
export function tParts<T>(key: MessageKey, ...substitutions: (Substitution | T)[]): (string | T)[] {
  const marked = substitutions.map((s, i) => (typeof s === 'string' || typeof s === 'number' ? s : `\uE000${i}\uE001`));
  const text = t(key, ...marked);
  const parts: (string | T)[] = [];
  let rest = text;
  for (let m = MARK.exec(rest); m; m = MARK.exec(rest)) {
    if (m.index > 0) parts.push(rest.slice(0, m.index));
    parts.push(substitutions[Number(m[1])] as T);
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest) parts.push(rest);
  return parts;
}

/** The language the text is in (`en`, `de`), for `lang` attributes. */
export const uiLanguage = () => t('locale');
