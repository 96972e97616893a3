/**
 * Rule "JSON of served values at any depth": the JSON text of a value the platform served (an
 * answer, a metadata value, a shape), as `JSON.stringify` writes it, without recursion. The
 * browser's `JSON.stringify` recurses once per level, so a value nested 100,000 levels deep (some
 * 600 KB of `{"a":` that `JSON.parse` reads without complaint) overflows the stack and would fail
 * the export; here the levels are an explicit stack, so any depth the parser accepted is written,
 * nothing cut. With `sortKeys`, object keys are sorted at every level (one text per value: the
 * fingerprints of lib/delta.ts). Pure: no DOM, no Node APIs.
 *
 * For JSON values (what `JSON.parse` makes) the text is exactly `JSON.stringify(value)`; beyond
 * them, as `JSON.stringify` does: `undefined` in an array is `null`, in an object it is left out,
 * a non-finite number is `null`. `toJSON` methods are not called (JSON values have none).
 */

type Frame =
  | { kind: 'array'; items: readonly unknown[]; at: number }
  | { kind: 'object'; obj: Record<string, unknown>; keys: string[]; at: number; wrote: boolean };

/** The text of a value that is not an array or an object, or null when it is one. */
function scalarText(value: unknown): string | null {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      // JSON.stringify throws on a bigint; no JSON value holds one. Written as its digits.
      return String(value);
    case 'object':
      return null;
    default:
      // undefined, functions, symbols: JSON.stringify's `null` where a value must stand.
      return 'null';
  }
}

export function jsonText(value: unknown, opts: { sortKeys?: boolean } = {}): string {
  const sortKeys = opts.sortKeys ?? false;
  const top = scalarText(value);
  if (top !== null) return top;
  let out = '';
  const stack: Frame[] = [];
  /** Writes `v`: a scalar at once, an array or object as a new frame. */
  const open = (v: unknown) => {
    const scalar = scalarText(v);
    if (scalar !== null) {
      out += scalar;
      return;
    }
    if (Array.isArray(v)) {
      out += '[';
      stack.push({ kind: 'array', items: v, at: 0 });
    } else {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (sortKeys) keys.sort();
      out += '{';
      stack.push({ kind: 'object', obj, keys, at: 0, wrote: false });
    }
  };
  open(value);
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (f.kind === 'array') {
      if (f.at === f.items.length) {
        out += ']';
        stack.pop();
        continue;
      }
      if (f.at > 0) out += ',';
      open(f.items[f.at++]);
      continue;
    }
    // An object: the next key whose value JSON.stringify would write.
    let key: string | undefined;
    while (f.at < f.keys.length) {
      const k = f.keys[f.at++];
      const v = f.obj[k];
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') {
        key = k;
        break;
      }
    }
    if (key === undefined) {
      out += '}';
      stack.pop();
      continue;
    }
    out += `${f.wrote ? ',' : ''}${JSON.stringify(key)}:`;
    f.wrote = true;
    open(f.obj[key]);
  }
  return out;
}
