/**
 * The folder path template of the case-file ZIPs (product spec 1b): Liquid-style plain variables,
 * `{{ NAME }}`, and `/` to make folders.
 *
 * As in DownThemAll!'s rename masks, each variable is one getter in {@link variables}; the list of
 * names ({@link TEMPLATE_VARIABLES}, for the UI chips), the parser's vocabulary and the help text
 * are all derived from that one object, so they can't drift apart.
 * Pure: no DOM, no Node APIs.
 */
import type { Case, CaseFile, Order, Workflow } from './platform.ts';
import { defaultCaseFileName, sanitizeSegment, sanitizeValue, splitExtension } from './naming.ts';

/** Everything a variable can read about one file of one case. */
export interface FileContext {
  workflow: Workflow | { id: string; name: string };
  order: Order | null;
  case: Case;
  file: CaseFile;
  /** 0-based index of `file` in `case.files` (upload order). */
  fileIndex: number;
}

interface VariableDef {
  describe: string;
  get: (ctx: FileContext) => string;
}

const hasText = (s: string | null | undefined): s is string => s != null && s.trim() !== '';

const externalId = (ctx: FileContext): string =>
  [ctx.case.entityExternalId, ctx.case.externalId].find(hasText) ?? ctx.case.shortId;

/** Zero-padded on the left to 12 characters (code points); longer values unchanged. */
const padExternalId = (id: string): string => '0'.repeat(Math.max(0, 12 - [...id].length)) + id;

const fileExt = (ctx: FileContext): string => splitExtension(ctx.file.originalFilename).ext;

/** The variables of spec 1b: one getter each, in the order the UI shows them. */
export const variables = {
  WORKFLOW_NAME: {
    describe: 'Workflow name',
    get: (ctx) => ctx.workflow.name,
  },
  WORKFLOW_ORDER_NAME: {
    describe: 'Workflow order name (the workflow name when no order is selected)',
    get: (ctx) => (ctx.order && hasText(ctx.order.name) ? ctx.order.name : ctx.workflow.name),
  },
  CASE_ID: {
    describe: 'Case database ID',
    get: (ctx) => ctx.case.id,
  },
  CASE_SHORT_ID: {
    describe: 'Case short ID',
    get: (ctx) => ctx.case.shortId,
  },
  CASE_EXTERNAL_ID: {
    describe: 'External ID: the entity external ID, else the case external ID, else the short ID',
    get: externalId,
  },
  CASE_EXTERNAL_ID_PADDED: {
    describe: 'External ID zero-padded on the left to 12 characters',
    get: (ctx) => padExternalId(externalId(ctx)),
  },
  FILE_UUID: {
    describe: 'File unique identifier',
    get: (ctx) => ctx.file.uuid,
  },
  FILE_COUNT: {
    describe: 'File number within the case, in upload order (1-based)',
    get: (ctx) => String(ctx.fileIndex + 1),
  },
  FILE_EXT: {
    describe: 'File extension with its dot (.jpg, .png…), empty when none',
    get: fileExt,
  },
  ORIGINAL_FILENAME: {
    describe: 'Original uploaded file name',
    get: (ctx) => ctx.file.originalFilename,
  },
  FILENAME: {
    describe: 'Default file name: <CASE_EXTERNAL_ID_PADDED>_<workflow[-order]-name>_<FILE_COUNT><FILE_EXT>',
    get: (ctx) =>
      defaultCaseFileName(padExternalId(externalId(ctx)), ctx.workflow, ctx.order, ctx.fileIndex + 1, fileExt(ctx)),
  },
} satisfies Record<string, VariableDef>;

export type VariableName = keyof typeof variables;

/** Every variable name, for the UI chips (derived from {@link variables}). */
export const TEMPLATE_VARIABLES = Object.keys(variables) as VariableName[];

const isVariableName = (name: string): name is VariableName => Object.prototype.hasOwnProperty.call(variables, name);

/** A variable's description (tooltips of the UI chips), from its getter's entry. */
export function variableDescription(name: VariableName): string {
  return variables[name].describe;
}

/** The value of one variable for one file (raw, before sanitising). */
export function variableValue(name: VariableName, ctx: FileContext): string {
  return variables[name].get(ctx);
}

/** A context to show example values in the help (fictional data). */
export const EXAMPLE_CONTEXT: FileContext = {
  workflow: { id: 'wf_1', name: 'Chest X-ray study' },
  order: { id: 'ord_1', name: 'Batch 2' },
  case: {
    id: 'c8f2a1d4-5b7e-4c1a-9d3f-2e6b8a0c4f71',
    shortId: 'C-1042',
    externalId: 'PAT-7731',
    entityExternalId: null,
    orderId: 'ord_1',
    metadata: {},
    files: [],
  },
  file: {
    uuid: '3f9c2b7e-1a4d-4e8f-b6c5-9d0a7e2f1b34',
    originalFilename: 'scan front.jpg',
    contentType: 'image/jpeg',
    size: 1,
    createdAt: '2024-01-01T00:00:00Z',
  },
  fileIndex: 0,
};

export interface VariableHelp {
  name: VariableName;
  /** `{{ NAME }}`, as inserted by the UI chip. */
  token: string;
  description: string;
  /** The value for {@link EXAMPLE_CONTEXT}. */
  example: string;
}

/** One entry per variable, derived from the getters (for the help and the chips' tooltips). */
export const TEMPLATE_VARIABLE_HELP: readonly VariableHelp[] = TEMPLATE_VARIABLES.map((name) => ({
  name,
  token: `{{ ${name} }}`,
  description: variables[name].describe,
  example: variables[name].get(EXAMPLE_CONTEXT),
}));

/** The help text of the template field, derived from the getters. */
export function describeTemplate(): string {
  return [
    'Folder path template: plain variables {{ NAME }} and / to make folders,',
    'e.g. {{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/{{ FILENAME }}.',
    'A template ending in / gets {{ FILENAME }} appended; an empty template puts every file at the ZIP root.',
    'Variables:',
    ...TEMPLATE_VARIABLE_HELP.map((v) => `  ${v.token}: ${v.description} (e.g. ${v.example || '(empty)'})`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'variable'; name: VariableName };

/** A parsed, valid template. `parts` is empty for an empty template (default names at the root). */
export interface PathTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

/** One problem in a template; `start`/`end` are offsets of the offending part in the text. */
export interface TemplateError {
  message: string;
  start: number;
  end: number;
}

export type ParseResult = { ok: true; template: PathTemplate } | { ok: false; errors: TemplateError[] };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `${TOKEN}` at `lastIndex` (sticky). */
const DOLLAR_TOKEN = /\$\{([^{}]*)\}/y;
/** `{ NAME }` at `lastIndex` (sticky): a variable written with single braces. */
const SINGLE_BRACE_VARIABLE = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/y;

/** Levenshtein distance (small strings only). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

const commonPrefixLength = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/**
 * The variable nearest to `name` by edit distance, case-insensitively. A name that starts a
 * variable's name (3 characters or more) is read as unfinished: only those variables compete
 * (`WORKFLOW_ORDER` → `WORKFLOW_ORDER_NAME`). Ties go to the longer common prefix, then to the
 * first in the list.
 */
export function nearestVariable(name: string): VariableName {
  const upper = name.toUpperCase();
  const completions = upper.length >= 3 ? TEMPLATE_VARIABLES.filter((v) => v.startsWith(upper)) : [];
  const candidates = completions.length ? completions : TEMPLATE_VARIABLES;
  let best = candidates[0];
  let bestDistance = Infinity;
  let bestPrefix = -1;
  for (const v of candidates) {
    const d = editDistance(upper, v);
    const prefix = commonPrefixLength(upper, v);
    if (d < bestDistance || (d === bestDistance && prefix > bestPrefix)) {
      best = v;
      bestDistance = d;
      bestPrefix = prefix;
    }
  }
  return best;
}

/** Errors of the expression between `{{` and `}}` (`inner` starts at offset `at`). */
function checkExpression(inner: string, at: number, whole: [number, number]): TemplateError[] | VariableName {
  const lead = inner.length - inner.trimStart().length;
  const trimmed = inner.trim();
  const start = at + lead;
  if (trimmed === '') {
    return [{ message: 'Empty variable: write a name between the braces, e.g. {{ CASE_ID }}.', start: whole[0], end: whole[1] }];
  }
  const errors: TemplateError[] = [];
  let expr = trimmed;
  const pipe = trimmed.indexOf('|');
  if (pipe >= 0) {
    errors.push({
      message: `Filters aren't supported (${trimmed.slice(pipe).trim()}): templates only take plain variables like {{ CASE_ID }}.`,
      start: start + pipe,
      end: start + trimmed.length,
    });
    expr = trimmed.slice(0, pipe).trimEnd();
    if (expr === '') return errors;
  }
  if (!IDENTIFIER.test(expr)) {
    errors.push({
      message: `"${expr}" is not a variable name: templates only take plain variables like {{ CASE_ID }}.`,
      start,
      end: start + expr.length,
    });
    return errors;
  }
  if (isVariableName(expr)) return errors.length ? errors : expr;
  const upper = expr.toUpperCase();
  if (isVariableName(upper)) {
    errors.push({ message: `Variable names are uppercase: write ${upper}, not ${expr}.`, start, end: start + expr.length });
  } else {
    errors.push({
      message: `Unknown variable ${expr}. Did you mean ${nearestVariable(expr)}?`,
      start,
      end: start + expr.length,
    });
  }
  return errors;
}

interface Token {
  /** `invalid`: an erroneous part, kept so the path checks see segments right. */
  kind: 'text' | 'variable' | 'invalid';
  text: string;
  start: number;
  name?: VariableName;
}

/**
 * Parse a path template. An empty or whitespace-only template is valid and means "no template".
 * Every error is collected (not just the first), each with the offsets of its offending part:
 * unknown variables (with the nearest suggested), lowercase names, tags `{% %}`, filters `|`,
 * `${TOKEN}`, unbalanced or single braces, and unsafe literal paths (absolute: `/…`, `\…`,
 * `//server`, `C:…`; or a `..` segment, `\` counting as a separator). Never throws.
 */
export function parsePathTemplate(text: string): ParseResult {
  if (text.trim() === '') return { ok: true, template: { source: text, parts: [] } };
  const errors: TemplateError[] = [];
  const tokens: Token[] = [];
  let literal = '';
  let literalStart = 0;
  const flush = () => {
    if (literal) tokens.push({ kind: 'text', text: literal, start: literalStart });
    literal = '';
  };
  const bad = (start: number, end: number) => tokens.push({ kind: 'invalid', text: text.slice(start, end), start });

  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if (two === '{{') {
      flush();
      const close = text.indexOf('}}', i + 2);
      const nextOpen = text.indexOf('{{', i + 2);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
        const end = nextOpen >= 0 && (close < 0 || nextOpen < close) ? nextOpen : text.length;
        errors.push({ message: 'Unclosed {{: close the variable with }}.', start: i, end });
        bad(i, end);
        i = end;
        continue;
      }
      const inner = text.slice(i + 2, close);
      const braces = inner.search(/[{}]/);
      let name: VariableName | null = null;
      if (braces >= 0) {
        errors.push({
          message: 'Unbalanced braces: a variable is written {{ NAME }}.',
          start: i + 2 + braces,
          end: i + 3 + braces,
        });
      } else {
        const checked = checkExpression(inner, i + 2, [i, close + 2]);
        if (typeof checked === 'string') name = checked;
        else errors.push(...checked);
      }
      if (name) tokens.push({ kind: 'variable', text: text.slice(i, close + 2), start: i, name });
      else bad(i, close + 2);
      i = close + 2;
      continue;
    }
    if (two === '{%') {
      flush();
      const close = text.indexOf('%}', i + 2);
      const end = close < 0 ? i + 2 : close + 2;
      errors.push({
        message: "Tags ({% … %}) aren't supported: templates only take plain variables like {{ CASE_ID }}.",
        start: i,
        end,
      });
      bad(i, end);
      i = end;
      continue;
    }
    if (two === '${') {
      flush();
      DOLLAR_TOKEN.lastIndex = i;
      const m = DOLLAR_TOKEN.exec(text);
      const end = m ? i + m[0].length : i + 2;
      const name = m?.[1].trim() ?? '';
      const hint = isVariableName(name.toUpperCase()) ? `write {{ ${name.toUpperCase()} }}` : 'variables are written {{ NAME }}';
      errors.push({ message: `\${TOKEN} syntax isn't supported: ${hint}.`, start: i, end });
      bad(i, end);
      i = end;
      continue;
    }
    if (two === '}}') {
      flush();
      errors.push({ message: 'Unmatched }}: a variable starts with {{.', start: i, end: i + 2 });
      bad(i, i + 2);
      i += 2;
      continue;
    }
    const ch = text[i];
    if (ch === '{' || ch === '}') {
      flush();
      SINGLE_BRACE_VARIABLE.lastIndex = i;
      const single = ch === '{' ? SINGLE_BRACE_VARIABLE.exec(text) : null;
      if (single) {
        const name = single[1].toUpperCase();
        const hint = isVariableName(name) ? `{{ ${name} }}` : '{{ NAME }}';
        errors.push({ message: `Single braces: a variable takes double braces, ${hint}.`, start: i, end: i + single[0].length });
        bad(i, i + single[0].length);
        i += single[0].length;
      } else {
        errors.push({
          message: `Unbalanced ${ch}: braces are only allowed around variables, {{ NAME }}.`,
          start: i,
          end: i + 1,
        });
        bad(i, i + 1);
        i += 1;
      }
      continue;
    }
    if (literal === '') literalStart = i;
    literal += ch;
    i++;
  }
  flush();

  errors.push(...unsafePathErrors(tokens));
  if (errors.length) {
    errors.sort((a, b) => a.start - b.start || a.end - b.end);
    return { ok: false, errors };
  }
  const parts = tokens.map(
    (t): TemplatePart => (t.kind === 'text' ? { kind: 'text', text: t.text } : { kind: 'variable', name: t.name! }),
  );
  return { ok: true, template: { source: text, parts } };
}

/** Absolute paths and `..` segments made by the literal text (`\` counts as a separator). */
function unsafePathErrors(tokens: Token[]): TemplateError[] {
  const errors: TemplateError[] = [];
  // Absolute: the template's first non-blank characters are literal separators or a drive.
  const first = tokens[0];
  if (first && first.kind === 'text') {
    const lead = first.text.length - first.text.trimStart().length;
    const rest = first.text.slice(lead);
    const start = first.start + lead;
    const seps = /^[/\\]+/.exec(rest);
    // `C:`, `C:/…`, `C:\…`, `C:{{ X }}`; not `a:b`, a folder name whose `:` is sanitised.
    const drive = /^[A-Za-z]:(?=[/\\]|$)/.exec(rest);
    if (seps) {
      const unc = seps[0].length >= 2;
      errors.push({
        message: unc
          ? `The path must be relative: remove the leading ${seps[0]} (a network path).`
          : `The path must be relative: remove the leading ${seps[0]}.`,
        start,
        end: start + seps[0].length,
      });
    } else if (drive) {
      errors.push({ message: `The path must be relative: remove the drive ${drive[0]} at the start.`, start, end: start + 2 });
    }
  }
  // `..` segments made only of literal text.
  let segText = '';
  let segStart = 0;
  let pure = true;
  const endSegment = () => {
    const trimmed = segText.trim();
    if (pure && trimmed === '..') {
      const s = segStart + segText.indexOf('..');
      errors.push({ message: "'..' (the parent folder) isn't allowed in the path.", start: s, end: s + 2 });
    }
  };
  for (const t of tokens) {
    if (t.kind !== 'text') {
      pure = false;
      continue;
    }
    for (let k = 0; k < t.text.length; k++) {
      const c = t.text[k];
      if (c === '/' || c === '\\') {
        endSegment();
        segText = '';
        segStart = t.start + k + 1;
        pure = true;
      } else {
        if (segText === '' && pure) segStart = t.start + k;
        segText += c;
      }
    }
  }
  endSegment();
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/**
 * The relative ZIP path of one file, `/`-separated: variable values go through sanitizeValue (they
 * can't make folders), literal `\` is treated as `/`, each segment goes through sanitizeSegment,
 * empty segments and literal `.` segments are dropped. When the output ends in `/` (its last
 * segment renders empty), FILENAME is appended; an empty result, or a `null`/empty template, is
 * FILENAME at the root. The result is never absolute and holds no `.`/`..` segment, invalid
 * character, reserved name or segment over 255 UTF-8 bytes.
 */
export function renderPathTemplate(t: PathTemplate | null, ctx: FileContext): string {
  const filename = () => sanitizeSegment(variables.FILENAME.get(ctx)) || '_';
  if (!t || t.parts.length === 0) return filename();
  const raw: { text: string; literal: boolean }[] = [{ text: '', literal: true }];
  for (const part of t.parts) {
    const cur = raw[raw.length - 1];
    if (part.kind === 'variable') {
      cur.text += sanitizeValue(variables[part.name].get(ctx));
      cur.literal = false;
      continue;
    }
    const pieces = part.text.split(/[/\\]/);
    cur.text += pieces[0];
    for (const piece of pieces.slice(1)) raw.push({ text: piece, literal: true });
  }
  const segments: string[] = [];
  for (const seg of raw) {
    if (seg.literal && seg.text.trim() === '.') continue;
    const clean = sanitizeSegment(seg.text);
    if (clean !== '') segments.push(clean);
  }
  const last = raw[raw.length - 1];
  const endsInSlash = sanitizeSegment(last.text) === '' || (last.literal && last.text.trim() === '.');
  if (endsInSlash || segments.length === 0) segments.push(filename());
  return segments.join('/');
}
