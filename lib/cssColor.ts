/**
 * CSS colours of annotation shapes (issue 15, point 2), parsed without a DOM so that the drawing
 * plan and its unit tests run in Node. In the browser the canvas decides (workers/annotate.ts
 * assigns the colour to a 2D context's `fillStyle` and reads back what it accepted); this parser
 * is the allow-list for everywhere else, and it reads the canvas's own serialisation back.
 *
 * Accepted: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`; `rgb()`/`rgba()` and `hsl()`/`hsla()` in the
 * legacy comma syntax and the modern space syntax (`rgb(1 2 3 / 50%)`), numbers or percentages,
 * hue in `deg`, `grad`, `rad`, `turn` or bare degrees; the 148 named colours and `transparent`;
 * case-insensitive, surrounding spaces ignored. Anything else (including `currentcolor` and
 * strings over 64 characters) is not a colour: the shape takes its label's palette colour.
 */

/** A colour: red, green, blue 0..255 (integers), alpha 0..1. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** The CSS named colours as 0xrrggbb (CSS Color 4, §6.1). */
export const NAMED_COLORS: Readonly<Record<string, number>> = {
  aliceblue: 0xf0f8ff, antiquewhite: 0xfaebd7, aqua: 0x00ffff, aquamarine: 0x7fffd4, azure: 0xf0ffff,
  beige: 0xf5f5dc, bisque: 0xffe4c4, black: 0x000000, blanchedalmond: 0xffebcd, blue: 0x0000ff,
  blueviolet: 0x8a2be2, brown: 0xa52a2a, burlywood: 0xdeb887, cadetblue: 0x5f9ea0, chartreuse: 0x7fff00,
  chocolate: 0xd2691e, coral: 0xff7f50, cornflowerblue: 0x6495ed, cornsilk: 0xfff8dc, crimson: 0xdc143c,
  cyan: 0x00ffff, darkblue: 0x00008b, darkcyan: 0x008b8b, darkgoldenrod: 0xb8860b, darkgray: 0xa9a9a9,
  darkgreen: 0x006400, darkgrey: 0xa9a9a9, darkkhaki: 0xbdb76b, darkmagenta: 0x8b008b, darkolivegreen: 0x556b2f,
  darkorange: 0xff8c00, darkorchid: 0x9932cc, darkred: 0x8b0000, darksalmon: 0xe9967a, darkseagreen: 0x8fbc8f,
  darkslateblue: 0x483d8b, darkslategray: 0x2f4f4f, darkslategrey: 0x2f4f4f, darkturquoise: 0x00ced1,
  darkviolet: 0x9400d3, deeppink: 0xff1493, deepskyblue: 0x00bfff, dimgray: 0x696969, dimgrey: 0x696969,
  dodgerblue: 0x1e90ff, firebrick: 0xb22222, floralwhite: 0xfffaf0, forestgreen: 0x228b22, fuchsia: 0xff00ff,
  gainsboro: 0xdcdcdc, ghostwhite: 0xf8f8ff, gold: 0xffd700, goldenrod: 0xdaa520, gray: 0x808080,
  green: 0x008000, greenyellow: 0xadff2f, grey: 0x808080, honeydew: 0xf0fff0, hotpink: 0xff69b4,
  indianred: 0xcd5c5c, indigo: 0x4b0082, ivory: 0xfffff0, khaki: 0xf0e68c, lavender: 0xe6e6fa,
  lavenderblush: 0xfff0f5, lawngreen: 0x7cfc00, lemonchiffon: 0xfffacd, lightblue: 0xadd8e6, lightcoral: 0xf08080,
  lightcyan: 0xe0ffff, lightgoldenrodyellow: 0xfafad2, lightgray: 0xd3d3d3, lightgreen: 0x90ee90, lightgrey: 0xd3d3d3,
  lightpink: 0xffb6c1, lightsalmon: 0xffa07a, lightseagreen: 0x20b2aa, lightskyblue: 0x87cefa,
  lightslategray: 0x778899, lightslategrey: 0x778899, lightsteelblue: 0xb0c4de, lightyellow: 0xffffe0,
  lime: 0x00ff00, limegreen: 0x32cd32, linen: 0xfaf0e6, magenta: 0xff00ff, maroon: 0x800000,
  mediumaquamarine: 0x66cdaa, mediumblue: 0x0000cd, mediumorchid: 0xba55d3, mediumpurple: 0x9370db,
  mediumseagreen: 0x3cb371, mediumslateblue: 0x7b68ee, mediumspringgreen: 0x00fa9a, mediumturquoise: 0x48d1cc,
  mediumvioletred: 0xc71585, midnightblue: 0x191970, mintcream: 0xf5fffa, mistyrose: 0xffe4e1, moccasin: 0xffe4b5,
  navajowhite: 0xffdead, navy: 0x000080, oldlace: 0xfdf5e6, olive: 0x808000, olivedrab: 0x6b8e23,
  orange: 0xffa500, orangered: 0xff4500, orchid: 0xda70d6, palegoldenrod: 0xeee8aa, palegreen: 0x98fb98,
  paleturquoise: 0xafeeee, palevioletred: 0xdb7093, papayawhip: 0xffefd5, peachpuff: 0xffdab9, peru: 0xcd853f,
  pink: 0xffc0cb, plum: 0xdda0dd, powderblue: 0xb0e0e6, purple: 0x800080, rebeccapurple: 0x663399,
  red: 0xff0000, rosybrown: 0xbc8f8f, royalblue: 0x4169e1, saddlebrown: 0x8b4513, salmon: 0xfa8072,
  sandybrown: 0xf4a460, seagreen: 0x2e8b57, seashell: 0xfff5ee, sienna: 0xa0522d, silver: 0xc0c0c0,
  skyblue: 0x87ceeb, slateblue: 0x6a5acd, slategray: 0x708090, slategrey: 0x708090, snow: 0xfffafa,
  springgreen: 0x00ff7f, steelblue: 0x4682b4, tan: 0xd2b48c, teal: 0x008080, thistle: 0xd8bfd8,
  tomato: 0xff6347, turquoise: 0x40e0d0, violet: 0xee82ee, wheat: 0xf5deb3, white: 0xffffff,
  whitesmoke: 0xf5f5f5, yellow: 0xffff00, yellowgreen: 0x9acd32,
};

/** Longest colour text looked at (anything longer is not a colour a platform would serve). */
export const MAX_COLOR_LENGTH = 64;

const NUM = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?`;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A channel 0..255: a number, or a percentage of 255. */
function channel(text: string): number | null {
  const m = new RegExp(`^(${NUM})(%?)$`).exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  return Math.round(clamp(m[2] ? (v * 255) / 100 : v, 0, 255));
}

/** An alpha 0..1: a number or a percentage. */
function alpha(text: string | undefined): number | null {
  if (text === undefined) return 1;
  const m = new RegExp(`^(${NUM})(%?)$`).exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  return clamp(m[2] ? v / 100 : v, 0, 1);
}

function percent(text: string): number | null {
  const m = new RegExp(`^(${NUM})%$`).exec(text);
  return m ? clamp(Number(m[1]), 0, 100) / 100 : null;
}

function hue(text: string): number | null {
  const m = new RegExp(`^(${NUM})(deg|grad|rad|turn)?$`).exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  const deg = m[2] === 'grad' ? v * 0.9 : m[2] === 'rad' ? (v * 180) / Math.PI : m[2] === 'turn' ? v * 360 : v;
  return ((deg % 360) + 360) % 360;
}

/** The arguments of `name(…)`: three values and an optional alpha, comma or space syntax; else null. */
function args(body: string): [string, string, string, string | undefined] | null {
  const text = body.trim();
  let parts: string[];
  if (text.includes(',')) {
    parts = text.split(',').map((p) => p.trim());
    if (parts.length !== 3 && parts.length !== 4) return null;
  } else {
    const [main, a, ...rest] = text.split('/');
    if (rest.length) return null;
    parts = main.trim().split(/\s+/);
    if (parts.length !== 3) return null;
    if (a !== undefined) parts.push(a.trim());
  }
  if (parts.some((p) => p === '')) return null;
  return [parts[0], parts[1], parts[2], parts[3]];
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** A CSS colour → its channels; null when it is not one of the accepted forms. */
export function parseCssColor(input: unknown): Rgba | null {
  if (typeof input !== 'string' || input.length > MAX_COLOR_LENGTH) return null;
  const c = input.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(c);
  if (hex) {
    let h = hex[1];
    if (h.length <= 4) h = [...h].map((d) => d + d).join('');
    const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: h.length === 8 ? Math.round((n(6) / 255) * 1000) / 1000 : 1 };
  }
  if (c === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  if (Object.prototype.hasOwnProperty.call(NAMED_COLORS, c)) {
    const n = NAMED_COLORS[c];
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255, a: 1 };
  }
  const fn = /^(rgba?|hsla?)\((.*)\)$/.exec(c);
  if (!fn) return null;
  const parts = args(fn[2]);
  if (!parts) return null;
  const a = alpha(parts[3]);
  if (a === null) return null;
  if (fn[1].startsWith('rgb')) {
    const rgb = parts.slice(0, 3).map((p) => channel(p!));
    // CSS: the three channels are all numbers or all percentages.
    const kinds = new Set(parts.slice(0, 3).map((p) => p!.endsWith('%')));
    if (rgb.some((v) => v === null) || kinds.size !== 1) return null;
    return { r: rgb[0]!, g: rgb[1]!, b: rgb[2]!, a };
  }
  const h = hue(parts[0]);
  const s = percent(parts[1]);
  const l = percent(parts[2]);
  if (h === null || s === null || l === null) return null;
  const [r, g, b] = hslToRgb(h, s, l);
  return { r, g, b, a };
}

const hex2 = (v: number) => v.toString(16).padStart(2, '0');

/** The canvas's own form: `#rrggbb` when opaque, else `rgba(r, g, b, a)`. */
export function formatColor(c: Rgba): string {
  if (c.a >= 1) return `#${hex2(c.r)}${hex2(c.g)}${hex2(c.b)}`;
  return `rgba(${c.r}, ${c.g}, ${c.b}, ${Math.round(c.a * 1000) / 1000})`;
}

/** A CSS colour in the canvas's form, or null when it is not a colour. */
export function normalizeCssColor(input: unknown): string | null {
  const c = parseCssColor(input);
  return c ? formatColor(c) : null;
}
