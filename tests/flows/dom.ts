/**
 * The in-page side of the Firefox driver: finds elements by role and accessible name (a plain
 * reading of ARIA's rules for the markup our UI uses: explicit roles, the implicit roles of native
 * elements, aria-labelledby, aria-label, <label>, <legend>, <caption>, name from content for
 * buttons, links, headings, rows), reads their state and acts on them. Plain JavaScript in a string,
 * sent as an expression over WebDriver BiDi (which no page CSP blocks, and which no bundler can
 * rewrite with helpers the page lacks).
 *
 * Chromium does not use this: Playwright's getByRole reads the browser's own accessibility tree.
 * A flow passing in both is then also a check of these rules against Chromium's.
 */
import type { Name, Target } from './driver';

export type WireName = { s: string } | { re: string; flags: string };
export type WireTarget = { role: string; name?: WireName; within?: WireTarget; nth?: number; host?: string };

export const toWireName = (n: Name): WireName => (typeof n === 'string' ? { s: n } : { re: n.source, flags: n.flags });
export const toWire = (t: Target): WireTarget => ({
  role: t.role,
  ...(t.name !== undefined ? { name: toWireName(t.name) } : {}),
  ...(t.within ? { within: toWire(t.within) } : {}),
  ...(t.nth !== undefined ? { nth: t.nth } : {}),
  ...(t.host !== undefined ? { host: t.host } : {}),
});

export const DOM_LIB = String.raw`(() => {
  const norm = (s) => String(s == null ? '' : s).replace(/\s+/g, ' ').trim();
  const IMPLICIT = [
    ['button', 'button, input[type=button], input[type=submit], input[type=reset], summary'],
    ['link', 'a[href], area[href]'],
    ['radio', 'input[type=radio]'],
    ['checkbox', 'input[type=checkbox]'],
    ['spinbutton', 'input[type=number]'],
    ['textbox', 'textarea, input:not([type]), input[type=text], input[type=search], input[type=email], input[type=url], input[type=tel], input[type=password]'],
    ['combobox', 'select:not([multiple]), input[list]'],
    ['dialog', 'dialog'],
    ['status', 'output'],
    ['group', 'fieldset, details, optgroup'],
    ['table', 'table'],
    ['row', 'tr'],
    ['list', 'ul, ol, menu'],
    ['listitem', 'li'],
    ['heading', 'h1, h2, h3, h4, h5, h6'],
  ];
  const roleOf = (el) => {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit.trim().split(/\s+/)[0];
    if (el.matches('section') && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'))) return 'region';
    for (const [role, sel] of IMPLICIT) if (el.matches(sel)) return role;
    return null;
  };
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement || (e.getRootNode() && e.getRootNode().host) || null) {
      if (e.nodeType !== 1) continue;
      if (e.hidden || e.getAttribute('aria-hidden') === 'true' || e.inert) return true;
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return true;
      if (e.tagName === 'DIALOG' && !e.open) return true;
    }
    return false;
  };
  // Text of a subtree as a name from content: controls inside count by their value.
  const contentText = (node) => {
    if (node.nodeType === 3) return node.nodeValue;
    if (node.nodeType !== 1) return '';
    const el = node;
    if (el.getAttribute('aria-hidden') === 'true' || el.tagName === 'SCRIPT' || el.tagName === 'STYLE') return '';
    if (el.tagName === 'SELECT') return el.selectedOptions[0] ? el.selectedOptions[0].textContent : '';
    if (el.tagName === 'INPUT') return ['checkbox', 'radio', 'file', 'hidden'].includes(el.type) ? '' : el.value;
    if (el.tagName === 'TEXTAREA') return el.value;
    if (el.hasAttribute('aria-label') && el !== node) return el.getAttribute('aria-label');
    let s = '';
    for (const c of el.childNodes) s += ' ' + contentText(c);
    const cs = el.isConnected ? getComputedStyle(el) : null;
    return cs && cs.display !== 'inline' ? ' ' + s + ' ' : s;
  };
  const byIds = (el, ids) => {
    const root = el.getRootNode();
    return ids.split(/\s+/).filter(Boolean).map((id) => root.getElementById ? root.getElementById(id) : document.getElementById(id)).filter(Boolean);
  };
  const FROM_CONTENT = ['button', 'link', 'heading', 'row', 'cell', 'columnheader', 'rowheader', 'tab', 'option', 'menuitem', 'radio', 'checkbox', 'switch', 'treeitem', 'tooltip'];
  const nameOf = (el) => {
    const lb = el.getAttribute('aria-labelledby');
    if (lb) {
      const parts = byIds(el, lb).map((x) => contentText(x));
      if (parts.length) return norm(parts.join(' '));
    }
    const al = el.getAttribute('aria-label');
    if (al && norm(al)) return norm(al);
    if (el.labels && el.labels.length && el.type !== 'hidden') return norm([...el.labels].map((l) => contentText(l)).join(' '));
    if (el.tagName === 'FIELDSET') { const lg = el.querySelector(':scope > legend'); if (lg) return norm(contentText(lg)); }
    if (el.tagName === 'TABLE') { const c = el.querySelector(':scope > caption'); if (c) return norm(contentText(c)); }
    if (el.tagName === 'INPUT' && ['button', 'submit', 'reset'].includes(el.type)) return norm(el.value);
    const role = roleOf(el);
    if (FROM_CONTENT.includes(role) && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) { const t = norm(contentText(el)); if (t) return t; }
    if (el.title) return norm(el.title);
    if (el.placeholder) return norm(el.placeholder);
    return '';
  };
  const nameMatches = (el, spec) => {
    if (!spec) return true;
    const n = nameOf(el);
    return 's' in spec ? n === norm(spec.s) : new RegExp(spec.re, spec.flags).test(n);
  };
  // Every element under a root, our shadow roots included (nested ones too).
  const walk = (root, out) => {
    for (const el of root.querySelectorAll('*')) {
      out.push(el);
      if (el.shadowRoot) walk(el.shadowRoot, out);
    }
    return out;
  };
  const baseRoots = (kind, host) => kind === 'extension' ? [document] : [...document.querySelectorAll(host || 'workflow-exporter')].map((h) => h.shadowRoot).filter(Boolean);
  const pick = (list, nth) => nth === undefined ? list : (nth < 0 ? list.slice(nth, list.length + nth + 1 || undefined) : list.slice(nth, nth + 1));
  const findAll = (t, kind) => {
    let scopes = baseRoots(kind, t.host);
    if (t.within) {
      const outer = findAll(t.within, kind);
      scopes = outer.length ? [outer[0]] : [];
    }
    const all = [];
    for (const s of scopes) for (const el of walk(s, [])) if (!all.includes(el) && roleOf(el) === t.role && !hidden(el) && nameMatches(el, t.name)) all.push(el);
    return all;
  };
  const find = (t, kind) => pick(findAll(t, kind), t.nth === undefined ? 0 : t.nth)[0] || null;
  const enabled = (el) => !(el.disabled || el.getAttribute('aria-disabled') === 'true' || (el.closest && el.closest('fieldset[disabled]')));
  const describe = (t, kind) => {
    const count = pick(findAll(t, kind), t.nth).length;
    const el = find(t, kind);
    if (!el) return { count: 0 };
    const s = { count, text: norm(el.textContent), enabled: enabled(el) };
    if ('value' in el && ['INPUT', 'SELECT', 'TEXTAREA', 'OUTPUT'].includes(el.tagName) && el.tagName !== 'OUTPUT') s.value = el.value;
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) s.checked = el.checked;
    else if (el.hasAttribute('aria-checked')) s.checked = el.getAttribute('aria-checked') === 'true';
    const db = el.getAttribute('aria-describedby');
    s.description = db ? norm(byIds(el, db).map((x) => x.textContent).join(' ')) : '';
    if (el.tagName === 'SELECT') s.options = [...el.options].map((o) => norm(o.label || o.textContent));
    s.attributes = { href: el.getAttribute('href'), datetime: el.getAttribute('datetime'), download: el.getAttribute('download') };
    return s;
  };
  const setValue = (el, value) => {
    const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : el.tagName === 'SELECT' ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    el.focus();
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  };
  // One step of an action: false while the element is missing or disabled, true once done.
  const act = (action, t, kind, arg) => {
    const el = find(t, kind);
    if (!el || !enabled(el)) return false;
    if (action === 'click') { el.scrollIntoView({ block: 'center' }); el.click(); return true; }
    if (action === 'fill') { setValue(el, arg); return true; }
    if (action === 'check') { if (el.checked !== arg) el.click(); return el.checked === arg; }
    if (action === 'select') {
      const opt = [...el.options].find((o) => (arg.value !== undefined ? o.value === arg.value : norm(o.label || o.textContent) === norm(arg.label)));
      if (!opt) return false;
      setValue(el, opt.value);
      return true;
    }
    if (action === 'focus') { el.focus(); return document.activeElement === el || (el.getRootNode().activeElement === el); }
    throw new Error('unknown action ' + action);
  };
  const findEnabled = (t, kind) => { const el = find(t, kind); return el && enabled(el) ? el : false; };
  return { roleOf, nameOf, findAll, find, findEnabled, describe, act };
})()`;

/** An expression running `lib.<fn>(...args)` in the page. */
export const libCall = (fn: 'act' | 'describe' | 'findEnabled', ...args: unknown[]) => `${DOM_LIB}.${fn}(${args.map((a) => JSON.stringify(a) ?? 'undefined').join(', ')})`;
