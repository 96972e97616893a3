/**
 * Execution exports (product spec 2): the plan of file names and the documents, as pure functions.
 * Runs in the worker (no DOM), in extension pages and in Node tests.
 *
 * Documents are produced as async generators of string pieces, never as one string: a step output
 * may be megabytes and an execution may have thousands of steps, so the worker encodes and zips each
 * piece as it comes (see workers/execution.ts).
 *
 * ## Sanitising the HTML (decision)
 * The engine runs in a Web Worker, where there is no DOM, so DOMPurify (which needs one) cannot run
 * there, and `sanitize-html` pulls Node modules (postcss, htmlparser2 with Node streams) into the
 * worker bundle. Instead the Markdown is made safe at the token level, where marked hands every
 * piece of the document to our renderer before it becomes HTML:
 * - every raw HTML token (block or inline: `<script>`, `<img onerror>`, `<iframe>`, `<style>`,
 *   `<form>`, `<svg onload>`, comments…) is ESCAPED, so it shows as text and never becomes markup:
 *   no element, no attribute, no event handler can come from a step's output;
 * - link URLs are decoded (character references, control characters) and then allow-listed:
 *   `http:`, `https:`, `mailto:` and `#fragment` only; any other link (`javascript:`, `data:`,
 *   `vbscript:`, relative paths…) is rendered as its text alone;
 * - images load nothing: a `data:image/{png,jpeg,gif,webp}` image is kept, a remote image becomes a
 *   link (a click, never an automatic request), any other is dropped to its alt text;
 * - every attribute value we write is escaped; text everywhere else is escaped by marked.
 * Defence in depth: every HTML file starts with a Content-Security-Policy meta element
 * ({@link HTML_CSP}: `default-src 'none'`, only inline style and `data:` images), so even a bug
 * above could neither run script nor load anything, and `no-referrer` for links the user clicks.
 * Markdown files hold each output verbatim: it is the platform's own Markdown, and a `.md` file runs
 * nothing by itself.
 */
import { Marked, type Token, type Tokens } from 'marked';
import type { ExecutionRequest } from './jobs';
import { formatDuration } from './jobs';
import type { Execution, Step } from './platform';
import {
  MAX_SEGMENT_BYTES,
  PathDeduper,
  executionArchiveFileName,
  executionArchiveName,
  limitSegmentBytes,
  stepFileName,
  stepNameCounts,
} from './naming';

export type ExecutionFormat = ExecutionRequest['format'];
export interface ExecutionExportOptions {
  format: ExecutionFormat;
  combine: boolean;
}

/**
 * The request the UI (execution page, executions list, popup) hands to
 * `actions.startExport(...)`: that one call is "the export" (spec 2 and 3); the engine runs it with
 * `exportExecution` (workers/execution.ts) and streams the ZIP to the downloads.
 */
export function executionExportRequest(origin: string, executionId: string, options: ExecutionExportOptions): ExecutionRequest {
  return { kind: 'execution', origin, executionId, format: options.format, combine: options.combine };
}

export const DEFAULT_EXECUTION_OPTIONS: ExecutionExportOptions = { format: 'markdown', combine: false };

/** The Content-Security-Policy of every exported HTML file (defence in depth, see the top). */
export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'";

export const fileExtension = (format: ExecutionFormat): '.md' | '.html' => (format === 'html' ? '.html' : '.md');

// ---------------------------------------------------------------------------------------------
// The plan of names
// ---------------------------------------------------------------------------------------------

export interface PlannedStep {
  step: Step;
  /** 1-based position in the execution (anchors `#step-N`). */
  index: number;
  /** Whether the step's name occurs more than once (its iteration is part of its name). */
  repeated: boolean;
  /** Its file in the ZIP (one file per step), or '' when the steps are combined. */
  path: string;
}

export interface ExecutionPlan {
  /** `<workflow_name>_<YYYY-MM-DD_HH-mm-ss>_<execution_id>.zip`, at most 200 UTF-8 bytes. */
  archiveFileName: string;
  /** The combined file (`<archive name>.md|.html`), or null for one file per step. */
  combinedPath: string | null;
  steps: PlannedStep[];
}

/**
 * Every name of an execution export (spec 2): the archive name with the UTC start time; one file per
 * step `<step_name>_<status>.<ext>`, with `_<iteration>` for names that occur more than once; all
 * sanitised as in 1b, then deduplicated (two names may sanitise alike, `a/b` and `a:b`).
 */
export function planExecutionExport(execution: Execution, options: ExecutionExportOptions): ExecutionPlan {
  const ext = fileExtension(options.format);
  const archiveFileName = executionArchiveFileName(execution.workflow.name, execution.startedAt, execution.id);
  const counts = stepNameCounts(execution.steps);
  const deduper = new PathDeduper();
  const combinedPath = options.combine
    ? deduper.claim(limitSegmentBytes(executionArchiveName(execution.workflow.name, execution.startedAt, execution.id) + ext, MAX_SEGMENT_BYTES))
    : null;
  const steps = execution.steps.map((step, i) => ({
    step,
    index: i + 1,
    repeated: (counts.get(step.name) ?? 0) > 1,
    path: options.combine ? '' : deduper.claim(stepFileName(step, counts, ext)),
  }));
  return { archiveFileName, combinedPath, steps };
}

// ---------------------------------------------------------------------------------------------
// Details
// ---------------------------------------------------------------------------------------------

/** `2024-03-05 07:08:09 UTC` (a zoneless ISO value is read as UTC); '' for null; unparseable: as is. */
export function formatUtcTimestamp(value: string | null): string {
  if (value === null || value === '') return '';
  const text = value.trim();
  const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  const d = new Date(zoneless ? `${text.replace(' ', 'T')}Z` : text);
  if (Number.isNaN(d.getTime())) return text;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** Time from start to finish: `850 ms`, `42 s`, `3 min 5 s`; '' when not finished or unparseable. */
export function formatStepDuration(startedAt: string, finishedAt: string | null): string {
  if (!finishedAt) return '';
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${ms} ms` : formatDuration(ms / 1000);
}

export interface Detail {
  label: string;
  value: string;
}

/** A step's details, in the spec's order: name, status, iteration, start, finish, duration. */
export function stepDetails(step: Step): Detail[] {
  return [
    { label: 'Step', value: step.name },
    { label: 'Status', value: step.status },
    { label: 'Iteration', value: String(step.iteration) },
    { label: 'Started', value: formatUtcTimestamp(step.startedAt) },
    { label: 'Finished', value: formatUtcTimestamp(step.finishedAt) || 'not finished' },
    { label: 'Duration', value: formatStepDuration(step.startedAt, step.finishedAt) || '—' },
  ];
}

/** The execution's own details (top of every file). */
export function executionDetails(execution: Execution): Detail[] {
  return [
    { label: 'Workflow', value: execution.workflow.name },
    { label: 'Execution', value: execution.id },
    { label: 'Status', value: execution.status },
    { label: 'Started', value: formatUtcTimestamp(execution.startedAt) },
    { label: 'Finished', value: formatUtcTimestamp(execution.finishedAt) || 'not finished' },
    { label: 'Duration', value: formatStepDuration(execution.startedAt, execution.finishedAt) || '—' },
    { label: 'Steps', value: String(execution.steps.length) },
  ];
}

/** How a step is called in headings and the table of contents: `Retry loop (iteration 2)`. */
export function stepTitle(p: Pick<PlannedStep, 'step' | 'repeated'>): string {
  return p.repeated ? `${p.step.name} (iteration ${p.step.iteration})` : p.step.name;
}

// ---------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A value shown as literal text in Markdown: one line, every character that means something escaped. */
export function escapeMarkdownInline(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>|~&#!]/g, '\\$&')
    .trim();
}

const NAMED_REFERENCES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n',
  sol: '/', lpar: '(', rpar: ')', period: '.', comma: ',', excl: '!', num: '#', percnt: '%', quest: '?',
};

/** Character references decoded (numeric and the few named ones that can hide a scheme), as a browser would. */
function decodeReferences(s: string): string {
  return s.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z]+));?/g, (m, dec: string, hex: string, name: string) => {
    if (name) return NAMED_REFERENCES[name.toLowerCase()] ?? m;
    const cp = dec ? Number(dec) : parseInt(hex, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

/**
 * A URL fit for an `href`, or null. Decoded first (character references, then controls and spaces
 * removed, as browsers do before reading the scheme), so what is checked is what a browser would see.
 */
export function safeLinkUrl(href: string): string | null {
  const url = decodeReferences(href).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (/^#[^#]*$/.test(url)) return url;
  if (/^(https?:\/\/|mailto:)/i.test(url)) return url;
  return null;
}

/** An image source that loads nothing: a `data:` raster image, else null. */
export function safeImageUrl(href: string): string | null {
  const url = decodeReferences(href).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  return /^data:image\/(png|jpeg|jpg|gif|webp);base64,[a-z0-9+/=]*$/i.test(url) ? url : null;
}

// ---------------------------------------------------------------------------------------------
// Markdown → safe HTML, streamed
// ---------------------------------------------------------------------------------------------

/** Lines of a text that arrives in pieces, each with its `\n` (the last may lack it). */
async function* linesOf(source: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of source) {
    rest += chunk.replace(/\r\n?/g, '\n');
    let start = 0;
    for (;;) {
      const nl = rest.indexOf('\n', start);
      if (nl < 0) break;
      yield rest.slice(start, nl + 1);
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  // A '\r' at the very end of a chunk followed by '\n' at the start of the next gives one blank line too many: harmless.
  if (rest) yield rest;
}

/** Outputs are rendered in segments of about this many characters (exact below it). */
export const SEGMENT_CHARS = 256 * 1024;
/** A segment is cut here whatever the structure (a visual break at worst). */
const HARD_SEGMENT_CHARS = 4 * SEGMENT_CHARS;

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const TABLE_DELIMITER = /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const BLANK = /^[ \t]*\n?$/;

interface Segment {
  text: string;
  /** The first block continues the table / fenced code the previous segment ended in. */
  continues: 'table' | 'code' | null;
}

/**
 * Cuts a Markdown text that arrives in pieces into segments marked can lex one at a time, so a
 * 5 MB output never becomes one 5 MB token tree. Cuts fall on blank lines outside fenced code;
 * inside a long table the next segment repeats the table's header and delimiter rows, inside long
 * fenced code it repeats the opening fence, and the renderer joins the two halves seamlessly.
 * Below {@link SEGMENT_CHARS} the whole output is one segment, so rendering is exact.
 */
export async function* markdownSegments(source: AsyncIterable<string> | Iterable<string>, soft = SEGMENT_CHARS): AsyncGenerator<Segment> {
  let lines: string[] = [];
  let size = 0;
  let continues: Segment['continues'] = null;
  let fence: { char: string; len: number; line: string } | null = null;
  let table: { header: string; delimiter: string } | null = null;
  let previous = '';
  for await (const line of linesOf(source)) {
    if (fence) {
      const m = /^ {0,3}(`{3,}|~{3,})[ \t]*\n?$/.exec(line);
      if (m && m[1][0] === fence.char && m[1].length >= fence.len) fence = null;
    } else {
      const m = FENCE_OPEN.exec(line.replace(/\n$/, ''));
      if (m && !(m[1][0] === '`' && m[2].includes('`'))) {
        fence = { char: m[1][0], len: m[1].length, line: line.endsWith('\n') ? line : `${line}\n` };
        table = null;
      } else if (table) {
        if (BLANK.test(line)) table = null;
      } else if (TABLE_DELIMITER.test(line.replace(/\n$/, '')) && previous.includes('|') && !BLANK.test(previous)) {
        table = { header: previous.endsWith('\n') ? previous : `${previous}\n`, delimiter: line.endsWith('\n') ? line : `${line}\n` };
      }
    }
    lines.push(line);
    size += line.length;
    previous = line;
    if (size < soft) continue;
    let next: { prefix: string[]; continues: Segment['continues'] } | null = null;
    if (fence) next = line.endsWith('\n') ? { prefix: [fence.line], continues: 'code' } : null;
    else if (table) next = line.endsWith('\n') ? { prefix: [table.header, table.delimiter], continues: 'table' } : null;
    else if (BLANK.test(line)) next = { prefix: [], continues: null };
    else if (size >= HARD_SEGMENT_CHARS && line.endsWith('\n')) next = { prefix: [], continues: null };
    if (!next) continue;
    yield { text: lines.join(''), continues };
    lines = [...next.prefix];
    size = lines.reduce((n, l) => n + l.length, 0);
    continues = next.continues;
  }
  if (lines.length) yield { text: lines.join(''), continues };
}

export interface RenderOptions {
  /** Added to every heading level of the output (capped at 6), so it nests under ours. */
  headingOffset: number;
}

/** A `Marked` configured for exported outputs: safe renderer (see the top), headings shifted. */
function createMarked(opts: RenderOptions): Marked {
  return new Marked({
    gfm: true,
    breaks: false,
    async: false,
    renderer: {
      // Raw HTML, block or inline: shown as text, never markup.
      html(token: Tokens.HTML | Tokens.Tag) {
        const text = escapeHtml(token.text);
        return 'block' in token && token.block ? `<pre class="raw-html"><code>${text.replace(/\n+$/, '')}</code></pre>\n` : text;
      },
      heading({ tokens, depth }: Tokens.Heading) {
        const level = Math.min(6, depth + opts.headingOffset);
        return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
      },
      link({ href, title, tokens }: Tokens.Link) {
        const text = this.parser.parseInline(tokens);
        const url = safeLinkUrl(href);
        if (url === null) return `<span class="unsafe-link" title="Link removed: only http, https and mailto links are kept">${text}</span>`;
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(url)}"${t} rel="noopener noreferrer nofollow">${text}</a>`;
      },
      image({ href, title, text, tokens }: Tokens.Image) {
        const alt = tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : text;
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        const data = safeImageUrl(href);
        if (data !== null) return `<img src="${escapeHtml(data)}" alt="${escapeHtml(alt)}"${t}>`;
        const link = safeLinkUrl(href);
        const label = `[image${alt ? `: ${escapeHtml(alt)}` : ''}]`;
        // A remote image is never loaded: it becomes a link the reader may follow.
        if (link !== null && !link.startsWith('#'))
          return `<a class="image-link" href="${escapeHtml(link)}"${t} rel="noopener noreferrer nofollow">${label}</a>`;
        return `<span class="image-removed">${label}</span>`;
      },
    },
  });
}

/** Renders tables ourselves, so that a table cut across segments is one `<table>` in the output. */
function tableHead(t: Tokens.Table, inline: (tokens: Token[]) => string): string {
  const cells = t.header.map((c) => `<th${alignAttr(c.align)}>${inline(c.tokens)}</th>`).join('');
  return `<table>\n<thead>\n<tr>${cells}</tr>\n</thead>\n<tbody>\n`;
}
function tableRows(t: Tokens.Table, inline: (tokens: Token[]) => string): string {
  let out = '';
  for (const row of t.rows) out += `<tr>${row.map((c) => `<td${alignAttr(c.align)}>${inline(c.tokens)}</td>`).join('')}</tr>\n`;
  return out;
}
const alignAttr = (a: string | null) => (a === 'left' || a === 'right' || a === 'center' ? ` style="text-align:${a}"` : '');
const TABLE_END = '</tbody>\n</table>\n';
const CODE_END = '</code></pre>\n';
function codeStart(t: Tokens.Code): string {
  const lang = (t.lang ?? '').match(/^\S*/)?.[0] ?? '';
  return lang ? `<pre><code class="language-${escapeHtml(lang)}">` : '<pre><code>';
}

/**
 * A step's Markdown output as safe HTML, in pieces (one or a few per segment of the input). Reference
 * link definitions carry over from earlier segments (a definition after its use in a huge output,
 * past a segment cut, leaves that one link as text).
 */
export async function* renderOutputHtml(source: AsyncIterable<string> | Iterable<string>, opts: RenderOptions, soft = SEGMENT_CHARS): AsyncGenerator<string> {
  const marked = createMarked(opts);
  const links: Record<string, { href: string | null; title: string | null }> = Object.create(null);
  /** What closes the table / code the previous segment left open. */
  let open: { kind: 'table' | 'code'; end: string } | null = null;
  for await (const seg of markdownSegments(source, soft)) {
    const lexer = new marked.Lexer(marked.defaults);
    Object.assign(lexer.tokens.links, links);
    const tokens = lexer.lex(seg.text);
    Object.assign(links, lexer.tokens.links);
    const parser = new marked.Parser(marked.defaults);
    const inline = (t: Token[]) => parser.parseInline(t);
    let out = '';
    let last = tokens.length - 1;
    while (last >= 0 && tokens[last].type === 'space') last--;
    let start = 0;
    // Where this segment continues the previous one, join the halves.
    if (open) {
      const idx = tokens.findIndex((t) => t.type !== 'space');
      const head = idx >= 0 ? tokens[idx] : undefined;
      if (head && seg.continues === open.kind && head.type === open.kind) {
        if (head.type === 'table') out += tableRows(head as Tokens.Table, inline);
        else out += escapeHtml((head as Tokens.Code).text) + '\n';
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
        out += tableHead(t as Tokens.Table, inline) + tableRows(t as Tokens.Table, inline);
        if (i === last) open = { kind: 'table', end: TABLE_END };
        else out += TABLE_END;
      } else if (t.type === 'code' && i === last) {
        out += codeStart(t as Tokens.Code) + escapeHtml((t as Tokens.Code).text) + '\n';
        open = { kind: 'code', end: CODE_END };
      } else out += parser.parse([t]);
      if (out.length >= 64 * 1024) {
        yield out;
        out = '';
      }
    }
    if (out) yield out;
  }
  if (open) yield open.end;
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/** What the worker hands over for one step: its output in pieces, or why there is none. */
export interface StepOutputSource {
  /** The output's text in pieces; null when it could not be downloaded at all. */
  chunks: AsyncIterable<string> | null;
  /** Why the output is missing or cut short; read once `chunks` has ended. */
  failure(): string | null;
}

export interface StepDocumentInput {
  execution: Execution;
  planned: PlannedStep;
  output: StepOutputSource;
}

const failureNote = (reason: string) =>
  `The output of this step could not be downloaded completely (${reason}). It is listed in export-report.csv.`;

// --- Markdown -----------------------------------------------------------------------------------

function markdownDetails(details: Detail[]): string {
  return details.map((d) => `- **${d.label}:** ${escapeMarkdownInline(d.value) || '—'}`).join('\n') + '\n';
}

/**
 * Closes a fenced code block an output leaves open, so it can't swallow what follows it in a
 * combined Markdown file. Watches the lines as they pass.
 */
class FenceWatcher {
  private rest = '';
  private fence: { char: string; len: number } | null = null;
  push(chunk: string) {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    for (const l of lines) this.line(l);
  }
  private line(l: string) {
    if (this.fence) {
      const m = /^ {0,3}(`{3,}|~{3,})[ \t]*\r?$/.exec(l);
      if (m && m[1][0] === this.fence.char && m[1].length >= this.fence.len) this.fence = null;
    } else {
      const m = FENCE_OPEN.exec(l);
      if (m && !(m[1][0] === '`' && m[2].includes('`'))) this.fence = { char: m[1][0], len: m[1].length };
    }
  }
  /** What to append after the output: a closing fence when one is open. */
  end(): string {
    if (this.rest) this.line(this.rest);
    this.rest = '';
    return this.fence ? `\n${this.fence.char.repeat(this.fence.len)}\n` : '';
  }
}

async function* markdownOutput(output: StepOutputSource, guard: boolean): AsyncGenerator<string> {
  if (!output.chunks) {
    yield `> ${failureNote(output.failure() ?? 'unknown error')}\n`;
    return;
  }
  const watcher = guard ? new FenceWatcher() : null;
  let any = false;
  let endsWithNewline = true;
  for await (const chunk of output.chunks) {
    if (!chunk) continue;
    any = true;
    watcher?.push(chunk);
    endsWithNewline = chunk.endsWith('\n');
    yield chunk;
  }
  if (!any) yield '_No output._\n';
  else if (!endsWithNewline) yield '\n';
  const close = watcher?.end();
  if (close) yield close;
  const failure = output.failure();
  if (failure) yield `\n> ${failureNote(failure)}\n`;
}

/** One step's Markdown file: its details, then its output verbatim. */
export async function* stepMarkdownDocument(input: StepDocumentInput): AsyncGenerator<string> {
  const { execution, planned } = input;
  yield `# ${escapeMarkdownInline(stepTitle(planned))}\n\n`;
  yield `Workflow **${escapeMarkdownInline(execution.workflow.name)}**, execution \`${execution.id.replace(/`/g, "'")}\`, step ${planned.index} of ${execution.steps.length}.\n\n`;
  yield markdownDetails(stepDetails(planned.step));
  yield '\n## Output\n\n';
  yield* markdownOutput(input.output, false);
}

/** The combined Markdown file: the execution's details, a table of contents, every step in order. */
export async function* combinedMarkdownDocument(
  execution: Execution,
  steps: AsyncIterable<{ planned: PlannedStep; output: StepOutputSource }>,
  plan: PlannedStep[],
): AsyncGenerator<string> {
  yield `# ${escapeMarkdownInline(execution.workflow.name)}: execution ${escapeMarkdownInline(execution.id)}\n\n`;
  yield markdownDetails(executionDetails(execution));
  yield '\n## Contents\n\n';
  let toc = '';
  for (const p of plan) {
    toc += `${p.index}. [${escapeMarkdownInline(stepTitle(p))}](#step-${p.index}) (${escapeMarkdownInline(p.step.status)})\n`;
    if (toc.length > 64 * 1024) {
      yield toc;
      toc = '';
    }
  }
  yield toc;
  for await (const { planned, output } of steps) {
    yield `\n<a id="step-${planned.index}"></a>\n\n## ${planned.index}. ${escapeMarkdownInline(stepTitle(planned))}\n\n`;
    yield markdownDetails(stepDetails(planned.step));
    yield '\n### Output\n\n';
    yield* markdownOutput(output, true);
    yield '\n[Back to contents](#contents)\n';
  }
}

// --- HTML ---------------------------------------------------------------------------------------

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; max-width: 960px; margin: 24px auto; padding: 0 20px; overflow-wrap: anywhere; }
h1 { font-size: 1.6em; margin: 0 0 .3em; } h2 { font-size: 1.3em; margin-top: 1.6em; } h3 { font-size: 1.1em; }
.sub { color: #64748b; margin: 0 0 1em; }
table { border-collapse: collapse; margin: .8em 0; }
th, td { border: 1px solid #cbd5e1; padding: 4px 8px; vertical-align: top; text-align: left; }
table.details th { background: #f1f5f9; font-weight: 600; white-space: nowrap; }
thead th { background: #f1f5f9; }
pre { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 6px; padding: 10px 12px; overflow: auto; }
code { font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; }
blockquote { border-left: 4px solid #cbd5e1; margin: .8em 0; padding: 0 12px; color: #475569; }
.status { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: .85em; background: #f1f5f9; }
.status-success { background: #e3f6ea; color: #17753a; } .status-failed { background: #fde8e8; color: #b42323; }
.status-skipped, .status-cancelled { background: #f1f1f1; color: #6b7280; } .status-running { background: #e6eeff; color: #2544a8; }
.output { border-top: 1px solid #e2e8f0; padding-top: .4em; }
.note { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 6px; padding: 8px 12px; }
.muted, .unsafe-link, .image-removed { color: #64748b; }
nav ol { padding-left: 2.2em; } nav li { margin: 2px 0; }
section.step { border-top: 2px solid #e2e8f0; margin-top: 2em; }
img { max-width: 100%; }
`.trim();

/** `<!doctype html>` … `<body>`: UTF-8, the CSP first, inline style, nothing external. */
export function htmlDocumentStart(title: string): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_CSP)}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="generator" content="Workflow Exporter">\n' +
    '<link rel="icon" href="data:,">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>\n${STYLE}\n</style>\n</head>\n<body>\n`
  );
}
export const HTML_DOCUMENT_END = '</body>\n</html>\n';

function htmlDetails(details: Detail[]): string {
  const rows = details
    .map((d) => {
      const value = d.label === 'Status' ? `<span class="status status-${escapeHtml(d.value.replace(/[^a-z]/gi, ''))}">${escapeHtml(d.value)}</span>` : escapeHtml(d.value);
      return `<tr><th scope="row">${escapeHtml(d.label)}</th><td>${value}</td></tr>`;
    })
    .join('\n');
  return `<table class="details">\n${rows}\n</table>\n`;
}

async function* htmlOutput(output: StepOutputSource, headingOffset: number): AsyncGenerator<string> {
  yield '<div class="output">\n';
  if (!output.chunks) {
    yield `<p class="note" role="note">${escapeHtml(failureNote(output.failure() ?? 'unknown error'))}</p>\n`;
  } else {
    let any = false;
    for await (const piece of renderOutputHtml(output.chunks, { headingOffset })) {
      if (piece) any = true;
      yield piece;
    }
    if (!any) yield '<p class="muted">No output.</p>\n';
    const failure = output.failure();
    if (failure) yield `<p class="note" role="note">${escapeHtml(failureNote(failure))}</p>\n`;
  }
  yield '</div>\n';
}

/** One step's standalone HTML file: details, then its output rendered by marked and made safe. */
export async function* stepHtmlDocument(input: StepDocumentInput): AsyncGenerator<string> {
  const { execution, planned } = input;
  const title = stepTitle(planned);
  yield htmlDocumentStart(`${title} · ${execution.workflow.name} · execution ${execution.id}`);
  yield `<h1>${escapeHtml(title)}</h1>\n`;
  yield `<p class="sub">Workflow <strong>${escapeHtml(execution.workflow.name)}</strong> · execution <code>${escapeHtml(execution.id)}</code> · step ${planned.index} of ${execution.steps.length}</p>\n`;
  yield htmlDetails(stepDetails(planned.step));
  yield '<h2>Output</h2>\n';
  yield* htmlOutput(input.output, 2);
  yield HTML_DOCUMENT_END;
}

/** The combined HTML file: details, a table of contents linking to every step, every step in order. */
export async function* combinedHtmlDocument(
  execution: Execution,
  steps: AsyncIterable<{ planned: PlannedStep; output: StepOutputSource }>,
  plan: PlannedStep[],
): AsyncGenerator<string> {
  yield htmlDocumentStart(`${execution.workflow.name} · execution ${execution.id}`);
  yield `<h1>${escapeHtml(execution.workflow.name)}: execution <code>${escapeHtml(execution.id)}</code></h1>\n`;
  yield htmlDetails(executionDetails(execution));
  yield '<nav aria-labelledby="contents">\n<h2 id="contents">Contents</h2>\n<ol>\n';
  let toc = '';
  for (const p of plan) {
    toc += `<li><a href="#step-${p.index}">${escapeHtml(stepTitle(p))}</a> <span class="status status-${escapeHtml(p.step.status.replace(/[^a-z]/gi, ''))}">${escapeHtml(p.step.status)}</span></li>\n`;
    if (toc.length > 64 * 1024) {
      yield toc;
      toc = '';
    }
  }
  yield toc + '</ol>\n</nav>\n';
  for await (const { planned, output } of steps) {
    yield `<section class="step" id="step-${planned.index}" aria-labelledby="step-${planned.index}-title">\n`;
    yield `<h2 id="step-${planned.index}-title">${planned.index}. ${escapeHtml(stepTitle(planned))}</h2>\n`;
    yield htmlDetails(stepDetails(planned.step));
    yield '<h3>Output</h3>\n';
    yield* htmlOutput(output, 3);
    yield '<p><a href="#contents">Back to contents</a></p>\n</section>\n';
  }
  yield HTML_DOCUMENT_END;
}

/** The document of one step in the chosen format. */
export const stepDocument = (format: ExecutionFormat, input: StepDocumentInput) =>
  format === 'html' ? stepHtmlDocument(input) : stepMarkdownDocument(input);

/** The combined document in the chosen format. */
export const combinedDocument = (
  format: ExecutionFormat,
  execution: Execution,
  steps: AsyncIterable<{ planned: PlannedStep; output: StepOutputSource }>,
  plan: PlannedStep[],
) => (format === 'html' ? combinedHtmlDocument(execution, steps, plan) : combinedMarkdownDocument(execution, steps, plan));

/** A whole document as one string (tests and small previews only). */
export async function collect(pieces: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const p of pieces) s += p;
  return s;
}
