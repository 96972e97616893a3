/**
 * What every exported HTML file must show when a browser opens it from disk (issue 14, point 1),
 * shared by the Chromium spec (tests/e2e/hostile-html.spec.ts) and the Firefox one
 * (tests/e2e-firefox/hostile-html.firefox.ts): each browser's driver records what the page did
 * (scripts, requests, navigations, dialogs, CSP reports); `snapshotDom` runs in the page and lists
 * every element of the live DOM; `inertRecord` puts it together so that a failure shows everything.
 */
import { violations, type ElementInfo } from './unit/htmlSanitizeTree';

export interface Seen {
  scripts: string[];
  requests: string[];
  navigations: string[];
  dialogs: string[];
  reports: string[];
}

export interface DomSnapshot {
  elements: ElementInfo[];
  /** The style block applied (the CSP admitted it by its hash): the body is 960 px wide at most. */
  styled: boolean;
}

export type Opened = Seen & DomSnapshot;

export const emptySeen = (): Seen => ({ scripts: [], requests: [], navigations: [], dialogs: [], reports: [] });

/** The exported documents' CSP, as one line of their head (removed to test the sanitiser alone). */
export const CSP_META = /<meta http-equiv="Content-Security-Policy"[^>]*>\n/;

/**
 * Runs in the page (Playwright's or puppeteer's `evaluate`): self-contained, no imports. Every
 * element with its namespace, attributes, whether it sits in a step's output, and its step.
 */
export function snapshotDom(): DomSnapshot {
  return {
    elements: [...document.querySelectorAll('*')].map((el) => ({
      tag: el.localName,
      namespace: el.namespaceURI ?? '',
      attrs: [...el.attributes].map((a) => [a.name, a.value] as [string, string]),
      inOutput: !!el.parentElement?.closest('div.output'),
      where: el.closest('section.step')?.id,
    })),
    styled: getComputedStyle(document.body).maxWidth === '960px',
  };
}

/** The record an inert file shows (compare with `inertRecord`). */
export const INERT = { scripts: [], requests: [], navigations: [], dialogs: [], reports: [], offList: [], styled: true };

/**
 * The whole record of one opened file, to compare with `INERT`. Without its CSP, a browser's own
 * notes about the CSP (there is none) are not reports of the page.
 */
export function inertRecord(got: Opened, withCsp: boolean) {
  return {
    scripts: got.scripts,
    requests: got.requests,
    navigations: got.navigations,
    dialogs: got.dialogs,
    reports: withCsp ? got.reports : got.reports.filter((r) => !/Content Security Policy/.test(r)),
    offList: violations(got.elements),
    styled: got.styled,
  };
}

/** A control page that does everything an exported file must not: the probes must see it all. */
export const CONTROL_HTML =
  '<!doctype html><html><head><link rel="icon" href="data:,"><meta http-equiv="x-test" content="1"></head>' +
  '<body><div class="output"><img src="missing.png" onerror="console.log(1)"><svg><circle r="1"/></svg></div><script>alert("control")</script></body></html>';

/** What the element check must find in `CONTROL_HTML`. */
export const CONTROL_VIOLATIONS = [
  '<meta http-equiv="x-test"> in the document',
  '<img src="missing.png"> in an output',
  '<img onerror="console.log(1)"> in an output',
  '<svg> in an output',
  '<script> in the document',
];
