import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJournalStream, crc32Text, journalHeader, journalLine, readJournal, type JournalEntry } from '../../lib/archiveJournal';

const sha = 'ab'.repeat(32);
const entry = (name: string, offset: number, size: number): JournalEntry => ({
  name,
  flags: 0x0800,
  crc32: 0x12345678,
  size,
  offset,
  end: offset + 30 + name.length + 9 + size,
  dosTime: 1,
  dosDate: 2,
  unixTime: 3,
  sha256: sha,
});

function journal(n: number) {
  const entries: JournalEntry[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const e = entry(`dir/file ${i} ✓.bin`, at, i * 100);
    entries.push(e);
    at = e.end;
  }
  return { entries, text: journalHeader('job-1') + entries.map(journalLine).join(''), end: at };
}

describe('archive journal (lib/archiveJournal.ts)', () => {
  it('seals lines with the IEEE CRC-32', () => {
    expect(crc32Text('héllo')).toBe(crc32(Buffer.from('héllo')));
  });

  it('reads back every complete entry', () => {
    const { entries, text, end } = journal(5);
    expect(readJournal(text, 'job-1', end)).toEqual({ trusted: true, entries, end, droppedTail: false });
    expect(readJournal(journalHeader('job-1'), 'job-1', 0)).toEqual({ trusted: true, entries: [], end: 0, droppedTail: false });
  });

  it('a crash mid-line: the torn last line is dropped, the entry before it is the last (property: cut anywhere)', () => {
    const { entries, text } = journal(6);
    const headerLength = journalHeader('job-1').length;
    fc.assert(
      fc.property(fc.integer({ min: headerLength, max: text.length }), (cut) => {
        const r = readJournal(text.slice(0, cut), 'job-1', Number.MAX_SAFE_INTEGER);
        expect(r.trusted).toBe(true);
        if (!r.trusted) return;
        const complete = text.slice(0, cut).split('\n').length - 2;
        expect(r.entries).toEqual(entries.slice(0, complete));
        expect(r.droppedTail).toBe(!text.slice(0, cut).endsWith('\n'));
      }),
      { numRuns: 300 },
    );
  });

  it('is not trusted when damaged, reordered, of another export, or longer than the archive', () => {
    const { entries, text, end } = journal(4);
    const lines = text.split('\n');
    const flipped = [...lines];
    flipped[2] = flipped[2].replace('file 1', 'file X');
    expect(readJournal(flipped.join('\n'), 'job-1', end)).toMatchObject({ trusted: false, reason: /line 3 is damaged/ });
    const swapped = [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n');
    expect(readJournal(swapped, 'job-1', end)).toMatchObject({ trusted: false, reason: /does not start where/ });
    expect(readJournal(text, 'job-2', end)).toMatchObject({ trusted: false, reason: /another export/ });
    expect(readJournal(text, 'job-1', end - 1)).toMatchObject({ trusted: false, reason: /holds/ });
    expect(readJournal('', 'job-1', end)).toMatchObject({ trusted: false, reason: /empty/ });
    const twice = journalHeader('job-1') + journalLine(entries[0]) + journalLine({ ...entries[0], offset: entries[0].end, end: entries[0].end * 2 });
    expect(readJournal(twice, 'job-1', 1e9)).toMatchObject({ trusted: false, reason: /twice/ });
    const bad = journalHeader('job-1') + journalLine({ ...entries[0], sha256: 'nope' });
    expect(readJournal(bad + journalLine(entries[1]), 'job-1', 1e9)).toMatchObject({ trusted: false, reason: /damaged/ });
  });
});

describe('the journal checked as a stream (checkJournalStream)', () => {
  it('property: cut, damaged or whole, in any chunks: the verdict of readJournal, and the trusted part in bytes', async () => {
    const { text, end } = journal(6);
    const bytes = new TextEncoder().encode(text);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bytes.length }),
        fc.option(fc.nat({ max: bytes.length - 1 }), { nil: undefined }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom('job-1', 'job-2'),
        fc.constantFrom(end, end - 1, Number.MAX_SAFE_INTEGER),
        async (cut, flip, sizes, key, archiveSize) => {
          const b = bytes.slice(0, cut);
          if (flip !== undefined && flip < b.length && b[flip] !== 10) b[flip] = b[flip] === 0x41 ? 0x42 : 0x41;
          const chunks = async function* () {
            let at = 0;
            for (let i = 0; at < b.length; i++) {
              const n = sizes[i % sizes.length];
              yield b.slice(at, at + n);
              at += n;
            }
          };
          const whole = new TextDecoder().decode(b);
          const { read, trustedBytes } = await checkJournalStream(chunks(), key, archiveSize);
          expect(read).toEqual(readJournal(whole, key, archiveSize));
          if (read.trusted) {
            // The trusted part is the header and the trusted entries' lines, byte for byte.
            const expected = journalHeader(key) + read.entries.map(journalLine).join('');
            expect(new TextDecoder().decode(b.subarray(0, trustedBytes))).toBe(expected);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
