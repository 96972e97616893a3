/**
 * Rule "sanitise every output": the finished HTML of every step's output passes an allow-list
 * sanitiser before it is written, as a second line behind the renderer's own escaping.
 *
 * ## The sanitiser (decision)
 * `xss` (js-xss): it parses HTML as a string, with no DOM (the renderer runs in a Web Worker), no
 * Node built-ins and no install scripts, and it rebuilds every tag it keeps from the pieces it
 * allowed, so what comes out is only what it understood. DOMPurify needs a DOM; `sanitize-html`
 * pulls postcss into the worker and closes every open element of each piece it is given, which
 * would break the rendering in segments (a table cut across segments is one `<table>`).
 *
 * Configured from {@link OUTPUT_ALLOW_LIST} alone: an element not on it is escaped (it shows as
 * text, so nothing is lost), an attribute not on it, or whose value its rule refuses, is dropped,
 * comments are dropped; every kept value is decoded, checked, and written back escaped and quoted.
 * The renderer never emits anything it refuses: whatever it does refuse is reported, so a bug shows.
 */
import { FilterXSS } from 'xss';
import { OUTPUT_ALLOW_LIST, attributeAllowed } from './htmlAllowList';
import { escapeHtml } from './htmlEscape';
import { decodeReferences } from './safeUrl';

/** One thing the sanitiser refused: `<iframe>` (shown as text) or `a[onclick]` (dropped). */
export type Removed = { kind: 'element'; tag: string } | { kind: 'attribute'; tag: string; name: string };

const whiteList = Object.fromEntries(Object.entries(OUTPUT_ALLOW_LIST).map(([tag, attrs]) => [tag, Object.keys(attrs)]));

/** Step output HTML with everything outside the allow-list removed or shown as text. */
export function sanitizeOutputHtml(html: string, onRemoved?: (r: Removed) => void): string {
  const filter = new FilterXSS({
    whiteList,
    allowCommentTag: false,
    css: false,
    onIgnoreTag(tag, tagHtml) {
      onRemoved?.({ kind: 'element', tag });
      return escapeHtml(tagHtml);
    },
    onTagAttr(tag, name, value) {
      const decoded = decodeReferences(value);
      if (attributeAllowed(OUTPUT_ALLOW_LIST, tag, name, decoded)) return `${name}="${escapeHtml(decoded)}"`;
      onRemoved?.({ kind: 'attribute', tag, name });
      return '';
    },
  });
  return filter.process(html);
}
