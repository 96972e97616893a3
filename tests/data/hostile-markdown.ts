/**
 * The hostile Markdown corpus (tests/data/hostile-markdown.json): every payload in every context,
 * then every whole document. Used by the unit tests and by tests/e2e/hostile-html.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Execution } from '../../lib/platform';

interface CorpusFile {
  contexts: string[];
  payloads: string[];
  documents: string[];
}

export interface HostileInput {
  /** `c3-p17` (context 3, payload 17) or `d4` (document 4), for messages and file names. */
  id: string;
  markdown: string;
}

const file = JSON.parse(readFileSync(join(import.meta.dirname, 'hostile-markdown.json'), 'utf8')) as CorpusFile;

export const HOSTILE_CONTEXTS: readonly string[] = file.contexts;
export const HOSTILE_PAYLOADS: readonly string[] = file.payloads;

/**
 * Markdown nested too deeply for marked's lexer (rule "Markdown too deep to parse" in
 * lib/markdownRender.ts: shown as escaped text), each with a payload at its heart.
 */
export const DEEP_MARKDOWN: readonly string[] = [
  `${'>'.repeat(5000)} <img src=x onerror=alert(1)>\n`,
  `${'- '.repeat(5000)}<script>alert(1)</script>\n`,
  `${'*'.repeat(20000)}<svg onload=alert(1)>${'*'.repeat(20000)}\n`,
  `# before\n\n${'> - '.repeat(3000)}[x](javascript:alert(1))\n\nafter <iframe src=javascript:alert(1)>\n`,
];

export const HOSTILE_CORPUS: readonly HostileInput[] = [
  ...file.contexts.flatMap((context, c) => file.payloads.map((payload, p) => ({ id: `c${c}-p${p}`, markdown: context.split('%PAYLOAD%').join(payload) }))),
  ...file.documents.map((markdown, d) => ({ id: `d${d}`, markdown })),
  ...DEEP_MARKDOWN.map((markdown, d) => ({ id: `deep${d}`, markdown })),
];

/** An execution of `n` steps with hostile names, to hold the corpus's outputs. */
export const hostileExecution = (n: number): Execution => ({
  id: '9001',
  workflow: { id: '1', name: 'Hostile <img/src=x onerror=alert(1)>' },
  status: 'success',
  startedAt: '2024-03-05T07:08:09Z',
  finishedAt: '2024-03-05T08:00:00Z',
  steps: Array.from({ length: n }, (_, i) => ({
    id: `s${i + 1}`,
    name: `step <code> ${i + 1}`,
    status: 'success' as const,
    iteration: 1,
    startedAt: '2024-03-05T07:08:09Z',
    finishedAt: '2024-03-05T07:09:00Z',
    outputSize: 1,
  })),
});
