/**
 * Rule "render in segments": a step's Markdown output, arriving in pieces, cut into segments marked
 * can lex one at a time, so a 5 MB output never becomes one 5 MB token tree (lib/markdownRender.ts
 * joins the halves of a table or fenced code cut between two segments).
 */

/**
 * Line ends of one piece as `\n` (CRLF and CR), applied piece by piece: a CR ending one piece and
 * the LF starting the next stay two line ends. Whoever joins pieces first (the render pool) applies
 * it to each piece before, so the lines are the same.
 */
export const unixNewlines = (piece: string): string => piece.replace(/\r\n?/g, '\n');

/**
 * Lines of a text that arrives in pieces, each with its `\n` (the last may lack it): the complete
 * lines of each piece at once (one await a piece, not a line), the unfinished one carried over.
 */
async function* linesOf(source: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of source) {
    rest += unixNewlines(chunk);
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = rest.indexOf('\n', start);
      if (nl < 0) break;
      lines.push(rest.slice(start, nl + 1));
      start = nl + 1;
    }
    rest = rest.slice(start);
    if (lines.length) yield lines;
  }
  // A '\r' at the very end of a chunk followed by '\n' at the start of the next gives one blank line too many: harmless.
  if (rest) yield [rest];
}

/** Outputs are rendered in segments of about this many characters (exact below it). */
export const SEGMENT_CHARS = 256 * 1024;
/** A segment is cut here whatever the structure (a visual break at worst). */
const HARD_SEGMENT_CHARS = 4 * SEGMENT_CHARS;

export const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const TABLE_DELIMITER = /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const BLANK = /^[ \t]*\n?$/;

export interface Segment {
  text: string;
  /** The first block continues the table / fenced code the previous segment ended in. */
  continues: 'table' | 'code' | null;
}

/**
 * Cuts a Markdown text that arrives in pieces into segments marked can lex one at a time, so a
 * 5 MB output never becomes one 5 MB token tree. Cuts fall on blank lines outside fenced code;
 * inside a long table the next segment repeats the table's header and delimiter rows, inside long
 * fenced code it repeats the opening fence, and the renderer joins the two halves seamlessly.
 * Below {@link SEGMENT_CHARS} the whole output is one segment, so rendering is exact.
 */
export async function* markdownSegments(source: AsyncIterable<string> | Iterable<string>, soft = SEGMENT_CHARS): AsyncGenerator<Segment> {
  // Below `soft` the whole text is one segment: it is read so, without cutting it into lines.
  const it: AsyncIterator<string> | Iterator<string> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let finished = false;
  try {
    const head: string[] = [];
    let size = 0;
    while (size < soft) {
      const r = await it.next();
      if (r.done) {
        finished = true;
        const text = head.join('');
        if (text) yield { text, continues: null };
        return;
      }
      const piece = unixNewlines(r.value);
      head.push(piece);
      size += piece.length;
    }
    yield* cutSegments(
      (async function* () {
        yield* head;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
        finished = true;
      })(),
      soft,
    );
  } finally {
    if (!finished) await it.return?.();
  }
}

/** {@link markdownSegments} past the first `soft` characters: line by line. */
async function* cutSegments(source: AsyncIterable<string>, soft: number): AsyncGenerator<Segment> {
  let lines: string[] = [];
  let size = 0;
  let continues: Segment['continues'] = null;
  let fence: { char: string; len: number; line: string } | null = null;
  let table: { header: string; delimiter: string } | null = null;
  let previous = '';
  for await (const batch of linesOf(source))
    for (const line of batch) {
      if (fence) {
        const m = /^ {0,3}(`{3,}|~{3,})[ \t]*\n?$/.exec(line);
        if (m && m[1][0] === fence.char && m[1].length >= fence.len) fence = null;
      } else {
        const m = FENCE_OPEN.exec(line.replace(/\n$/, ''));
        if (m && !(m[1][0] === '`' && m[2].includes('`'))) {
          fence = { char: m[1][0], len: m[1].length, line: line.endsWith('\n') ? line : `${line}\n` };
          table = null;
        } else if (table) {
          if (BLANK.test(line)) table = null;
        } else if (TABLE_DELIMITER.test(line.replace(/\n$/, '')) && previous.includes('|') && !BLANK.test(previous)) {
          table = { header: previous.endsWith('\n') ? previous : `${previous}\n`, delimiter: line.endsWith('\n') ? line : `${line}\n` };
        }
      }
      lines.push(line);
      size += line.length;
      previous = line;
      if (size < soft) continue;
      let next: { prefix: string[]; continues: Segment['continues'] } | null = null;
      if (fence) next = line.endsWith('\n') ? { prefix: [fence.line], continues: 'code' } : null;
      else if (table) next = line.endsWith('\n') ? { prefix: [table.header, table.delimiter], continues: 'table' } : null;
      else if (BLANK.test(line)) next = { prefix: [], continues: null };
      else if (size >= HARD_SEGMENT_CHARS && line.endsWith('\n')) next = { prefix: [], continues: null };
      if (!next) continue;
      yield { text: lines.join(''), continues };
      lines = [...next.prefix];
      size = lines.reduce((n, l) => n + l.length, 0);
      continues = next.continues;
    }
  if (lines.length) yield { text: lines.join(''), continues };
}
