/**
 * Rule "CSP": the one style block of every exported HTML file, and the Content-Security-Policy that
 * admits it and nothing else. No `'unsafe-inline'`: the policy names the block by its SHA-256, so
 * no other style element or `style` attribute (a full-page overlay, say) can apply, no script runs,
 * nothing loads but `data:` images, and no form posts anywhere. It is the second line of defence:
 * the first is the escaping renderer and the sanitiser (lib/markdownRender.ts, lib/htmlSanitize.ts).
 */

/** The document's CSS; table alignment comes as classes (`align-*`), since no `style` attribute applies. */
export const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; max-width: 960px; margin: 24px auto; padding: 0 20px; overflow-wrap: anywhere; }
h1 { font-size: 1.6em; margin: 0 0 .3em; } h2 { font-size: 1.3em; margin-top: 1.6em; } h3 { font-size: 1.1em; }
.sub { color: #64748b; margin: 0 0 1em; }
table { border-collapse: collapse; margin: .8em 0; }
th, td { border: 1px solid #cbd5e1; padding: 4px 8px; vertical-align: top; text-align: left; }
table.details th { background: #f1f5f9; font-weight: 600; white-space: nowrap; }
thead th { background: #f1f5f9; }
pre { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 6px; padding: 10px 12px; overflow: auto; }
pre.unparsed { white-space: pre-wrap; overflow-wrap: anywhere; }
code { font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; }
blockquote { border-left: 4px solid #cbd5e1; margin: .8em 0; padding: 0 12px; color: #475569; }
.status { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: .85em; background: #f1f5f9; }
.status-success { background: #e3f6ea; color: #17753a; } .status-failed { background: #fde8e8; color: #b42323; }
.status-skipped, .status-cancelled { background: #f1f1f1; color: #6b7280; } .status-running { background: #e6eeff; color: #2544a8; }
.output { border-top: 1px solid #e2e8f0; padding-top: .4em; }
.note { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 6px; padding: 8px 12px; }
.muted, .unsafe-link, .image-removed { color: #64748b; }
nav ol { padding-left: 2.2em; } nav li { margin: 2px 0; }
section.step { border-top: 2px solid #e2e8f0; margin-top: 2em; }
img { max-width: 100%; }
.align-left { text-align: left; } .align-center { text-align: center; } .align-right { text-align: right; }
`.trim();

/** The text of the style element, exactly as between `<style>` and `</style>`: what the CSP's hash covers. */
export const STYLE_BLOCK = `\n${STYLE}\n`;

/** SHA-256 of a text's UTF-8 bytes, in base64 (as a CSP hash source writes it). */
export async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let binary = '';
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The CSP of every exported HTML file, with {@link STYLE_BLOCK}'s hash. */
export const htmlCspFor = (styleHash: string) =>
  `default-src 'none'; style-src 'sha256-${styleHash}'; img-src data:; form-action 'none'; base-uri 'none'`;

let csp: Promise<string> | undefined;
/** The CSP of every exported HTML file (computed once, from the style block itself). */
export function htmlCsp(): Promise<string> {
  csp ??= sha256Base64(STYLE_BLOCK).then(htmlCspFor);
  return csp;
}
