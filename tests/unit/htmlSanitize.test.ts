import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DOCUMENT_ALLOW_LIST, OUTPUT_ALLOW_LIST, attributeAllowed, valueAllowed } from '../../lib/htmlAllowList';
import { escapeText } from '../../lib/htmlEscape';
import { sanitizeOutputHtml, type Removed } from '../../lib/htmlSanitize';
import type { RenderNote } from '../../lib/markdownRender';
import { STYLE, STYLE_BLOCK, htmlCsp, htmlCspFor } from '../../lib/htmlStyle';
import { htmlDocumentStart, sanitiserNote } from '../../lib/htmlDocument';
import { codeLanguageClass, renderOutputHtml } from '../../lib/markdownRender';
import { collect } from '../../lib/executionDocs';
import { HOSTILE_CONTEXTS, HOSTILE_PAYLOADS } from '../data/hostile-markdown';
import { outputElements, violations } from './htmlSanitizeTree';

const render = (md: string) => collect(renderOutputHtml([md], { headingOffset: 0 }));
const sanitize = (html: string) => {
  const removed: Removed[] = [];
  return { html: sanitizeOutputHtml(html, (r) => removed.push(r)), removed };
};

/** Markdown that makes the renderer emit every element and attribute of the output allow-list. */
const EVERYTHING = [
  '# h1', '## h2', '### h3', '#### h4', '##### h5', '###### h6',
  'para **strong** *em* ~~del~~ `code` line  \nbreak',
  '> quote',
  '---',
  '- a\n- [x] done\n- [ ] todo',
  '3. three\n4. four',
  '| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |',
  '```js\nlet x = 1 < 2;\n```',
  '<div>raw block</div>',
  '[link](https://example.com "a title") [mail](mailto:x@example.com) [frag](#step-1) [bad](javascript:alert(1) "t")',
  '![dot](data:image/png;base64,iVBORw0KGgo= "img title") ![remote](https://example.com/x.png "r") ![gone](file:///x.png "g")',
].join('\n\n');

describe('the allow-list (rule "HTML allow-list")', () => {
  it('is exactly what the renderer emits: every element and attribute of it occurs, and the sanitiser keeps it all', async () => {
    const html = await render(EVERYTHING);
    const seen = new Map<string, Set<string>>();
    for (const el of outputElements(html)) {
      const attrs = seen.get(el.tag) ?? new Set<string>();
      for (const [n] of el.attrs) attrs.add(n);
      seen.set(el.tag, attrs);
    }
    expect([...seen.keys()].sort()).toEqual(Object.keys(OUTPUT_ALLOW_LIST).sort());
    for (const [tag, attrs] of Object.entries(OUTPUT_ALLOW_LIST)) expect([...seen.get(tag)!].sort(), tag).toEqual(Object.keys(attrs).sort());
    expect(violations(outputElements(html))).toEqual([]);
    expect(sanitize(html)).toEqual({ html, removed: [] });
  });

  it('attribute rules: URL rules as the browser reads them, classes and enumerations exact', () => {
    expect(valueAllowed('link', 'https://a.b/c')).toBe(true);
    expect(valueAllowed('link', 'HTTP://A.B')).toBe(true);
    expect(valueAllowed('link', 'mailto:x@y.z')).toBe(true);
    expect(valueAllowed('link', '#step-1')).toBe(true);
    for (const bad of ['javascript:alert(1)', ' https://a.b', 'java\tscript:x', '//a.b', 'data:text/html,x', 'https://a b', 'x'])
      expect(valueAllowed('link', bad), bad).toBe(false);
    expect(valueAllowed('image', 'data:image/png;base64,iVBO')).toBe(true);
    expect(valueAllowed('image', 'data:image/svg+xml;base64,PHN2Zz4=')).toBe(false);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'th', 'class', 'align-center')).toBe(true);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'th', 'style', 'text-align:center')).toBe(false);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'code', 'class', 'language-c++')).toBe(true);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'code', 'class', 'language-x y')).toBe(false);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'a', 'rel', 'noopener')).toBe(false);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'toString', 'x', '')).toBe(false);
    expect(attributeAllowed(OUTPUT_ALLOW_LIST, 'a', 'constructor', '')).toBe(false);
    expect(attributeAllowed(DOCUMENT_ALLOW_LIST, 'meta', 'http-equiv', 'refresh')).toBe(false);
    expect(attributeAllowed(DOCUMENT_ALLOW_LIST, 'a', 'href', 'https://example.com')).toBe(false);
  });

  it("a code block's language becomes a class of safe characters only", () => {
    expect(codeLanguageClass('js')).toBe('language-js');
    expect(codeLanguageClass('c++ extra')).toBe('language-c++');
    expect(codeLanguageClass('"><img/src=x')).toBe('language-imgsrcx');
    expect(codeLanguageClass('')).toBe('');
    expect(codeLanguageClass('"<>')).toBe('');
  });
});

describe('the sanitiser (rule "sanitise every output")', () => {
  it('elements off the list are shown as text, attributes off the list or with refused values dropped, comments dropped; each reported', () => {
    const { html, removed } = sanitize(
      '<p onclick="alert(1)" style="color:red">a<img src=x onerror=alert(1)><iframe src=https://example.com></iframe></p><script>alert(2)</script><a href="javascript:alert(3)" rel="noopener noreferrer nofollow">x</a>' +
        '<a href="&#x6A;avascript:x">y</a><th class="evil">z</th><!-- <script>c</script> --><svg onload=alert(4)></svg><meta http-equiv=refresh content=0>',
    );
    expect(html).toBe(
      '<p>a<img>&lt;iframe src=https://example.com&gt;&lt;/iframe&gt;</p>&lt;script&gt;alert(2)&lt;/script&gt;<a rel="noopener noreferrer nofollow">x</a>' +
        '<a>y</a><th>z</th>&lt;svg onload=alert(4)&gt;&lt;/svg&gt;&lt;meta http-equiv=refresh content=0&gt;',
    );
    expect(removed).toEqual([
      { kind: 'attribute', tag: 'p', name: 'onclick' },
      { kind: 'attribute', tag: 'p', name: 'style' },
      { kind: 'attribute', tag: 'img', name: 'src' },
      { kind: 'attribute', tag: 'img', name: 'onerror' },
      { kind: 'element', tag: 'iframe' },
      { kind: 'element', tag: 'iframe' },
      { kind: 'element', tag: 'script' },
      { kind: 'element', tag: 'script' },
      { kind: 'attribute', tag: 'a', name: 'href' },
      { kind: 'attribute', tag: 'a', name: 'href' },
      { kind: 'attribute', tag: 'th', name: 'class' },
      { kind: 'element', tag: 'svg' },
      { kind: 'element', tag: 'svg' },
      { kind: 'element', tag: 'meta' },
    ]);
    expect(violations(outputElements(html))).toEqual([]);
  });

  it('kept values are decoded, checked, and written back escaped and quoted', () => {
    expect(sanitize('<a href=&#104;ttps://a.b/?x=1&amp;y=2 title=\'say "hi"\'>t</a>').html).toBe('<a href="https://a.b/?x=1&amp;y=2" title="say &quot;hi&quot;">t</a>');
    expect(sanitize('<img src="data:image/png;base64,iVBO" alt="a &lt;b&gt;">').html).toBe('<img src="data:image/png;base64,iVBO" alt="a &lt;b&gt;">');
  });

  it('a note at the end of the output says what it kept out', () => {
    expect(sanitiserNote([{ kind: 'element', tag: 'img' }, { kind: 'attribute', tag: 'a', name: 'onclick' }, { kind: 'element', tag: 'img' }])).toBe(
      'The sanitiser kept 3 pieces of markup out of this output (<img>, onclick on <a>); elements are shown as text, attributes were dropped.',
    );
  });

  const fragment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PAYLOADS) },
    { weight: 2, arbitrary: fc.constantFrom('<', '>', '"', "'", '=', '/', '&', '&#', ';', ' ', '\n', '\n\n', '|', '`', '*', '[', '](', ')', '<!--', '-->', '<code>', '</code>', '<a href=', 'javascript:', 'onerror=', '<svg', '<math', '<style>', '<p ', '<img') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const hostileMix = fc.tuple(fc.constantFrom(...HOSTILE_CONTEXTS), fc.array(fragment, { minLength: 1, maxLength: 12 })).map(([context, parts]) => context.split('%PAYLOAD%').join(parts.join('')));

  it('random mixes of hostile fragments, rendered: never an element or attribute off the list, never anything for the sanitiser to remove (property)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMix, async (md) => {
        const removed: RenderNote[] = [];
        const html = await collect(renderOutputHtml([md], { headingOffset: 0, onRemoved: (r) => removed.push(r) }));
        expect(violations(outputElements(html)), md).toEqual([]);
        expect(removed, md).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('random mixes of hostile fragments as raw HTML, sanitised alone: never an element or attribute off the list (property)', () => {
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 16 }).map((p) => p.join('')), (raw) => {
        expect(violations(outputElements(sanitizeOutputHtml(raw))), raw).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('escaping by construction', () => {
  it("the issue's example: text after an inline raw tag is escaped, in paragraphs, headings, table cells and link text", async () => {
    const md = 'a <code> <img/src=x onerror=alert(1)> b\n\n# h <kbd> <img/src=x onerror=alert(1)>\n\n| x |\n|---|\n| <code> <img/src=x onerror=alert(1)> |\n\n[t <samp> <img/src=x onerror=alert(1)>](https://example.com)\n';
    const html = await render(md);
    expect(html).not.toMatch(/<img/);
    expect(html.match(/&lt;img\/src=x onerror=alert\(1\)&gt;/g)).toHaveLength(4);
    expect(html).toContain('<p>a &lt;code&gt; &lt;img/src=x onerror=alert(1)&gt; b</p>');
  });

  it('escapeText: character references stay (they are text), everything else that means something is escaped', () => {
    expect(escapeText(`AT&amp;T &#60; &#x3C; &copy; & <b> "q" 'a' &;`)).toBe('AT&amp;T &#60; &#x3C; &copy; &amp; &lt;b&gt; &quot;q&quot; &#39;a&#39; &amp;;');
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(escapeText(s)).not.toMatch(/[<>"']/);
        expect(escapeText(s)).not.toMatch(/&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[a-zA-Z][a-zA-Z0-9]{0,31};)/);
      }),
    );
  });
});

describe('the CSP (rule "CSP")', () => {
  it("carries the SHA-256 of the one style block and no 'unsafe-inline'", async () => {
    const hash = createHash('sha256').update(STYLE_BLOCK, 'utf8').digest('base64');
    const csp = await htmlCsp();
    expect(csp).toBe(htmlCspFor(hash));
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src|\*/);
    const start = await htmlDocumentStart('t');
    const styles = [...start.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toEqual([STYLE_BLOCK]);
    expect(createHash('sha256').update(styles[0], 'utf8').digest('base64')).toBe(hash);
    expect(STYLE).toContain('.align-center { text-align: center; }');
  });
});
