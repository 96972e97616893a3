/** What complete exports held (lib/manifestStore.ts, on fake-indexeddb): complete only once done, one per target, dropped on failure. */
import 'fake-indexeddb/auto';
import { expect, it } from 'vitest';
import { ManifestDb, ManifestStore, manifestTarget } from '../../lib/manifestStore';
import { ManifestBuilder } from '../../lib/deltaManifest';

let n = 0;
const store = () => new ManifestStore(new ManifestDb(`manifests-${++n}`));
const O = 'http://localhost:4400';
const save = (s: ManifestStore, jobId: string, startedAt: number, orderId: string | null = null, kind: 'case-files' | 'csv' = 'case-files') => {
  const b = new ManifestBuilder();
  b.file(`f-${jobId}`, 'a'.repeat(64), null);
  return s.save({ jobId, kind, origin: O, workflowId: 'w', orderId, startedAt, fileCount: 1, submissionCount: 0, ...b.encode() });
};

it('a manifest counts only once its job is done, with the job\'s start', async () => {
  const s = store();
  await save(s, 'a', 5);
  expect(await s.lastCompleteSummary('case-files', O, 'w', null)).toBeNull();
  await s.jobEnded('a', true, 1234);
  expect(await s.lastCompleteSummary('case-files', O, 'w', null)).toEqual({ jobId: 'a', startedAt: 1234, fileCount: 1, submissionCount: 0 });
});

it('a failed or cancelled job drops its manifest; the earlier complete one stays', async () => {
  const s = store();
  await save(s, 'a', 1);
  await s.jobEnded('a', true, 1);
  await save(s, 'b', 2);
  await s.jobEnded('b', false, 2);
  expect(await s.db.manifests.get('b')).toBeUndefined();
  expect((await s.lastCompleteSummary('case-files', O, 'w', null))?.jobId).toBe('a');
});

it('one complete manifest per kind, origin, workflow and order: the newest', async () => {
  const s = store();
  for (const [id, at] of [['a', 1], ['b', 3], ['c', 2]] as const) {
    await save(s, id, at);
    await s.jobEnded(id, true, at);
  }
  await save(s, 'order', 9, 'o1');
  await s.jobEnded('order', true, 9);
  await save(s, 'csv', 9, null, 'csv');
  await s.jobEnded('csv', true, 9);
  // 'c' started before 'b': 'b' stays the base.
  expect((await s.lastCompleteSummary('case-files', O, 'w', null))?.jobId).toBe('b');
  expect((await s.lastCompleteSummary('case-files', O, 'w', 'o1'))?.jobId).toBe('order');
  expect((await s.lastCompleteSummary('csv', O, 'w', null))?.jobId).toBe('csv');
  expect((await s.lastCompleteSummary('annotated-case-files', O, 'w', null))).toBeNull();
  expect((await s.listComplete()).map((m) => m.jobId).sort()).toEqual(['b', 'csv', 'order']);
  expect(manifestTarget('case-files', `${O}/`, 'w', null)).toBe(manifestTarget('case-files', O, 'w', null));
});

it('countHeld: files by uuid, submissions by id and fingerprint, only from a complete manifest of the same target', async () => {
  const s = store();
  const b = new ManifestBuilder();
  b.file('u1', 'a'.repeat(64), null);
  b.file('u2', 'b'.repeat(64), null);
  b.submission('s1', '0123456789abcdef');
  await s.save({ jobId: 'j', kind: 'csv', origin: O, workflowId: 'w', orderId: null, startedAt: 1, fileCount: 2, submissionCount: 1, ...b.encode() });
  const items = [{ id: 'u1' }, { id: 'u3' }, { id: 's1', fingerprint: '0123456789abcdef' }, { id: 's1', fingerprint: 'ffffffffffffffff' }, { id: 's2', fingerprint: '0123456789abcdef' }];
  expect(await s.countHeld('j', 'csv', O, 'w', null, items)).toBe(0); // not complete yet
  await s.jobEnded('j', true, 1);
  expect(await s.countHeld('j', 'csv', O, 'w', null, items)).toBe(2);
  expect(await new ManifestStore(s.db).countHeld('j', 'csv', O, 'w', 'other-order', items)).toBe(0);
  expect(await new ManifestStore(s.db).countHeld('nope', 'csv', O, 'w', null, items)).toBe(0);
});
