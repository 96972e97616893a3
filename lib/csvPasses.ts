/**
 * **Pass check** of the results CSV: with `latest` or the wide layout the exporter reads the
 * submissions twice (workers/csv.ts: the first read plans, the second writes). The platform may
 * change in between; what changed is exported where the file still allows it and said otherwise,
 * never dropped silently. This is the bookkeeping: per case, the number of submissions each read saw
 * and an order-free fingerprint of them (id, status, submission time), two numbers per case and
 * read, so memory grows with cases, never with submissions. Pure; runs anywhere.
 */
import type { Submission } from './platform';

/** FNV-1a, 32 bits, of a string's UTF-16 units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** What identifies a submission for the check: its id, status and submission time (not its answers). */
export const submissionKey = (s: Pick<Submission, 'id' | 'status' | 'submittedAt'>) =>
  `${String(s.id)}\u0000${String(s.status)}\u0000${String(s.submittedAt)}`;

/** Per case position: how many submissions one read saw, and the sum of their fingerprints. */
export class ReadTally {
  readonly counts: number[] = [];
  readonly sums: number[] = [];

  add(at: number, s: Pick<Submission, 'id' | 'status' | 'submittedAt'>): void {
    this.counts[at] = (this.counts[at] ?? 0) + 1;
    this.sums[at] = ((this.sums[at] ?? 0) + fnv1a(submissionKey(s))) >>> 0;
  }
}

/** The case positions whose submissions differ between two reads (added, removed, listed twice, status or time changed). */
export function changedCases(first: ReadTally, second: ReadTally): number[] {
  const out: number[] = [];
  const n = Math.max(first.counts.length, second.counts.length);
  for (let at = 0; at < n; at++)
    if ((first.counts[at] ?? 0) !== (second.counts[at] ?? 0) || (first.sums[at] ?? 0) !== (second.sums[at] ?? 0)) out.push(at);
  return out;
}

/** Case ids a message lists at most. */
export const LISTED_CASES = 10;

/**
 * The warning of a CSV whose submissions changed between its two reads, or null when none did.
 * `late` counts the submissions the second read found that the file could not hold (wide: their
 * case's row was already written, or they were past its last column group).
 */
export function passChangeWarning(opts: { caseIds: readonly string[]; layout: 'long' | 'wide'; latest: boolean; late: number }): string | null {
  const { caseIds, late } = opts;
  if (caseIds.length === 0 && late === 0) return null;
  const n = caseIds.length;
  const listed = caseIds.slice(0, LISTED_CASES).join(', ') + (n > LISTED_CASES ? `, and ${n - LISTED_CASES} more` : '');
  const parts = [
    `The submissions changed on the platform while the CSV was written: ${n} ${n === 1 ? 'case' : 'cases'} (${listed}) had submissions added, removed or changed between the export's two reads.`,
  ];
  if (opts.latest)
    parts.push(
      'Their rows show, for each reader, the submission that was the latest at the first read, with its answers as of the second read; a submission added since is not in the file, and a reader whose latest submission was removed since has no row there.',
    );
  else parts.push('Their rows show the submissions as the second read found them.');
  if (late > 0)
    parts.push(
      `${late} ${late === 1 ? 'submission' : 'submissions'} of the second read could not be written (${late === 1 ? 'its' : 'their'} case's row was already written, or had no column group left).`,
    );
  parts.push('Export again for a file that matches the platform now.');
  return parts.join(' ');
}
