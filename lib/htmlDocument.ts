/**
 * The HTML files of an execution export: standalone (UTF-8, the CSP first, one style block, nothing
 * external), the details as tables, each output rendered by lib/markdownRender.ts.
 */
import { executionDetails, failureNote, stepDetails, stepTitle, type Detail, type StepDocumentInput, type StepOutputSource } from './executionDetails';
import type { PlannedStep } from './executionDocs';
import { escapeHtml } from './htmlEscape';
import { htmlCsp, STYLE_BLOCK } from './htmlStyle';
import { renderOutputHtml, type RenderNote } from './markdownRender';
import type { Execution } from './platform';

/** `<!doctype html>` … `<body>`: UTF-8, the CSP first, inline style, nothing external. */
export async function htmlDocumentStart(title: string): Promise<string> {
  const csp = await htmlCsp();
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="generator" content="Workflow Exporter">\n' +
    '<link rel="icon" href="data:,">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${STYLE_BLOCK}</style>\n</head>\n<body>\n`
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

/**
 * What the renderer kept out of an output, said at its end: what the sanitiser refused (nothing the
 * renderer emits, so this only shows if the renderer has a bug; elements it refuses still show, as
 * text), and the text it could not parse as Markdown (shown as plain text).
 */
export function sanitiserNote(notes: RenderNote[]): string {
  const parts: string[] = [];
  const refused = notes.filter((r) => r.kind !== 'unparsed');
  if (refused.length) {
    const names = [...new Set(refused.map((r) => (r.kind === 'element' ? `<${r.tag}>` : `${r.name} on <${r.tag}>`)))];
    const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? `, and ${names.length - 10} more` : '');
    parts.push(`The sanitiser kept ${refused.length} piece${refused.length === 1 ? '' : 's'} of markup out of this output (${shown}); elements are shown as text, attributes were dropped.`);
  }
  let chars = 0;
  for (const r of notes) if (r.kind === 'unparsed') chars += r.chars;
  if (chars)
    parts.push(`${chars.toLocaleString('en')} characters of this output could not be read as Markdown (nested thousands of levels deep, or the parser failed on them): they are shown as plain text.`);
  return parts.join(' ');
}

/**
 * A step's output: `div.output` holds what the renderer made of it and nothing else (the allow-list
 * of outputs applies there); the document's own notes (no output, kept out, cut short) follow it.
 */
async function* htmlOutput(output: StepOutputSource, headingOffset: number): AsyncGenerator<string> {
  if (!output.chunks) {
    yield `<p class="note" role="note">${escapeHtml(failureNote(output.failure() ?? 'unknown error'))}</p>\n`;
    return;
  }
  yield '<div class="output">\n';
  let any = false;
  const removed: RenderNote[] = [];
  const onRemoved = (r: RenderNote) => removed.push(r);
  const pieces = output.rendered ? output.rendered(onRemoved) : renderOutputHtml(output.chunks, { headingOffset, onRemoved });
  for await (const piece of pieces) {
    if (piece) any = true;
    yield piece;
  }
  yield '</div>\n';
  if (!any) yield '<p class="muted">No output.</p>\n';
  if (removed.length) {
    const note = sanitiserNote(removed);
    yield `<p class="note" role="note">${escapeHtml(note)}</p>\n`;
    output.sanitised?.(note);
  }
  const failure = output.failure();
  if (failure) yield `<p class="note" role="note">${escapeHtml(failureNote(failure))}</p>\n`;
}

/** One step's standalone HTML file: details, then its output rendered by marked and made safe. */
export async function* stepHtmlDocument(input: StepDocumentInput): AsyncGenerator<string> {
  const { execution, planned } = input;
  const title = stepTitle(planned);
  yield await htmlDocumentStart(`${title} · ${execution.workflow.name} · execution ${execution.id}`);
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
  yield await htmlDocumentStart(`${execution.workflow.name} · execution ${execution.id}`);
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

