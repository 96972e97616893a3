/**
 * The check every exported HTML file must pass, element by element, against lib/htmlAllowList.ts:
 * inside a step's output (`div.output`) only what the renderer emits, elsewhere only what the
 * document itself writes; every attribute on its element's list with a value its rule accepts;
 * every element in the HTML namespace (no SVG, no MathML). The same check runs on parse5's tree in
 * Node and on the live DOM in Chromium (tests/e2e/hostile-html.spec.ts).
 */
import { parse, parseFragment } from 'parse5';
import { DOCUMENT_ALLOW_LIST, OUTPUT_ALLOW_LIST, attributeAllowed, elementAllowed } from '../../lib/htmlAllowList';

export const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

export interface ElementInfo {
  tag: string;
  namespace: string;
  attrs: [string, string][];
  /** Inside a step's output (a descendant of `div.output`). */
  inOutput: boolean;
  /** Where it is, for messages (e.g. the id of its step's section). */
  where?: string;
}

/** What is wrong with these elements; [] when every one is allowed. */
export function violations(elements: ElementInfo[]): string[] {
  const out: string[] = [];
  for (const el of elements) {
    const list = el.inOutput ? OUTPUT_ALLOW_LIST : DOCUMENT_ALLOW_LIST;
    const where = (el.inOutput ? 'in an output' : 'in the document') + (el.where ? ` (${el.where})` : '');
    if (el.namespace !== HTML_NAMESPACE) out.push(`<${el.tag}> in namespace ${el.namespace} ${where}`);
    if (!elementAllowed(list, el.tag)) out.push(`<${el.tag}> ${where}`);
    for (const [name, value] of el.attrs)
      if (!attributeAllowed(list, el.tag, name, value)) out.push(`<${el.tag} ${name}="${value}"> ${where}`);
  }
  return out;
}

interface P5Node {
  nodeName: string;
  tagName?: string;
  namespaceURI?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: P5Node[];
  content?: P5Node;
}

function walk(node: P5Node, inOutput: boolean, out: ElementInfo[]) {
  for (const child of node.childNodes ?? []) {
    if (!child.tagName) continue;
    const attrs = (child.attrs ?? []).map((a) => [a.name, a.value] as [string, string]);
    out.push({ tag: child.tagName, namespace: child.namespaceURI ?? '', attrs, inOutput });
    const isOutput = !inOutput && child.tagName === 'div' && attrs.some(([n, v]) => n === 'class' && v === 'output');
    walk(child, inOutput || isOutput, out);
    if (child.content) walk(child.content, inOutput || isOutput, out);
  }
}

/** Every element of a whole document as a browser's parser builds it (parse5). */
export function documentElements(html: string): ElementInfo[] {
  const out: ElementInfo[] = [];
  walk(parse(html) as unknown as P5Node, false, out);
  return out;
}

/** Every element of an output's HTML, parsed in a `div.output` as the documents place it. */
export function outputElements(html: string): ElementInfo[] {
  const out: ElementInfo[] = [];
  walk(parseFragment(html) as unknown as P5Node, true, out);
  return out;
}
