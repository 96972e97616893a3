/**
 * Which files annotated exports draw on, and in which format the drawn file is written (issue 15,
 * point 1). Pure: the worker checks once which formats its canvas can encode and passes that in.
 *
 * - Raster images the browsers decode: PNG, JPEG, WebP, GIF, BMP, AVIF, ICO. SVG is an image too,
 *   but it is never decoded (it could carry script): it goes in unchanged, reported as not drawn.
 * - A file's format at planning time comes from its content type, or from its extension when the
 *   content type says nothing (empty, `application/octet-stream`…): the path of a drawn file is
 *   fixed before its bytes arrive. When the bytes come, their signature ({@link sniffImageFormat})
 *   decides what is decoded (a PNG named `.jpg` is still decoded) and a file whose bytes are SVG,
 *   or no image at all, goes in unchanged.
 * - Written format ({@link writtenFormat}): PNG, JPEG and WebP stay what they are when the canvas
 *   can encode them (WebP checked once per export); every other format, and a WebP the canvas
 *   cannot encode, is written as PNG, and its name's extension becomes `.png`
 *   ({@link writtenFilename}: so `FILE_EXT`, `ORIGINAL_FILENAME` and `FILENAME` in the path
 *   template name the file that is written). An animated GIF or PNG is drawn on its first frame
 *   and written as PNG (GIF is always written as PNG). An animated WebP, known only once its bytes
 *   arrive ({@link isAnimatedWebp}), is drawn on its first frame and written as PNG too: the export
 *   renames it then (`workers/annotatedCaseFiles.ts`).
 */

export type ImageKind = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'avif' | 'ico' | 'svg';
/** What a drawn image is written as. */
export type WrittenFormat = 'image/png' | 'image/jpeg' | 'image/webp';

export const MIME_OF: Readonly<Record<ImageKind, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
};

const BY_TYPE: Readonly<Record<string, ImageKind>> = {
  'image/png': 'png',
  'image/apng': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/x-bmp': 'bmp',
  'image/x-ms-bmp': 'bmp',
  'image/avif': 'avif',
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'image/ico': 'ico',
  'image/svg+xml': 'svg',
};

const BY_EXT: Readonly<Record<string, ImageKind>> = {
  png: 'png',
  apng: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  webp: 'webp',
  gif: 'gif',
  bmp: 'bmp',
  dib: 'bmp',
  avif: 'avif',
  ico: 'ico',
  svg: 'svg',
};

const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/x-download', 'application/download']);

/** The image format a file says it is, by content type, else (generic type) by extension; else null. */
export function declaredImageKind(contentType: string | null | undefined, filename: string | null | undefined): ImageKind | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (Object.prototype.hasOwnProperty.call(BY_TYPE, type)) return BY_TYPE[type];
  if (!GENERIC_TYPES.has(type)) return null;
  const ext = /\.([^./\\]+)$/.exec((filename ?? '').trim())?.[1]?.toLowerCase() ?? '';
  return Object.prototype.hasOwnProperty.call(BY_EXT, ext) ? BY_EXT[ext] : null;
}

const ascii = (head: Uint8Array, at: number, text: string) => [...text].every((ch, i) => head[at + i] === ch.charCodeAt(0));

/** Bytes {@link sniffImageFormat} needs to see. */
export const SNIFF_BYTES = 512;

/** The format the first bytes of a file say it is (its signature), else null. */
export function sniffImageFormat(head: Uint8Array): ImageKind | null {
  if (head.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => head[i] === b)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 12 && ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (head.length >= 6 && (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a'))) return 'gif';
  if (head.length >= 14 && ascii(head, 0, 'BM')) return 'bmp';
  if (head.length >= 12 && ascii(head, 4, 'ftyp') && (ascii(head, 8, 'avif') || ascii(head, 8, 'avis'))) return 'avif';
  // ICONDIR: reserved 0, type 1 (icon), at least one image.
  if (head.length >= 6 && head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0 && (head[4] | head[5]) !== 0) return 'ico';
  if (looksLikeSvg(head)) return 'svg';
  return null;
}

function looksLikeSvg(head: Uint8Array): boolean {
  let text = '';
  for (let i = 0; i < head.length; i++) text += String.fromCharCode(head[i]);
  text = text.replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
  if (!text.startsWith('<')) return false;
  return /<svg[\s>]/i.test(text);
}

/** Whether a WebP's first bytes say it is animated (extended format, VP8X, with its animation flag). */
export function isAnimatedWebp(head: Uint8Array): boolean {
  return head.length >= 21 && ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBPVP8X') && (head[20] & 0x02) !== 0;
}

/** Whether the canvas can draw on this kind at all (SVG never is). */
export const isDrawable = (kind: ImageKind | null): kind is Exclude<ImageKind, 'svg'> => kind !== null && kind !== 'svg';

/** The format a drawn image of `kind` is written in, given what the canvas can encode. */
export function writtenFormat(kind: ImageKind, canEncode: (type: WrittenFormat) => boolean): WrittenFormat {
  if (kind === 'jpeg' && canEncode('image/jpeg')) return 'image/jpeg';
  if (kind === 'webp' && canEncode('image/webp')) return 'image/webp';
  return 'image/png';
}

/** Whether a drawn `kind` written as `format` keeps its name. */
export const keepsName = (kind: ImageKind, format: WrittenFormat): boolean => MIME_OF[kind] === format;

/** `filename` with its extension replaced by `.png` (added when it has none), for a file written as PNG. */
export function writtenFilename(filename: string, kind: ImageKind, format: WrittenFormat): string {
  if (keepsName(kind, format)) return filename;
  const ext = format === 'image/jpeg' ? '.jpg' : format === 'image/webp' ? '.webp' : '.png';
  const m = /^(.*[^.\s/\\])\.[^./\\]+$/.exec(filename);
  return `${m ? m[1] : filename}${ext}`;
}
