/**
 * The Markdown files of an execution export: the details, then each output verbatim (it is the
 * platform's own Markdown, and a `.md` file runs nothing by itself).
 */
import { executionDetails, failureNote, stepDetails, stepTitle, type Detail, type StepDocumentInput, type StepOutputSource } from './executionDetails';
import type { PlannedStep } from './executionDocs';
import type { Execution } from './platform';
import { FENCE_OPEN } from './markdownSegments';

/** A value shown as literal text in Markdown: one line, every character that means something escaped. */
export function escapeMarkdownInline(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>|~&#!]/g, '\\$&')
    .trim();
}

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

