/**
 * The hostile Markdown corpus (tests/data/hostile-markdown.json), in Node: every input as a step's
 * HTML file, parsed as a browser would (parse5), checked element by element against the allow-list.
 * The same corpus is opened in Chromium by tests/e2e/hostile-html.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { collect, planExecutionExport, stepHtmlDocument, combinedHtmlDocument, type PlannedStep } from '../../lib/executionDocs';
import { HOSTILE_CORPUS, hostileExecution } from '../data/hostile-markdown';
import { documentElements, violations } from './htmlSanitizeTree';

const source = (text: string) => ({ chunks: [text].values() as unknown as AsyncIterable<string>, failure: () => null });

describe('the hostile Markdown corpus, in Node', () => {
  it('has at least 200 inputs, all distinct', () => {
    expect(HOSTILE_CORPUS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(HOSTILE_CORPUS.map((c) => c.markdown)).size).toBe(HOSTILE_CORPUS.length);
  });

  it('every input as a step file: only allowed elements and attributes, one style block, nothing for the sanitiser to remove', async () => {
    const execution = hostileExecution(1);
    const planned = planExecutionExport(execution, { format: 'html', combine: false }).steps[0];
    const failures: string[] = [];
    for (const input of HOSTILE_CORPUS) {
      const html = await collect(stepHtmlDocument({ execution, planned, output: source(input.markdown) }));
      const elements = documentElements(html);
      const bad = violations(elements);
      if (bad.length) failures.push(`${input.id}: ${bad.join('; ')}`);
      if (elements.filter((e) => e.tag === 'style').length !== 1) failures.push(`${input.id}: not exactly one style element`);
      if (html.includes('The sanitiser kept')) failures.push(`${input.id}: the sanitiser had to remove something`);
    }
    expect(failures).toEqual([]);
  });

  it('all of it in one combined file: the same', async () => {
    const execution = hostileExecution(HOSTILE_CORPUS.length);
    const plan = planExecutionExport(execution, { format: 'html', combine: true }).steps;
    async function* steps() {
      for (const p of plan) yield { planned: p as PlannedStep, output: source(HOSTILE_CORPUS[p.index - 1].markdown) };
    }
    const html = await collect(combinedHtmlDocument(execution, steps(), plan));
    const elements = documentElements(html);
    expect(violations(elements)).toEqual([]);
    expect(elements.filter((e) => e.tag === 'div' && e.attrs.some(([n, v]) => n === 'class' && v === 'output'))).toHaveLength(HOSTILE_CORPUS.length);
    expect(html).not.toContain('The sanitiser kept');
  });
});
