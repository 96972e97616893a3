/** One write in Chrome (lib/streamDownload.ts): the stream URL, the response's headers, the job's stream states. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { breakStream, contentDisposition, jobIdOfStreamUrl, offerStream, openStream, streamHeaders, streamPathOf } from '../../lib/streamDownload';
import type { JobState } from '../../lib/jobs';
import { testJob } from './fixtures/jobs';

const BASE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
const ID = '4f1c2b3a-1111-4222-8333-944455556666';

const job = (over: Partial<JobState> = {}): JobState => testJob({ id: ID, ...over });

/** RFC 5987's decoding of `filename*=UTF-8''…`. */
function decodeExt(header: string): string {
  const m = /filename\*=UTF-8''([^;\s]*)$/.exec(header);
  if (!m) throw new Error(`no filename* in ${header}`);
  return decodeURIComponent(m[1]);
}

describe('the stream URL', () => {
  it('is /stream/<job id> of this extension, nothing else', () => {
    expect(jobIdOfStreamUrl(new URL(streamPathOf(ID), BASE).href, BASE)).toBe(ID);
    for (const url of [
      `${BASE}stream/${ID}?x=1`,
      `${BASE}stream/${ID}#x`,
      `${BASE}stream/${ID}/more`,
      `${BASE}stream/${ID.toUpperCase()}`,
      `${BASE}stream/not-a-job`,
      `${BASE}streams/${ID}`,
      `${BASE}popup.html`,
      `chrome-extension://another0extension0id0000000000/stream/${ID}`,
      `http://localhost:4400/stream/${ID}`,
      `blob:${BASE}${ID}`,
      'not a url',
    ])
      expect(jobIdOfStreamUrl(url, BASE), url).toBeNull();
  });
});

describe('Content-Disposition', () => {
  it('an attachment with the exact name in filename* and an ASCII fallback', () => {
    const h = contentDisposition('Étude "x" 100%_case-files.zip');
    expect(h).toBe(`attachment; filename="_tude _x_ 100__case-files.zip"; filename*=UTF-8''%C3%89tude%20%22x%22%20100%25_case-files.zip`);
    expect(streamHeaders('a_results.csv')['Content-Type']).toBe('text/csv');
    expect(streamHeaders('a.zip')).toMatchObject({ 'Content-Type': 'application/zip', 'X-Content-Type-Options': 'nosniff' });
  });

  it('any name: one line of printable ASCII that decodes back to the name, the fallback quoted safely', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
          // The characters that matter to the header's syntax, often.
          fc.string({ unit: fc.constantFrom(';', '"', '\\', '%', ' ', '=', '*', "'", '\r', '\n', 'a', 'é', '😀'), minLength: 1, maxLength: 20 }),
        ),
        (name) => {
        const h = contentDisposition(name);
        expect(h).toMatch(/^[\x20-\x7e]+$/);
        expect(decodeExt(h)).toBe(name);
        const fallback = /filename="([^"]*)"/.exec(h)![1];
        expect(fallback).not.toMatch(/["\\%]/);
        // Exactly the two parameters: nothing in the name can end the quoted fallback or add another.
        expect(h).toMatch(/^attachment; filename="[^"\\\r\n]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]*$/);
        },
      ),
    );
  });
});

describe('the stream states of a job', () => {
  it('offered once, for a running job on its first run, under its checked name', () => {
    const j = job();
    expect(offerStream(j, '../evil.sh')).toBe(true);
    expect(j.stream).toEqual({ name: 'workflow-export_4f1c2b3a_case-files.zip', state: 'offered' });
    expect(offerStream(j, 'again_case-files.zip')).toBe(false);
    for (const other of [job({ phase: 'saving' }), job({ cancelRequested: true }), job({ resumes: 1 }), job({ phase: 'done' })])
      expect(offerStream(other, 'a_case-files.zip')).toBe(false);
  });

  it('opened once, only when offered and still running and not cancelled', () => {
    const j = job();
    expect(openStream(j)).toBeNull();
    offerStream(j, 'W_case-files.zip');
    expect(openStream(j)).toBe('W_case-files.zip');
    expect(openStream(j)).toBeNull();
    const cancelled = job();
    offerStream(cancelled, 'W_case-files.zip');
    cancelled.cancelRequested = true;
    expect(openStream(cancelled)).toBeNull();
  });

  it('broken once, with its reason; never reopened', () => {
    const j = job();
    expect(breakStream(j, 'x')).toBe(false);
    offerStream(j, 'W_case-files.zip');
    openStream(j);
    expect(breakStream(j, 'Download interrupted: NETWORK_FAILED')).toBe(true);
    expect(breakStream(j, 'again')).toBe(false);
    expect(j.stream).toMatchObject({ state: 'broken', reason: 'Download interrupted: NETWORK_FAILED' });
    expect(openStream(j)).toBeNull();
  });
});
