import css from '../styles.css?inline';
import { pageFromUrl, selectors } from '../../lib/platform';
import { extensionActions, type ExporterActions } from '../actions';
import type { Feature } from './feature';
import { uiLanguage } from '../../lib/i18n';
import { workflowExport } from './workflowExport';
import { executionExport } from './executionExport';
import { executionsList } from './executionsList';

/** Every feature, one line each. */
export const features: Feature[] = [
  workflowExport,
  executionExport,
  executionsList,
];

export const HOST_TAG = 'workflow-exporter';

function mount(anchor: Element, featureId: string): HTMLElement {
  const host = document.createElement(HOST_TAG);
  host.dataset.feature = featureId;
  host.style.marginLeft = '8px';
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css;
  const root = document.createElement('div');
  // Our text is in the browser's language, which may not be the page's.
  root.lang = uiLanguage();
  shadow.append(style, root);
  anchor.append(host);
  return root;
}

/**
 * Runs the features that apply to the current page, and runs them again whenever the SPA changes
 * page (new URL or a replaced <main>) or removes our elements. One failing feature never stops the others.
 */
export function runFeatures(signal: AbortSignal, actions: ExporterActions = extensionActions) {
  let current: { controller: AbortController; main: Element | null; url: string; hosts: HTMLElement[] } | null = null;

  const start = () => {
    if (current) {
      current.controller.abort();
      for (const h of current.hosts) h.remove();
    }
    const controller = new AbortController();
    const hosts: HTMLElement[] = [];
    current = { controller, main: document.querySelector(selectors.main), url: location.href, hosts };
    const page = pageFromUrl(location.href);
    if (!page) return;
    for (const feature of features) {
      if (!feature.applies(page)) continue;
      try {
        feature.init({
          page,
          actions,
          signal: controller.signal,
          mount: (anchor, id) => {
            const root = mount(anchor, id);
            hosts.push(root.parentNode instanceof ShadowRoot ? (root.parentNode.host as HTMLElement) : root);
            return root;
          },
        });
      } catch (err) {
        console.error(`[workflow-exporter] feature ${feature.id} failed`, err);
      }
    }
  };

  const check = () => {
    if (!current) return start();
    const main = document.querySelector(selectors.main);
    const stale = current.url !== location.href || current.main !== main || current.hosts.some((h) => !h.isConnected);
    if (stale) start();
  };

  const observer = new MutationObserver(check);
  observer.observe(document.body, { childList: true, subtree: true });
  window.addEventListener('popstate', check, { signal });
  signal.addEventListener('abort', () => {
    observer.disconnect();
    current?.controller.abort();
    for (const h of current?.hosts ?? []) h.remove();
  });
  start();
  /** Call on pushState navigations (WXT's `wxt:locationchange`). */
  return check;
}
