/**
 * A file of the extension as `scripting.registerContentScripts` and `scripting.executeScript` take
 * it: a path inside the extension. Firefox's `runtime.getManifest()` gives the content scripts' files
 * as full `moz-extension://<uuid>/…` URLs, which Firefox's `registerContentScripts` refuses ("must be
 * a relative URL"); Chromium gives them as written in the manifest.
 */
export function extensionRelativePath(file: string, extensionBaseUrl: string): string {
  const base = extensionBaseUrl.endsWith('/') ? extensionBaseUrl : `${extensionBaseUrl}/`;
  return file.startsWith(base) ? file.slice(base.length) : file;
}
