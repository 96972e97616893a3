/**
 * URL rules of the exported HTML files (product spec 2): which links and images survive. Both the
 * renderer (lib/markdownRender.ts) and the sanitiser (lib/htmlSanitize.ts) use them.
 */

const NAMED_REFERENCES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n',
  sol: '/', lpar: '(', rpar: ')', period: '.', comma: ',', excl: '!', num: '#', percnt: '%', quest: '?',
};

/**
 * Character references decoded (numeric and the named ones that can hide a scheme), as a browser
 * would. An unknown named reference stays as it is: an allow-listed URL must then still start with
 * its scheme spelled out, so nothing it could decode to can change the scheme.
 */
export function decodeReferences(s: string): string {
  return s.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z]+));?/g, (m, dec: string, hex: string, name: string) => {
    if (name) return NAMED_REFERENCES[name.toLowerCase()] ?? m;
    const cp = dec ? Number(dec) : parseInt(hex, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

/** Controls and spaces, which browsers drop before they read a URL's scheme. */
const URL_IGNORED = /[\u0000-\u0020\u007f-\u009f]/g;

/** Rule "link schemes": what an `href` may hold, as the browser reads it (http, https, mailto, `#...`). */
export const LINK_URL = /^(?:https?:\/\/|mailto:|#)[^\u0000-\u0020\u007f-\u009f]*$/i;
/** Rule "images load nothing": what an `src` may hold, a `data:` raster image. */
export const IMAGE_URL = /^data:image\/(?:png|jpeg|jpg|gif|webp);base64,[a-z0-9+/=]*$/i;

/**
 * A URL fit for an `href`, or null. Decoded first (character references, then controls and spaces
 * removed, as browsers do before reading the scheme), so what is checked is what a browser would see.
 * A fragment holds no second `#`.
 */
export function safeLinkUrl(href: string): string | null {
  const url = decodeReferences(href).replace(URL_IGNORED, '');
  if (url.startsWith('#')) return /^#[^#]*$/.test(url) ? url : null;
  return LINK_URL.test(url) ? url : null;
}

/** An image source that loads nothing: a `data:` raster image, else null. */
export function safeImageUrl(href: string): string | null {
  const url = decodeReferences(href).replace(URL_IGNORED, '');
  return IMAGE_URL.test(url) ? url : null;
}
