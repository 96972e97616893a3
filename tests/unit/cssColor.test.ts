import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NAMED_COLORS, formatColor, normalizeCssColor, parseCssColor } from '../../lib/cssColor';

describe('parseCssColor', () => {
  it('reads every hex form, alpha included', () => {
    expect(parseCssColor('#f80')).toEqual({ r: 255, g: 136, b: 0, a: 1 });
    expect(parseCssColor('#f808')).toEqual({ r: 255, g: 136, b: 0, a: 0.533 });
    expect(parseCssColor('#FF8800')).toEqual({ r: 255, g: 136, b: 0, a: 1 });
    expect(parseCssColor(' #ff880080 ')).toEqual({ r: 255, g: 136, b: 0, a: 0.502 });
  });

  it('reads rgb()/rgba() in comma and space syntax, numbers and percentages', () => {
    expect(parseCssColor('rgb(255, 0, 0)')).toEqual({ r: 255, g: 0, b: 0, a: 1 });
    expect(parseCssColor('rgba(0,128,255,0.25)')).toEqual({ r: 0, g: 128, b: 255, a: 0.25 });
    expect(parseCssColor('rgb(0 128 255 / 25%)')).toEqual({ r: 0, g: 128, b: 255, a: 0.25 });
    expect(parseCssColor('RGB(100%, 50%, 0%)')).toEqual({ r: 255, g: 128, b: 0, a: 1 });
    expect(parseCssColor('rgb(300, -5, 12.4)')).toEqual({ r: 255, g: 0, b: 12, a: 1 });
  });

  it('reads hsl()/hsla() with every hue unit', () => {
    expect(parseCssColor('hsl(0, 100%, 50%)')).toEqual({ r: 255, g: 0, b: 0, a: 1 });
    expect(parseCssColor('hsl(120deg 100% 25%)')).toEqual({ r: 0, g: 128, b: 0, a: 1 });
    expect(parseCssColor('hsla(0.5turn, 100%, 50%, 0.5)')).toEqual({ r: 0, g: 255, b: 255, a: 0.5 });
    expect(parseCssColor('hsl(240 100% 50% / 1)')).toEqual({ r: 0, g: 0, b: 255, a: 1 });
  });

  it('reads the named colours and transparent', () => {
    expect(Object.keys(NAMED_COLORS)).toHaveLength(148);
    expect(parseCssColor('rebeccapurple')).toEqual({ r: 0x66, g: 0x33, b: 0x99, a: 1 });
    expect(parseCssColor('DodgerBlue')).toEqual({ r: 0x1e, g: 0x90, b: 0xff, a: 1 });
    expect(parseCssColor('transparent')).toEqual({ r: 0, g: 0, b: 0, a: 0 });
  });

  it('refuses anything else: a missing or invalid colour falls back to the palette', () => {
    for (const bad of [null, undefined, 42, '', '#12', '#12345', '#ggg', 'rgb(1, 2)', 'rgb(1, 2, 3, 4, 5)', 'rgb(1%, 2, 3)', 'hsl(1, 2, 3)',
      'currentcolor', 'inherit', 'red;background:url(x)', 'url(javascript:alert(1))', 'constructor', '__proto__', 'toString', 'x'.repeat(100)])
      expect(parseCssColor(bad), String(bad)).toBeNull();
  });

  it('formats as the canvas does: #rrggbb when opaque, rgba() otherwise', () => {
    expect(formatColor({ r: 1, g: 2, b: 255, a: 1 })).toBe('#0102ff');
    expect(formatColor({ r: 1, g: 2, b: 255, a: 0.5 })).toBe('rgba(1, 2, 255, 0.5)');
    expect(normalizeCssColor('rgba(1, 2, 255, 0.5)')).toBe('rgba(1, 2, 255, 0.5)');
  });

  it('property: a formatted colour parses back to itself; hex round-trips', () => {
    const channel = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(channel, channel, channel, fc.integer({ min: 0, max: 1000 }), (r, g, b, a) => {
        const c = { r, g, b, a: a / 1000 };
        expect(parseCssColor(formatColor(c))).toEqual(c);
        const hex = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
        expect(normalizeCssColor(hex.toUpperCase())).toBe(hex);
      }),
    );
  });
});
