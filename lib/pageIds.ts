/**
 * The platform's ids as the extension accepts them (issue 14 "Names": ids read from the page are
 * checked before they go into a URL, and an answer's id must equal the id asked for). Every id
 * that goes into a route or an API path (workflow, order, execution and step ids, file uuids) passes
 * {@link checkedPlatformId} first, in `lib/platform.ts` (`pageFromUrl`, `routes`, `endpoints`, the
 * client); whether it comes from the URL, the DOM, a message or a listing makes no difference.
 *
 * The id alphabet ({@link PLATFORM_ID}): 1 to {@link MAX_PLATFORM_ID_LENGTH} ASCII letters, digits,
 * `-` and `_`. The site contract does not spell it out; it is what the platform's ids use (numbers
 * such as `1006`, UUIDs, `s1`, `u-101`). An allow-list: no `.` (so never a `.` or `..` segment),
 * no `/`, `\`, `%`, `?`, `#`, space or anything else that could change a URL's meaning, even before
 * `encodeURIComponent`, which every path still applies.
 */

/** Longest id accepted (UUIDs are 36; room for prefixed or composite ids). */
export const MAX_PLATFORM_ID_LENGTH = 128;

/** The characters of the platform's ids, and their length. */
export const PLATFORM_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_PLATFORM_ID_LENGTH}}$`);

/** Whether `value` is an id the platform could have issued. */
export function isPlatformId(value: unknown): value is string {
  return typeof value === 'string' && PLATFORM_ID.test(value);
}

/** The error for an id that is not one: says which id, shows it (escaped, shortened) and what ids look like. */
export class InvalidIdError extends Error {
  constructor(
    readonly what: string,
    readonly value: unknown,
  ) {
    super(`Refusing the ${what} ${describeValue(value)}: the platform's ids are 1 to ${MAX_PLATFORM_ID_LENGTH} letters (A–Z, a–z), digits, "-" or "_".`);
    this.name = 'InvalidIdError';
  }
}

/** `value` itself when it is a platform id; otherwise throws {@link InvalidIdError}. `what` names it ("workflow id"). */
export function checkedPlatformId(value: unknown, what: string): string {
  if (!isPlatformId(value)) throw new InvalidIdError(what, value);
  return value;
}

/** The error for an answer about another object than the one asked for. */
export class MismatchedIdError extends Error {
  constructor(
    readonly what: string,
    readonly asked: string,
    readonly answered: unknown,
  ) {
    super(`The platform answered with ${what} ${describeValue(answered)} when asked for ${what} ${describeValue(asked)}: the answer is refused.`);
    this.name = 'MismatchedIdError';
  }
}

/** `answer` when its `id` equals `asked`; otherwise throws {@link MismatchedIdError}. */
export function checkedAnswerId<T>(answer: T, asked: string, what: string): T {
  const id = answer && typeof answer === 'object' ? (answer as { id?: unknown }).id : undefined;
  if (id !== asked) throw new MismatchedIdError(what, asked, id);
  return answer;
}

/** A value for a message: JSON (so controls and quotes are visible), at most about 80 characters. */
function describeValue(value: unknown): string {
  if (value === undefined) return '(none)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const chars = [...text]; // code points: never cut a surrogate pair
  return chars.length > 80 ? `${chars.slice(0, 77).join('')}…` : text;
}
