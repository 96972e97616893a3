/**
 * lib/htmlSanitize.ts's shortcuts (jump to the next `<`, remember the result of each clean tag) are
 * performance only: for any input, the same HTML and the same refusals, in order, as xss configured
 * the same way (`outputFilter`), run on its own.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { outputFilter, sanitizeOutputHtml, type Removed } from '../../lib/htmlSanitize';
import { renderOutputHtml } from '../../lib/markdownRender';
import { collect } from '../../lib/executionDocs';
import { HOSTILE_CORPUS } from '../data/hostile-markdown';

function both(html: string) {
  const slow: Removed[] = [];
  const fast: Removed[] = [];
  const expected = outputFilter((r) => slow.push(r)).process(html);
  const actual = sanitizeOutputHtml(html, (r) => fast.push(r));
  return { expected, actual, slow, fast };
}

const PIECES = [
  '<', '>', '"', "'", '=', ' ', '\n', '\t', '/', '!', '-', '&', 'a', 'x', '1',
  '<td>', '</td>', '<td class="align-right">', '<td class=align-left>', '<tr>', '</tr>', '<p>', '<b>', '<script>', '</script>',
  '<a href="https://example.com" rel="noopener noreferrer nofollow">', '<a href="javascript:alert(1)">', '<a onclick="x">', '</a>',
  '<img src="data:image/png;base64,AA==" alt="x">', '<img src=x onerror=alert(1)>', '<input checked="" disabled="" type="checkbox">',
  '<!--', '-->', '<!-- c -->', 'class="', 'title=\'', ' = "', '&lt;', '&#x3c;', '<code class="language-js">', '<span class="image-removed">',
];
const htmlish = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(''));

describe('sanitizeOutputHtml: the same as xss', () => {
  it('property: any mix of tags, quotes, comments and text', () => {
    fc.assert(
      fc.property(fc.oneof(htmlish, fc.string({ unit: fc.constantFrom('<', '>', '"', "'", '=', ' ', 'a', '/', '!', '-') }), fc.string({ unit: 'binary' })), (html) => {
        const { expected, actual, slow, fast } = both(html);
        expect(actual).toBe(expected);
        expect(fast).toEqual(slow);
      }),
      { numRuns: 4000 },
    );
  });
  it('property: twice in a row (remembered tags) still the same', () => {
    fc.assert(
      fc.property(htmlish, (html) => {
        both(html);
        const { expected, actual, slow, fast } = both(html);
        expect(actual).toBe(expected);
        expect(fast).toEqual(slow);
      }),
    );
  });
  it.each(['', 'plain text > more', '<', 'a <b', '<a href="x', "<p title='a>b'>x</p>", '<p a = "x>y">', '<!-- open', 'a<!--x-->b<!--', '<!<!--x-->--y-->', '<td>1</td><td>2</td>'])('%j', (html) => {
    const { expected, actual, slow, fast } = both(html);
    expect(actual).toBe(expected);
    expect(fast).toEqual(slow);
  });
  it('the hostile corpus (issue 14), raw and rendered, comes out as xss makes it', async () => {
    for (const { markdown } of HOSTILE_CORPUS) {
      for (const html of [markdown, await collect(renderOutputHtml([markdown], { headingOffset: 0 }))]) {
        const { expected, actual, slow, fast } = both(html);
        expect(actual).toBe(expected);
        expect(fast).toEqual(slow);
      }
    }
  });
});
