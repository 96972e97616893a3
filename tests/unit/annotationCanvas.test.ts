import { afterAll, describe, expect, it, vi } from 'vitest';
import { canvasColorParser, encoderSupport } from '../../workers/annotate';
import { formatColor, parseCssColor } from '../../lib/cssColor';

/**
 * A stand-in for a browser's 2D context: `fillStyle` keeps the last colour it accepts (CSS colours
 * as lib/cssColor.ts reads them, plus `oklch(…)`, which it serialises as is, like a browser with
 * CSS Color 4), and a 1 × 1 fillRect paints that colour for getImageData.
 */
class FakeContext {
  private style = '#000000';
  private painted: [number, number, number, number] = [0, 0, 0, 0];
  get fillStyle() {
    return this.style;
  }
  set fillStyle(v: string) {
    const c = parseCssColor(v);
    if (c) this.style = formatColor(c);
    else if (/^oklch\(.+\)$/.test(v)) this.style = v;
  }
  clearRect() {
    this.painted = [0, 0, 0, 0];
  }
  fillRect() {
    this.painted = this.style.startsWith('oklch') ? [10, 20, 30, 255] : (() => {
      const c = parseCssColor(this.style)!;
      return [c.r, c.g, c.b, Math.round(c.a * 255)] as [number, number, number, number];
    })();
  }
  getImageData() {
    return { data: Uint8ClampedArray.from(this.painted) };
  }
}

class FakeCanvas {
  constructor(
    public width: number,
    public height: number,
  ) {}
  getContext() {
    return new FakeContext();
  }
  async convertToBlob({ type }: { type: string }) {
    // This "browser" encodes PNG and JPEG; asked for WebP it falls back to PNG, as browsers do.
    return new Blob([], { type: type === 'image/webp' ? 'image/png' : type });
  }
}

describe('the canvas decides which colours are colours (worker side, with a stand-in canvas)', () => {
  vi.stubGlobal('OffscreenCanvas', FakeCanvas);
  afterAll(() => vi.unstubAllGlobals());

  it('accepts what the canvas accepts, reading back its serialisation, and refuses the rest', () => {
    const parse = canvasColorParser();
    expect(parse('rgba(255, 0, 0, 0.5)')).toEqual({ r: 255, g: 0, b: 0, a: 0.5 });
    expect(parse('#010203')).toEqual({ r: 1, g: 2, b: 3, a: 1 }); // the sentinel's own colour is still a colour
    expect(parse('#030201')).toEqual({ r: 3, g: 2, b: 1, a: 1 });
    expect(parse('rebeccapurple')).toEqual({ r: 0x66, g: 0x33, b: 0x99, a: 1 });
    // A form the Node parser does not know, accepted by this canvas: its pixel says what it is.
    expect(parse('oklch(70% 0.1 200)')).toEqual({ r: 10, g: 20, b: 30, a: 1 });
    for (const bad of ['nope', '', 'url(x)', 'x'.repeat(100)]) expect(parse(bad), bad).toBeNull();
  });

  it('finds which formats the canvas encodes: WebP falling back to PNG is not WebP', async () => {
    const can = await encoderSupport();
    expect([can('image/png'), can('image/jpeg'), can('image/webp')]).toEqual([true, true, false]);
  });
});
