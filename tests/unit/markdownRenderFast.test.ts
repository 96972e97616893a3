/**
 * The renderer's shortcuts are performance only: with plain table cells as one text token each
 * (lib/markdownRender.ts, `isPlainCell`), the HTML is byte for byte what marked's inline lexer gives.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isPlainCell, isPlainRow, plainRowHtml } from '../../lib/markdownPlainTable';
import { sanitizeOutputHtml } from '../../lib/htmlSanitize';
import { renderOutputHtml } from '../../lib/markdownRender';
import { collect } from '../../lib/executionDocs';
import { HOSTILE_CORPUS } from '../data/hostile-markdown';

const render = (md: string, plainCells: boolean, soft?: number) => collect(renderOutputHtml([md], { headingOffset: 1, plainCells }, soft));

const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '.', ',', ':', '%', '+', '-', 'w', 'W', '_', '*', '~', '`', '@', '/', '\\', '<', '&', '#', '!', '[', ']', '(', ')', 'h', 't', 'p', 's'), maxLength: 14 });
const table = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.constantFrom('---', ':--', '--:', ':-:'), { minLength: 4, maxLength: 4 }))
  .chain(([width, aligns]) =>
    fc.tuple(fc.array(cell, { minLength: width, maxLength: width }), fc.array(fc.array(cell, { minLength: 0, maxLength: width + 1 }), { maxLength: 6 })).map(
      ([head, rows]) => [`| ${head.join(' | ')} |`, `|${aligns.slice(0, width).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n',
    ),
  );

describe('plain table cells (performance only)', () => {
  it.each(['962397913', 'd8c0ba40', 'item 1', '1.5 %', '-3', 'a:b', ''])('%j is plain', (text) => expect(isPlainCell(text)).toBe(true));
  it.each(['www.example.com', 'WWW.x', 'a_b', '*x*', 'x@y.z', 'http://x', '`c`', 'a\\b', '<b>', '&amp;', '~~x~~'])('%j is not', (text) => expect(isPlainCell(text)).toBe(false));
  it('property: any table renders the same both ways', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(table, { minLength: 1, maxLength: 3 }), async (tables) => {
        const md = tables.join('\n');
        expect(await render(md, true)).toBe(await render(md, false));
      }),
      { numRuns: 300 },
    );
  });
  it.each(['| 1 | 2 |', '|', '|a|b', '| 1.5 % | -3 |  |'])('%j is a plain row', (line) => expect(isPlainRow(line)).toBe(true));
  it.each([' | 1 |', '1 | 2', '| a\\| b |', '| www.x |', '| <b> |', '| `c` |', '|\t1 |', ''])('%j is not', (line) => expect(isPlainRow(line)).toBe(false));
  it('writes a plain row as marked splits it: outer empty cells dropped, then cut or padded to the header', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `<td class="c${i}">`);
    const cells = (html: string) => [...html.matchAll(/<td class="c\d">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells(plainRowHtml('| a | b |', tags(2)))).toEqual(['a', 'b']);
    expect(cells(plainRowHtml('|a|b', tags(3)))).toEqual(['a', 'b', '']);
    expect(cells(plainRowHtml('| a | | c | d |', tags(2)))).toEqual(['a', '']);
    expect(cells(plainRowHtml('| a | |  ', tags(3)))).toEqual(['a', '', '']);
    expect(plainRowHtml('|', tags(1))).toBe('<tr><td class="c0"></td></tr>\n');
  });
  it('property: any lines around and inside a table render the same both ways', async () => {
    // Rows plain and not, and lines that end a table or are something else (blank, list, quote, heading, code, HTML, text).
    const line = fc.oneof(
      fc.array(cell, { maxLength: 4 }).map((cells) => `| ${cells.join(' | ')} |`),
      fc.array(fc.constantFrom('1', 'a', ' ', '|', '-', '%'), { maxLength: 10 }).map((cs) => `|${cs.join('')}`),
      fc.constantFrom('', '   ', 'text | more', '- item | 1', '1. one', '> | q |', '# | h |', '    | code |', '\t| tab |', '<div>', '| <b>x</b> | 2 |', '| a \\| b |', '```', '---', '[r]: http://example.com', '| [r] | 1 |', '| www.x.org | 2 |', '|---|---|', 'x'),
    );
    const doc = fc.tuple(fc.array(line, { maxLength: 3 }), table, fc.array(line, { maxLength: 12 }), fc.constantFrom('', '  ', '> ', '- ')).map(([before, t, after, prefix]) =>
      [...before, ...t.trimEnd().split('\n').map((l) => prefix + l), ...after].join('\n') + '\n',
    );
    await fc.assert(
      fc.asyncProperty(doc, async (md) => {
        expect(await render(md, true)).toBe(await render(md, false));
      }),
      { numRuns: 1500 },
    );
  });
  it('property: the sanitiser gives rows of plain cells back unchanged (so they skip it)', async () => {
    const plainCell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '.', ',', ':', '%', '+', '-'), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(plainCell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.constantFrom('---', ':--', '--:', ':-:'), async (rows, align) => {
        const md = `| h | i | j | k |\n|${align}|${align}|---|${align}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;
        const html = await render(md, true);
        const body = html.slice(html.indexOf('<tbody>\n') + 8, html.indexOf('</tbody>'));
        expect(body.split('<tr>').length - 1).toBe(rows.length);
        expect(sanitizeOutputHtml(body)).toBe(body);
      }),
      { numRuns: 300 },
    );
  });
  it('a long table cut across segments, and the hostile corpus (issue 14), render the same both ways', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `| ${i} | ${(i * 7919) % 1000003} | x${i.toString(16)} |`).join('\n');
    const md = `## T\n\n| # | Value | Hex |\n|---:|:-:|---|\n${rows}\n\nafter\n`;
    expect(await render(md, true, 4096)).toBe(await render(md, false, 4096));
    for (const { markdown } of HOSTILE_CORPUS) expect(await render(markdown, true)).toBe(await render(markdown, false));
  });
});
