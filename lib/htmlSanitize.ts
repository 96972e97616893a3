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

/** The sanitiser as configured: xss itself, every refusal told to `onRemoved`. */
export function outputFilter(onRemoved?: (r: Removed) => void): FilterXSS {
  return new FilterXSS({
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
}

/**
 * Step output HTML with everything outside the allow-list removed or shown as text.
 *
 * Performance only, the rules are xss's as configured in {@link outputFilter}: xss reads the HTML
 * a character at a time and rebuilds every tag it meets, and a rendered table repeats the same few
 * tags thousands of times. So this does what xss's `process` does, in the same order, with two
 * shortcuts that give the same result: outside a tag only `<` matters, so it jumps to the next one;
 * and each tag goes through xss on its own (what xss makes of a tag depends on the tag's text
 * alone), its result remembered when nothing in it was refused (a refused one goes through xss
 * again each time, so every refusal is still reported). Input that still holds `<!--` once the
 * comments are stripped goes through xss whole. A property test holds it to xss for any input.
 */
export function sanitizeOutputHtml(html: string, onRemoved?: (r: Removed) => void): string {
  if (!html) return '';
  let refused = false;
  report = (r) => {
    refused = true;
    onRemoved?.(r);
  };
  const stripped = stripCommentTag(html);
  if (stripped.includes('<!--')) return FILTER.process(html);
  return parseTags(stripped, (tag) => {
    const known = TAG_RESULTS.get(tag);
    if (known !== undefined) return known;
    refused = false;
    const result = FILTER.process(tag);
    if (!refused && tag.length <= MAX_REMEMBERED_TAG && TAG_RESULTS.size < MAX_REMEMBERED_TAGS) TAG_RESULTS.set(tag, result);
    return result;
  });
}

/** The one filter of {@link sanitizeOutputHtml}; it tells `report`, set by each call (xss runs synchronously). */
let report: (r: Removed) => void = () => {};
const FILTER = outputFilter((r) => report(r));
/** Tags seen with nothing refused, and what xss made of each. */
const TAG_RESULTS = new Map<string, string>();
const MAX_REMEMBERED_TAGS = 4096;
const MAX_REMEMBERED_TAG = 256;

/** xss's text escape (outside tags). */
const escapeOutside = (text: string) => text.replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** xss's comment removal (`stripCommentTag`), as it runs before its parser: an unclosed comment drops the rest. */
function stripCommentTag(html: string): string {
  let out = '';
  let last = 0;
  while (last < html.length) {
    const i = html.indexOf('<!--', last);
    if (i === -1) {
      out += html.slice(last);
      break;
    }
    out += html.slice(last, i);
    const j = html.indexOf('-->', i);
    if (j === -1) break;
    last = j + 3;
  }
  return out;
}

/**
 * xss's `parseTag`, state for state (a tag starts at `<`, ends at a `>` outside quotes or at the
 * end of the input, restarts at a `<` outside quotes; a quote opens only after `=`), with a jump to
 * the next `<` where xss would look at each character for one.
 */
function parseTags(html: string, onTag: (tag: string) => string): string {
  let out = '';
  let lastPos = 0;
  let tagStart = -1;
  let quote = '';
  const len = html.length;
  for (let pos = 0; pos < len; pos++) {
    if (tagStart < 0) {
      const lt = html.indexOf('<', pos);
      if (lt < 0) break;
      tagStart = pos = lt;
      continue;
    }
    const c = html[pos];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '<') {
      out += escapeOutside(html.slice(lastPos, pos));
      tagStart = lastPos = pos;
    } else if (c === '>' || pos === len - 1) {
      out += escapeOutside(html.slice(lastPos, tagStart)) + onTag(html.slice(tagStart, pos + 1));
      lastPos = pos + 1;
      tagStart = -1;
    } else if (c === '"' || c === "'") {
      for (let i = 1; ; i++) {
        const before = html.charAt(pos - i);
        if (before === '=') {
          quote = c;
          break;
        }
        if (before.trim() !== '') break;
      }
    }
  }
  if (lastPos < len) out += escapeOutside(html.slice(lastPos));
  return out;
}
