/**
 * Escaping for the exported HTML files: every piece of text we write goes through one of these,
 * whatever the Markdown parser says about it (escaping by construction).
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value, every character that means something in HTML escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * A character reference as Markdown (CommonMark 2.5) reads one: `&amp;`, `&#60;`, `&#x3C;`. In
 * Markdown text it stands for its character, so it is kept as it is: a reference can only ever
 * become text in an element's content, never markup.
 */
const CHARACTER_REFERENCE = /^&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{0,31});/;

/**
 * Markdown text as HTML element content (rule "text is escaped by us"): `<`, `>`, `"`, `'` always
 * escaped, `&` too unless it starts a character reference. It ignores marked's `escaped` flag on
 * purpose: after an inline raw tag marked marks the text that follows as already escaped.
 */
export function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c, at: number) => (c === '&' && CHARACTER_REFERENCE.test(s.slice(at, at + 40)) ? '&' : HTML_ESCAPES[c]));
}
