import { describe, expect, it } from 'vitest';
import { NOT_VERIFIED, badgeText, describeProgress, emptyProgress, formatBytes, formatDuration, leftOut, notVerifiedCount, progressFraction } from '../../lib/jobs';
import { JobStore } from '../../lib/jobStore';
import type { JobState } from '../../lib/jobs';
import { testJob } from './fixtures/jobs';

describe('formatting', () => {
  it('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(formatBytes(200 * 1024 ** 2)).toBe('200 MB');
  });
  it('durations', () => {
    expect(formatDuration(5)).toBe('5 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3 h 1 min');
    expect(formatDuration(NaN)).toBe('');
  });
  it('progress text, fraction and badge', () => {
    const p = { ...emptyProgress(), filesDone: 3, filesTotal: 10, bytesDone: 512, bytesTotal: 2048, listingDone: true, rate: 256 };
    expect(describeProgress(p)).toBe('3 of 10 files · 512 B of 2.0 KB · 256 B/s · 6 s left');
    expect(progressFraction(p)).toBe(0.25);
    expect(badgeText(p)).toBe('25%');
    expect(describeProgress({ ...p, listingDone: false, rate: 0, failed: 2 })).toBe('3 of 10+ files · 512 B of 2.0 KB+ · 2 failed');
    expect(progressFraction({ ...p, bytesTotal: 0 })).toBe(0.3);
  });
  it('files put in without a checksum are counted apart from those left out', () => {
    const row = (reason: string, kept?: boolean) => ({ path: 'p', caseId: 'c', fileUuid: 'u', reason, attempts: 1, ...(kept ? { kept } : {}) });
    const rows = [row(NOT_VERIFIED, true), row(NOT_VERIFIED, true), row('annotations not drawn: …', true), row('HTTP 404: gone')];
    expect(NOT_VERIFIED).toBe('not verified');
    expect(notVerifiedCount(rows)).toBe(2);
    expect(leftOut(rows)).toHaveLength(1);
    expect(notVerifiedCount([row(NOT_VERIFIED)])).toBe(0); // left out is left out, whatever the reason
    const p = { ...emptyProgress(), filesDone: 3, filesTotal: 3, listingDone: true, failed: 1, notVerified: 2 };
    expect(describeProgress(p)).toBe('3 of 3 files · 0 B of 0 B · 1 failed · 2 not verified');
  });
});

describe('JobStore', () => {
  const area = () => {
    const data: Record<string, unknown> = {};
    return {
      data,
      get: async (k: string) => (k in data ? { [k]: structuredClone(data[k]) } : {}),
      set: async (items: Record<string, unknown>) => void Object.assign(data, structuredClone(items)),
    };
  };
  const job = (id: string, startedAt: number, phase: JobState['phase'] = 'running'): JobState => testJob({ id, startedAt, phase });

  it('survives a restart (a new store on the same area)', async () => {
    const a = area();
    await new JobStore(a).put(job('a', 1));
    const again = new JobStore(a);
    expect((await again.get('a'))?.id).toBe('a');
  });
  it('serialises concurrent updates', async () => {
    const s = new JobStore(area());
    await s.put(job('a', 1));
    await Promise.all(Array.from({ length: 50 }, () => s.update('a', (j) => void j.progress.filesDone++)));
    expect((await s.get('a'))?.progress.filesDone).toBe(50);
  });
  it('keeps active jobs and the 20 newest finished ones', async () => {
    const a = area();
    const s = new JobStore(a);
    await s.put(job('active', 0));
    for (let i = 1; i <= 30; i++) await s.put(job(`done${i}`, i, 'done'));
    const ids = (await s.list()).map((j) => j.id);
    expect(ids).toContain('active');
    expect(ids).toHaveLength(21);
    expect(ids).not.toContain('done1');
  });
  it('progress updates need not be written', async () => {
    const a = area();
    const s = new JobStore(a);
    await s.put(job('a', 1));
    await s.update('a', (j) => void (j.progress.filesDone = 7), false);
    expect((a.data.jobs as JobState[])[0].progress.filesDone).toBe(0);
    expect((await s.get('a'))?.progress.filesDone).toBe(7);
  });
});
