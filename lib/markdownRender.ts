/**
 * A step's Markdown output as safe HTML, streamed (product spec 2, HTML files).
 *
 * ## Escaping by construction
 * marked hands every piece of the output to our renderer; we override every method that writes
 * text or an attribute, so our escape runs whatever marked's `escaped` flag says (marked marks the
 * text after an inline raw tag such as `<code>` as already escaped, and its own `text` would write
 * it raw):
 * - text, everywhere (paragraphs, headings, list items, table cells, link text): {@link escapeText}
 *   (the cells of plain rows hold no character to escape: lib/markdownPlainTable.ts);
 * - raw HTML, block or inline (`<script>`, `<img onerror>`, `<iframe>`, `<style>`, `<meta>`,
 *   comments…): ESCAPED, so it shows as text and never becomes markup;
 * - code spans and code blocks: escaped, whatever `escaped` says; a block's language becomes a class
 *   of safe characters only;
 * - links: the URL decoded and allow-listed (lib/safeUrl.ts: http, https, mailto, `#...`); any other
 *   link is rendered as its text alone; titles escaped;
 * - images load nothing: a `data:` raster image is kept, a remote image becomes a link (a click,
 *   never an automatic request), any other is dropped to its alt text;
 * - table alignment: a class, never a `style` (the CSP allows none).
 * Then every piece passes the allow-list sanitiser (lib/htmlSanitize.ts), but for table rows of
 * plain cells alone (see `allPlain`).
 */
import { Marked, type Token, type Tokens } from 'marked';
import { LINK_REL } from './htmlAllowList';
import { escapeHtml, escapeText } from './htmlEscape';
import { sanitizeOutputHtml, type Removed } from './htmlSanitize';
import { markdownSegments, SEGMENT_CHARS } from './markdownSegments';
import { plainLineOf, plainRowHtml, plainRowsTable } from './markdownPlainTable';
import { safeImageUrl, safeLinkUrl } from './safeUrl';

/**
 * What the renderer kept out of an output: markup the sanitiser refused, or (rule "Markdown too deep
 * to parse") a segment marked could not read, `chars` long, shown as plain text instead.
 */
export type RenderNote = Removed | { kind: 'unparsed'; chars: number };

export interface RenderOptions {
  /** Added to every heading level of the output (capped at 6), so it nests under ours. */
  headingOffset: number;
  /** Told of everything the sanitiser refused (nothing, unless the renderer has a bug) and of every segment left unparsed. */
  onRemoved?: (r: RenderNote) => void;
  /** Off: every table goes through marked's table rule and every cell through its inline lexer (tests compare both; the output is the same). */
  plainCells?: boolean;
}

/** Renders tables ourselves, so that a table cut across segments is one `<table>` in the output. */
function tableHead(t: Tokens.Table, inline: (tokens: Token[]) => string): string {
  const cells = t.header.map((c) => `<th${alignClass(c.align)}>${inline(c.tokens)}</th>`).join('');
  return `<table>\n<thead>\n<tr>${cells}</tr>\n</thead>\n<tbody>\n`;
}
function tableRows(t: Tokens.Table, inline: (tokens: Token[]) => string): string {
  const cellTags = t.align.map((a) => `<td${alignClass(a)}>`);
  let out = '';
  for (const row of t.rows) {
    const plain = plainLineOf(row);
    out += plain !== undefined ? plainRowHtml(plain, cellTags) : `<tr>${row.map((c) => `<td${alignClass(c.align)}>${inline(c.tokens)}</td>`).join('')}</tr>\n`;
  }
  return out;
}
/**
 * Rule "plain rows are not sanitised again": rows of plain cells alone (lib/markdownPlainTable.ts)
 * are our own four tags around text of letters, digits and `.,:%+-` alone, which the sanitiser
 * gives back unchanged (a property test holds it to that); they skip it, the rest of the piece does not.
 */
const allPlain = (t: Tokens.Table) => t.rows.every((row) => plainLineOf(row) !== undefined);
/** Rule "alignment as classes": `align-left`, `align-center`, `align-right` (see ALIGN_CLASSES). */
const alignClass = (a: string | null) => (a === 'left' || a === 'right' || a === 'center' ? ` class="align-${a}"` : '');
const TABLE_END = '</tbody>\n</table>\n';
const CODE_END = '</code></pre>\n';

/** A code block's language as a class: its first word, only `[A-Za-z0-9_+#.-]`, at most 64. */
export function codeLanguageClass(lang: string | undefined): string {
  const word = ((lang ?? '').match(/^\S*/)?.[0] ?? '').replace(/[^\w+#.-]/g, '').slice(0, 64);
  return word ? `language-${word}` : '';
}
function codeStart(t: Tokens.Code): string {
  const cls = codeLanguageClass(t.lang);
  return cls ? `<pre><code class="${cls}">` : '<pre><code>';
}
/** A code block's text, escaped whatever marked's `escaped` says, ending in one `\n`. */
const codeBody = (text: string) => (text ? `${escapeHtml(text.replace(/\n$/, ''))}\n` : '');

/** A `Marked` configured for exported outputs: every text-writing renderer ours, headings shifted. */
function createMarked(opts: RenderOptions): Marked {
  return new Marked({
    gfm: true,
    breaks: false,
    async: false,
    ...(opts.plainCells === false ? {} : { tokenizer: { table: plainRowsTable } }),
    renderer: {
      text(token: Tokens.Text | Tokens.Escape) {
        return 'tokens' in token && token.tokens ? this.parser.parseInline(token.tokens) : escapeText(token.text);
      },
      codespan({ text }: Tokens.Codespan) {
        return `<code>${escapeHtml(text)}</code>`;
      },
      code(token: Tokens.Code) {
        return codeStart(token) + codeBody(token.text) + CODE_END;
      },
      // Raw HTML, block or inline: shown as text, never markup.
      html(token: Tokens.HTML | Tokens.Tag) {
        const text = escapeHtml(token.text);
        return 'block' in token && token.block ? `<pre class="raw-html"><code>${text.replace(/\n+$/, '')}</code></pre>\n` : text;
      },
      heading({ tokens, depth }: Tokens.Heading) {
        const level = Math.min(6, depth + opts.headingOffset);
        return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
      },
      list(token: Tokens.List) {
        const tag = token.ordered ? 'ol' : 'ul';
        const start = token.ordered && token.start !== 1 && /^\d{1,9}$/.test(String(token.start)) ? ` start="${Number(token.start)}"` : '';
        return `<${tag}${start}>\n${token.items.map((item) => this.listitem(item)).join('')}</${tag}>\n`;
      },
      checkbox({ checked }: Tokens.Checkbox) {
        return `<input ${checked ? 'checked="" ' : ''}disabled="" type="checkbox"> `;
      },
      // Tables nested in a quote or a list item come here; top-level ones are joined across segments below.
      table(token: Tokens.Table) {
        const inline = (t: Token[]) => this.parser.parseInline(t);
        return tableHead(token, inline) + tableRows(token, inline) + TABLE_END;
      },
      link({ href, title, tokens }: Tokens.Link) {
        const text = this.parser.parseInline(tokens);
        const url = safeLinkUrl(href);
        if (url === null) return `<span class="unsafe-link" title="Link removed: only http, https and mailto links are kept">${text}</span>`;
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(url)}"${t} rel="${LINK_REL}">${text}</a>`;
      },
      image({ href, title, text, tokens }: Tokens.Image) {
        const alt = tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : text;
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        const data = safeImageUrl(href);
        if (data !== null) return `<img src="${escapeHtml(data)}" alt="${escapeHtml(alt)}"${t}>`;
        const link = safeLinkUrl(href);
        const label = `[image${alt ? `: ${escapeHtml(alt)}` : ''}]`;
        // A remote image is never loaded: it becomes a link the reader may follow.
        if (link !== null && !link.startsWith('#')) return `<a class="image-link" href="${escapeHtml(link)}"${t} rel="${LINK_REL}">${label}</a>`;
        return `<span class="image-removed">${label}</span>`;
      },
    },
  });
}

/**
 * A step's Markdown output as safe HTML, in pieces (one or a few per segment of the input), each
 * passed through the sanitiser. Reference link definitions carry over from earlier segments (a
 * definition after its use in a huge output, past a segment cut, leaves that one link as text).
 */
export async function* renderOutputHtml(source: AsyncIterable<string> | Iterable<string>, opts: RenderOptions, soft = SEGMENT_CHARS): AsyncGenerator<string> {
  const marked = createMarked(opts);
  const clean = (html: string) => sanitizeOutputHtml(html, opts.onRemoved);
  const links: Record<string, { href: string | null; title: string | null }> = Object.create(null);
  /** What closes the table / code the previous segment left open. */
  let open: { kind: 'table' | 'code'; end: string } | null = null;
  for await (const seg of markdownSegments(source, soft)) {
    const lexer = new marked.Lexer(marked.defaults);
    Object.assign(lexer.tokens.links, links);
    let tokens: Token[];
    try {
      tokens = lexer.lex(seg.text);
    } catch {
      // Rule "Markdown too deep to parse": marked's lexer recurses once per level of quotes, lists
      // and emphasis, so a few thousand levels overflow the stack (RangeError in Chromium,
      // InternalError "too much recursion" in Firefox). The segment is shown as it is, escaped,
      // nothing of it lost, and the document's note says so; the output goes on after it.
      if (open) yield open.end;
      open = null;
      opts.onRemoved?.({ kind: 'unparsed', chars: seg.text.length });
      yield clean(`<pre class="unparsed">${escapeHtml(seg.text)}</pre>\n`);
      continue;
    }
    Object.assign(links, lexer.tokens.links);
    const parser = new marked.Parser(marked.defaults);
    const inline = (t: Token[]) => parser.parseInline(t);
    /** Sanitised HTML, then HTML still to be sanitised; rows of plain cells go straight to `done`. */
    let done = '';
    let out = '';
    const rows = (t: Tokens.Table) => {
      const html = tableRows(t, inline);
      if (!allPlain(t)) out += html;
      else {
        done += clean(out) + html;
        out = '';
      }
    };
    let last = tokens.length - 1;
    while (last >= 0 && tokens[last].type === 'space') last--;
    let start = 0;
    // Where this segment continues the previous one, join the halves.
    if (open) {
      const idx = tokens.findIndex((t) => t.type !== 'space');
      const head = idx >= 0 ? tokens[idx] : undefined;
      if (head && seg.continues === open.kind && head.type === open.kind) {
        if (head.type === 'table') rows(head as Tokens.Table);
        else out += codeBody((head as Tokens.Code).text);
        start = idx + 1;
        if (idx !== last) {
          out += open.end;
          open = null;
        }
      } else {
        out += open.end;
        open = null;
      }
    }
    for (let i = start; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type === 'table') {
        out += tableHead(t as Tokens.Table, inline);
        rows(t as Tokens.Table);
        if (i === last) open = { kind: 'table', end: TABLE_END };
        else out += TABLE_END;
      } else if (t.type === 'code' && i === last) {
        out += codeStart(t as Tokens.Code) + codeBody((t as Tokens.Code).text);
        open = { kind: 'code', end: CODE_END };
      } else out += parser.parse([t]);
      if (done.length + out.length >= 64 * 1024) {
        yield done + clean(out);
        done = out = '';
      }
    }
    if (done || out) yield done + clean(out);
  }
  if (open) yield open.end;
}
