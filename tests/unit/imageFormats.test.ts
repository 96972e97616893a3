import { describe, expect, it } from 'vitest';
import { declaredImageKind, isAnimatedWebp, sniffImageFormat, writtenFilename, writtenFormat, type WrittenFormat } from '../../lib/imageFormats';
import { allImageFixtures } from '../site/imageFixtures';

const all = () => true;
const pngOnly = (t: WrittenFormat) => t === 'image/png';

describe('which files are drawn on', () => {
  it('every raster format by content type, by extension when the type says nothing', () => {
    expect(declaredImageKind('image/png', 'x.bin')).toBe('png');
    expect(declaredImageKind('IMAGE/JPEG; charset=binary', 'x')).toBe('jpeg');
    expect(declaredImageKind('image/pjpeg', 'x')).toBe('jpeg');
    expect(declaredImageKind('image/webp', 'x')).toBe('webp');
    expect(declaredImageKind('image/gif', 'x')).toBe('gif');
    expect(declaredImageKind('image/bmp', 'x')).toBe('bmp');
    expect(declaredImageKind('image/avif', 'x')).toBe('avif');
    expect(declaredImageKind('image/vnd.microsoft.icon', 'x')).toBe('ico');
    expect(declaredImageKind('image/svg+xml', 'x')).toBe('svg');
    expect(declaredImageKind('application/octet-stream', 'Scan.PNG')).toBe('png');
    expect(declaredImageKind('', 'photo.JPEG')).toBe('jpeg');
    expect(declaredImageKind(null, 'a.jfif')).toBe('jpeg');
    expect(declaredImageKind('application/octet-stream', 'a.gif')).toBe('gif');
  });

  it('anything else goes in unchanged: DICOM, text, a .png that says it is text', () => {
    for (const [type, name] of [
      ['application/dicom', 'series.dcm'],
      ['text/plain', 'notes.png'],
      ['application/pdf', 'report.pdf'],
      ['application/octet-stream', 'NUL'],
      ['image/tiff', 'a.tif'],
      ['application/octet-stream', 'a.constructor'],
    ]) expect(declaredImageKind(type, name), `${type} ${name}`).toBeNull();
  });

  it('sniffs every format from its first bytes (the fixtures the reference platform serves)', () => {
    for (const [kind, bytes] of Object.entries(allImageFixtures())) expect(sniffImageFormat(bytes.subarray(0, 512)), kind).toBe(kind.replace(/-animated$/, '').replace('apng', 'png'));
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(new TextEncoder().encode('\ufeff<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'))).toBe('svg');
    expect(sniffImageFormat(new TextEncoder().encode('<html><body>not an svg</body></html>'))).toBeNull();
    expect(sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffImageFormat(new Uint8Array([]))).toBeNull();
  });
});

describe('animated WebP', () => {
  it('is told apart from a still one by its VP8X animation flag', () => {
    const f = allImageFixtures();
    expect(isAnimatedWebp(f['webp-animated'].subarray(0, 32))).toBe(true);
    expect(isAnimatedWebp(f.webp.subarray(0, 32))).toBe(false);
    expect(isAnimatedWebp(f['gif-animated'].subarray(0, 32))).toBe(false);
    expect(isAnimatedWebp(new Uint8Array(8))).toBe(false);
  });
});

describe('written format and name', () => {
  it('PNG, JPEG and WebP stay themselves when the canvas encodes them; the rest become PNG', () => {
    expect(writtenFormat('png', all)).toBe('image/png');
    expect(writtenFormat('jpeg', all)).toBe('image/jpeg');
    expect(writtenFormat('webp', all)).toBe('image/webp');
    for (const k of ['gif', 'bmp', 'avif', 'ico'] as const) expect(writtenFormat(k, all)).toBe('image/png');
    expect(writtenFormat('webp', pngOnly)).toBe('image/png');
    expect(writtenFormat('jpeg', pngOnly)).toBe('image/png');
  });

  it('a file written as PNG is named .png; others keep their name', () => {
    expect(writtenFilename('anim.GIF', 'gif', 'image/png')).toBe('anim.png');
    expect(writtenFilename('scan.bmp', 'bmp', 'image/png')).toBe('scan.png');
    expect(writtenFilename('photo.webp', 'webp', 'image/png')).toBe('photo.png');
    expect(writtenFilename('photo.webp', 'webp', 'image/webp')).toBe('photo.webp');
    expect(writtenFilename('x.JPG', 'jpeg', 'image/jpeg')).toBe('x.JPG');
    expect(writtenFilename('icon', 'ico', 'image/png')).toBe('icon.png');
    expect(writtenFilename('.hidden', 'gif', 'image/png')).toBe('.hidden.png');
    expect(writtenFilename('a.b.avif', 'avif', 'image/png')).toBe('a.b.png');
  });
});
