/**
 * Tiny shape validators for data that crossed a boundary (messages between the extension's
 * contexts). A shape either returns a NEW value holding only what it allows (unknown keys of an
 * object are dropped, by construction) or throws a {@link ShapeError} naming the offending path.
 * Pure: runs in every context and in Node.
 */

export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'message'}: ${problem}`);
    this.name = 'ShapeError';
  }
}

/** Checks `value` at `path`; returns the allowed copy or throws {@link ShapeError}. */
export type Shape<T> = (value: unknown, path: string) => T;

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

/** Strings: at most `max` UTF-16 units (default 1000), at least `min`; no C0/C1 control character unless `multiline`. */
export function str(opts: { min?: number; max?: number; pattern?: RegExp; multiline?: boolean } = {}): Shape<string> {
  const { min = 0, max = 1000, pattern, multiline = false } = opts;
  return (v, path) => {
    if (typeof v !== 'string') throw new ShapeError(path, `expected text, got ${describe(v)}`);
    if (v.length < min) throw new ShapeError(path, min === 1 ? 'must not be empty' : `shorter than ${min} characters`);
    if (v.length > max) throw new ShapeError(path, `longer than ${max} characters`);
    // eslint-disable-next-line no-control-regex
    if (!multiline && /[\u0000-\u001f\u007f-\u009f]/.test(v)) throw new ShapeError(path, 'holds a control character');
    if (pattern && !pattern.test(v)) throw new ShapeError(path, 'is not in the expected form');
    return v;
  };
}

/** Finite numbers in [min, max]; `integer` for whole numbers. */
export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Shape<number> {
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false } = opts;
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(path, `expected a number, got ${describe(v)}`);
    if (integer && !Number.isInteger(v)) throw new ShapeError(path, 'expected a whole number');
    if (v < min || v > max) throw new ShapeError(path, `out of range [${min}, ${max}]`);
    return v;
  };
}

/** A whole number ≥ 0 (counts, sizes, ids of tabs and downloads, times in ms). */
export const count: Shape<number> = num({ min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });

export const bool: Shape<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new ShapeError(path, `expected true or false, got ${describe(v)}`);
  return v;
};

/** One of the listed literals (an allow-list). */
export function oneOf<const T extends readonly (string | number | boolean | null)[]>(...values: T): Shape<T[number]> {
  return (v, path) => {
    if (!values.includes(v as T[number])) throw new ShapeError(path, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    return v as T[number];
  };
}

export const nullable =
  <T>(shape: Shape<T>): Shape<T | null> =>
  (v, path) =>
    v === null ? null : shape(v, path);

/** Marks an object field as optional: absent (or `undefined`) is allowed and stays absent. */
export interface Optional<T> {
  optional: Shape<T>;
}
export const optional = <T>(shape: Shape<T>): Optional<T> => ({ optional: shape });

type Fields = Record<string, Shape<unknown> | Optional<unknown>>;
type Required<F extends Fields> = { [K in keyof F as F[K] extends Optional<unknown> ? never : K]: F[K] extends Shape<infer T> ? T : never };
type Opt<F extends Fields> = { [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: F[K] extends Optional<infer T> ? T : never };
export type ObjectOf<F extends Fields> = Required<F> & Opt<F>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A plain object with exactly the listed fields checked; other keys are dropped. */
export function obj<F extends Fields>(fields: F): Shape<ObjectOf<F>> {
  return (v, path) => {
    if (!isPlainObject(v)) throw new ShapeError(path, `expected an object, got ${describe(v)}`);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields)) {
      const at = path ? `${path}.${key}` : key;
      const raw = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
      if (typeof field === 'function') out[key] = field(raw, at);
      else if (raw !== undefined) out[key] = field.optional(raw, at);
    }
    return out as ObjectOf<F>;
  };
}

/** As {@link obj}, but a key that is not listed is refused instead of dropped (patches: nothing is silently ignored). */
export function strictObj<F extends Fields>(fields: F): Shape<ObjectOf<F>> {
  const inner = obj(fields);
  return (v, path) => {
    if (isPlainObject(v))
      for (const key of Object.keys(v)) if (!(key in fields)) throw new ShapeError(path ? `${path}.${key}` : key, 'is not allowed here');
    return inner(v, path);
  };
}

export function arr<T>(item: Shape<T>, opts: { max?: number } = {}): Shape<T[]> {
  const { max = 100_000 } = opts;
  return (v, path) => {
    if (!Array.isArray(v)) throw new ShapeError(path, `expected a list, got ${describe(v)}`);
    if (v.length > max) throw new ShapeError(path, `more than ${max} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** A plain object used as a map from keys of `key` to values of `value`, at most `max` entries. */
export function record<T>(key: Shape<string>, value: Shape<T>, opts: { max?: number } = {}): Shape<Record<string, T>> {
  const { max = 1000 } = opts;
  return (v, path) => {
    if (!isPlainObject(v)) throw new ShapeError(path, `expected an object, got ${describe(v)}`);
    const entries = Object.entries(v);
    if (entries.length > max) throw new ShapeError(path, `more than ${max} entries`);
    const out: Record<string, T> = Object.create(null);
    for (const [k, x] of entries) out[key(k, `${path} (a key)`)] = value(x, `${path}.${k}`);
    return { ...out };
  };
}

/** One of several object shapes, chosen by the literal value of `tag` (a discriminated union). */
export function union<K extends string, M extends Record<string, Shape<unknown>>>(tag: K, shapes: M): Shape<M[keyof M] extends Shape<infer T> ? T : never> {
  return (v, path) => {
    const t = isPlainObject(v) ? v[tag] : undefined;
    if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(shapes, t))
      throw new ShapeError(path ? `${path}.${tag}` : tag, `expected one of ${Object.keys(shapes).join(', ')}`);
    return shapes[t](v, path) as never;
  };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Runs a shape without throwing. */
export function check<T>(shape: Shape<T>, value: unknown, path = ''): Checked<T> {
  try {
    return { ok: true, value: shape(value, path) };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, message: err.message };
    throw err;
  }
}

// ---- shapes written against a type: adding a field or a member to the type fails to compile ----

/** One shape per key of `T`, optional keys as {@link optional}: a key of `T` without its shape does not compile. */
export type FieldsOf<T> = { [K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : Shape<T[K]> };

/** {@link obj} for exactly the keys of `T`. */
export const objOf = <T>(fields: FieldsOf<T>): Shape<T> => obj(fields as unknown as Fields) as unknown as Shape<T>;

/** {@link strictObj} for exactly the keys of `T`. */
export const strictObjOf = <T>(fields: FieldsOf<T>): Shape<T> => strictObj(fields as unknown as Fields) as unknown as Shape<T>;

/**
 * {@link oneOf} listing every member of the literal union `T`: `allOf<Phase>()('a', 'b')` does not
 * compile while `Phase` has a member not listed.
 */
export const allOf =
  <T extends string | number | boolean | null>() =>
  <const V extends readonly T[]>(...values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : { missing: Exclude<T, V[number]> })): Shape<T> =>
    oneOf(...(values as readonly T[])) as Shape<T>;
