/**
 * File bytes of the reference platform: real PNG (node:zlib) and JPEG (jpeg-js) images, small
 * documents, and "block" files of any size (up to many GB) generated on the fly from a seed.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { allImageFixtures } from './imageFixtures.ts';
import { crc32Of } from '../../lib/archiveJournal';

/** What a file's bytes are made of; the bytes are a pure function of this spec. */
export type ContentSpec =
  | { kind: 'png'; width: number; height: number; variant: number }
  | { kind: 'jpeg'; width: number; height: number; variant: number; quality: number }
  | { kind: 'text'; text: string }
  | { kind: 'pdf'; variant: number }
  /** A PNG signature followed by text: named and typed as a PNG, decodes as nothing (annotated exports). */
  | { kind: 'corrupt-png'; width: number; height: number }
  /** A tiny image of one format (tests/site/imageFixtures.ts; `bmp` is generated). */
  | { kind: 'fixture'; name: string }
  /** Seeded 64 KiB block repeated, the block index stamped into each block. */
  | { kind: 'blocks'; seed: number; size: number };

/** A file as the server knows it. */
export interface FileSpec {
  uuid: string;
  content: ContentSpec;
}

export const BLOCK_SIZE = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of numbers and strings (FNV-1a over the parts, then a murmur finaliser). */
export function hash32(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = typeof p === 'number' ? `#${p}` : `$${p}`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/** RGB pixels of a deterministic "scan": a tinted radial gradient, two bright blobs, rings and a grid. */
export function renderPixels(width: number, height: number, variant: number): Uint8Array {
  const rnd = mulberry32(hash32('image', variant));
  const tint = [0.6 + rnd() * 0.4, 0.6 + rnd() * 0.4, 0.6 + rnd() * 0.4];
  const cx = width * (0.35 + rnd() * 0.3);
  const cy = height * (0.35 + rnd() * 0.3);
  const blobs = Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => ({
    x: width * (0.15 + rnd() * 0.7),
    y: height * (0.15 + rnd() * 0.7),
    r: Math.min(width, height) * (0.04 + rnd() * 0.1),
  }));
  const ringFreq = 0.05 + rnd() * 0.1;
  const grid = 16 + Math.floor(rnd() * 48);
  const maxD = Math.hypot(width, height) / 1.6;
  const px = new Uint8Array(width * height * 3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - cx, y - cy);
      let v = 210 * Math.max(0, 1 - d / maxD) + 18 * Math.sin(d * ringFreq);
      for (const b of blobs) {
        const db = Math.hypot(x - b.x, y - b.y);
        if (db < b.r) v += 90 * (1 - db / b.r);
      }
      if (x % grid === 0 || y % grid === 0) v += 25;
      v = Math.max(0, Math.min(255, v));
      px[o++] = Math.min(255, v * tint[0] + (x * 40) / width);
      px[o++] = Math.min(255, v * tint[1]);
      px[o++] = Math.min(255, v * tint[2] + (y * 40) / height);
    }
  }
  return px;
}

export function crc32(buf: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  return native ? native(buf) >>> 0 : crc32Of(buf);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export function encodeJpeg(width: number, height: number, rgb: Uint8Array, quality: number): Buffer {
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i];
    rgba[j + 1] = rgb[i + 1];
    rgba[j + 2] = rgb[i + 2];
    rgba[j + 3] = 255;
  }
  return Buffer.from(jpeg.encode({ width, height, data: rgba }, quality).data);
}

function renderPdf(variant: number): Buffer {
  const rnd = mulberry32(hash32('pdf', variant));
  const lines = Array.from({ length: 20 + Math.floor(rnd() * 40) }, (_, i) => `(Line ${i + 1}: finding ${Math.floor(rnd() * 1e6)}) Tj T*`);
  const stream = `BT /F1 11 Tf 72 720 Td 14 TL\n${lines.join('\n')}\nET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------------

const bufferCache = new Map<string, Buffer>();
const specKey = (c: ContentSpec): string => JSON.stringify(c);

/** The whole content of a small (non-block) file, encoded once and cached. */
function materialize(c: Exclude<ContentSpec, { kind: 'blocks' }>): Buffer {
  const key = specKey(c);
  let buf = bufferCache.get(key);
  if (!buf) {
    switch (c.kind) {
      case 'png':
        buf = encodePng(c.width, c.height, renderPixels(c.width, c.height, c.variant));
        break;
      case 'jpeg':
        buf = encodeJpeg(c.width, c.height, renderPixels(c.width, c.height, c.variant), c.quality);
        break;
      case 'text':
        buf = Buffer.from(c.text, 'utf8');
        break;
      case 'pdf':
        buf = renderPdf(c.variant);
        break;
      case 'fixture':
        buf = Buffer.from(allImageFixtures()[c.name as keyof ReturnType<typeof allImageFixtures>] ?? new Uint8Array());
        break;
      case 'corrupt-png':
        buf = Buffer.concat([PNG_SIGNATURE, Buffer.from('\nThis upload was cut short: it is not a decodable PNG image.\n', 'latin1')]);
        break;
    }
    bufferCache.set(key, buf);
  }
  return buf;
}

const baseBlocks = new Map<number, Buffer>();
function baseBlock(seed: number): Buffer {
  let b = baseBlocks.get(seed);
  if (!b) {
    const rnd = mulberry32(seed);
    b = Buffer.alloc(BLOCK_SIZE);
    for (let i = 0; i < BLOCK_SIZE; i += 4) b.writeUInt32LE(Math.floor(rnd() * 4294967296), i);
    if (baseBlocks.size > 256) baseBlocks.clear();
    baseBlocks.set(seed, b);
  }
  return b;
}

/** Block `index` of a block file: the seed's block with the index stamped at its start and middle. */
function blockAt(seed: number, index: number, size = BLOCK_SIZE): Buffer {
  // Files smaller than a block (tens of thousands of them in the scale workflow) get their bytes
  // straight from the seed, without a 64 KiB block each.
  if (size < 64) {
    const rnd = mulberry32(seed);
    const small = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) small[i] = Math.floor(rnd() * 256);
    return small;
  }
  const b = Buffer.allocUnsafe(BLOCK_SIZE);
  baseBlock(seed).copy(b);
  b.writeUInt32LE(index >>> 0, 0);
  b.writeUInt32LE(Math.floor(index / 4294967296), 4);
  b.writeUInt32LE((index ^ seed) >>> 0, BLOCK_SIZE / 2);
  return b;
}

export function fileSize(file: FileSpec | ContentSpec): number {
  const c = 'content' in file ? file.content : file;
  return c.kind === 'blocks' ? c.size : materialize(c).length;
}

/** The bytes `start`..`end` (inclusive; default to the end), as Buffers of at most 64 KiB. */
export function* readFileRange(file: FileSpec | ContentSpec, start = 0, end?: number): Generator<Buffer> {
  const c = 'content' in file ? file.content : file;
  const size = fileSize(c);
  const last = Math.min(end ?? size - 1, size - 1);
  if (start > last) return;
  if (c.kind !== 'blocks') {
    const buf = materialize(c);
    for (let p = start; p <= last; p += BLOCK_SIZE) yield buf.subarray(p, Math.min(last + 1, p + BLOCK_SIZE));
    return;
  }
  let pos = start;
  while (pos <= last) {
    const index = Math.floor(pos / BLOCK_SIZE);
    const offset = pos - index * BLOCK_SIZE;
    const n = Math.min(BLOCK_SIZE - offset, last + 1 - pos);
    const block = blockAt(c.seed, index, c.size);
    yield offset === 0 && n === BLOCK_SIZE ? block : block.subarray(offset, offset + n);
    pos += n;
  }
}

/** The whole content as one Buffer (only for small files: tests, image decoding). */
export function readFile(file: FileSpec | ContentSpec): Buffer {
  return Buffer.concat([...readFileRange(file)]);
}

const shaCache = new Map<string, Promise<string>>();

/** Hex SHA-256 of a file's bytes; computed once per content (lazily for huge files) and cached. */
export function sha256Of(file: FileSpec): Promise<string> {
  const key = file.content.kind === 'blocks' ? `b:${file.content.seed}:${file.content.size}` : specKey(file.content);
  let p = shaCache.get(key);
  if (!p) {
    p = (async () => {
      const h = createHash('sha256');
      let n = 0;
      for (const chunk of readFileRange(file)) {
        h.update(chunk);
        // Yield to the event loop every 4 MiB so a multi-GB hash does not stall the server.
        if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      return h.digest('hex');
    })();
    if (shaCache.size > 500_000) shaCache.clear();
    shaCache.set(key, p);
  }
  return p;
}

export function isImage(c: ContentSpec): boolean {
  return c.kind === 'png' || c.kind === 'jpeg';
}
