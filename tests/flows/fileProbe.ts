/**
 * What a file opened from disk loads, as the page itself sees it (both drivers add it to what their
 * protocol reports): every element's load or error event (file:// loads too, which WebDriver BiDi's
 * network events do not show, and loads a browser refuses before any request, e.g. a banned port)
 * and the page's resource timing. Plain JavaScript in strings (see dom.ts).
 */

/** Runs in every document before its own content. */
export const FILE_PROBE_PRELOAD = `(() => {
  if (window.__weLoads) return;
  const loads = [];
  Object.defineProperty(window, '__weLoads', { value: loads });
  for (const type of ['load', 'error'])
    window.addEventListener(type, (e) => {
      const el = e.target;
      if (!el || el === document || !('localName' in el)) return;
      const url = el.currentSrc || el.src || el.href || el.data || '';
      if (url) loads.push(String(url));
    }, true);
})()`;

/** The URLs the page loaded or tried to (run once it has loaded). */
export const FILE_PROBE_READ = `[...new Set([...(window.__weLoads || []), ...performance.getEntriesByType('resource').map((e) => e.name)])].filter((n) => !n.startsWith('data:'))`;
