/**
 * Rule "HTML allow-list": the elements and attributes the exported HTML files may hold, as data, in
 * one place. The sanitiser (lib/htmlSanitize.ts) is configured from {@link OUTPUT_ALLOW_LIST}, and
 * the tests check every element of every exported file against these lists: a step's output against
 * the output list (exactly what our Markdown renderer, lib/markdownRender.ts, emits), the rest of the
 * document against {@link DOCUMENT_ALLOW_LIST} (what lib/htmlDocument.ts writes around the outputs).
 *
 * An attribute's rule says which values it may take, read as the browser reads them (character
 * references decoded): any text, a URL rule (lib/safeUrl.ts), a pattern, or a list of exact values.
 */
import { IMAGE_URL, LINK_URL } from './safeUrl';

export type AttributeRule = 'text' | 'link' | 'image' | RegExp | readonly string[];
export type AllowList = Readonly<Record<string, Readonly<Record<string, AttributeRule>>>>;

/** `class` of a fenced code block: its info string's first word, reduced to these characters. */
export const CODE_LANGUAGE_CLASS = /^language-[\w+#.-]{1,64}$/;
/** Table alignment, as classes (the CSP allows no style attribute). */
export const ALIGN_CLASSES = ['align-left', 'align-center', 'align-right'] as const;
/** `rel` of every link in an output: no opener, no referrer, no endorsement. */
export const LINK_REL = 'noopener noreferrer nofollow';

const none = {} as const;

/** What the Markdown renderer emits for a step's output, and all the sanitiser lets through. */
export const OUTPUT_ALLOW_LIST: AllowList = {
  p: none,
  h1: none, h2: none, h3: none, h4: none, h5: none, h6: none,
  blockquote: none,
  hr: none,
  br: none,
  strong: none,
  em: none,
  del: none,
  ul: none,
  ol: { start: /^\d{1,9}$/ },
  li: none,
  input: { type: ['checkbox'], disabled: [''], checked: [''] },
  pre: { class: ['raw-html', 'unparsed'] },
  code: { class: CODE_LANGUAGE_CLASS },
  table: none,
  thead: none,
  tbody: none,
  tr: none,
  th: { class: ALIGN_CLASSES },
  td: { class: ALIGN_CLASSES },
  a: { href: 'link', title: 'text', rel: [LINK_REL], class: ['image-link'] },
  span: { class: ['unsafe-link', 'image-removed'], title: 'text' },
  img: { src: 'image', alt: 'text', title: 'text' },
};

/** What the document around the outputs holds (lib/htmlDocument.ts), none of it from the platform's markup. */
export const DOCUMENT_ALLOW_LIST: AllowList = {
  html: { lang: ['en'] },
  head: none,
  meta: { charset: ['utf-8'], 'http-equiv': ['Content-Security-Policy'], name: ['referrer', 'viewport', 'generator'], content: 'text' },
  link: { rel: ['icon'], href: ['data:,'] },
  title: none,
  style: none,
  body: none,
  h1: none,
  h2: { id: /^(?:contents|step-\d+-title)$/ },
  h3: none,
  p: { class: ['sub', 'note', 'muted'], role: ['note'] },
  strong: none,
  code: none,
  table: { class: ['details'] },
  tbody: none,
  tr: none,
  th: { scope: ['row'] },
  td: none,
  span: { class: /^status status-[a-z]*$/ },
  div: { class: ['output'] },
  nav: { 'aria-labelledby': ['contents'] },
  ol: none,
  li: none,
  a: { href: /^#(?:contents|step-\d+)$/ },
  section: { class: ['step'], id: /^step-\d+$/, 'aria-labelledby': /^step-\d+-title$/ },
};

/** Whether a value satisfies an attribute's rule. */
export function valueAllowed(rule: AttributeRule, value: string): boolean {
  if (rule === 'text') return true;
  if (rule === 'link') return LINK_URL.test(value);
  if (rule === 'image') return IMAGE_URL.test(value);
  if (rule instanceof RegExp) return rule.test(value);
  return rule.includes(value);
}

const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** Whether `list` allows this element at all. */
export const elementAllowed = (list: AllowList, tag: string): boolean => own(list, tag);

/** Whether `list` allows this attribute with this (decoded) value on this element. */
export function attributeAllowed(list: AllowList, tag: string, name: string, value: string): boolean {
  if (!own(list, tag)) return false;
  const attrs = list[tag];
  return own(attrs, name) && valueAllowed(attrs[name], value);
}
