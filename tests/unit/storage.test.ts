/** The IndexedDB storage layer (lib/storage.ts) on fake-indexeddb: favourites, import/export, last templates, history. */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ExporterDb,
  ExporterStorage,
  FAVOURITES_TYPE,
  favouritesToJson,
  freeName,
  HISTORY_LIMIT,
  mergeFavourites,
  parseFavouritesJson,
  StorageError,
  workflowKey,
  type Favourite,
} from '../../lib/storage';
import { emptyProgress, type JobState } from '../../lib/jobs';

let n = 0;
let store: ExporterStorage;
beforeEach(() => {
  store = new ExporterStorage(new ExporterDb(`test-${++n}`));
});
afterEach(async () => {
  await store.db.delete();
});

const T1 = '{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/';
const T2 = '{{CASE_ID}}/{{ FILE_COUNT }}{{ FILE_EXT }}';
const file = (favourites: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: FAVOURITES_TYPE, version: 1, favourites, ...extra });

describe('favourites', () => {
  it('adds, lists in order, renames, deletes', async () => {
    const a = await store.addFavourite('  By order  ', T1, 1);
    const b = await store.addFavourite('Flat', T2, 2);
    expect(a.name).toBe('By order');
    expect((await store.listFavourites()).map((f) => f.name)).toEqual(['By order', 'Flat']);
    await store.renameFavourite(a.id, 'Per order');
    expect((await store.listFavourites()).map((f) => f.name)).toEqual(['Per order', 'Flat']);
    await store.deleteFavourite(b.id);
    expect((await store.listFavourites()).map((f) => f.id)).toEqual([a.id]);
  });

  it('validates with the template engine and rejects empty names and duplicates', async () => {
    await expect(store.addFavourite('Bad', '{{ CASE_EXTERNAL }}/')).rejects.toThrow(/CASE_EXTERNAL_ID/);
    await expect(store.addFavourite('Bad', '../{{ CASE_ID }}')).rejects.toThrow(StorageError);
    await expect(store.addFavourite('Bad', '{% if %}')).rejects.toThrow(StorageError);
    await expect(store.addFavourite('   ', T1)).rejects.toThrow(/name/);
    await expect(store.addFavourite('Empty', '  ')).rejects.toThrow(/template/);
    await store.addFavourite('One', T1);
    await expect(store.addFavourite('ONE', T2)).rejects.toThrow(/already exists/);
    const two = await store.addFavourite('Two', T2);
    await expect(store.renameFavourite(two.id, 'one')).rejects.toThrow(/already exists/);
    await expect(store.renameFavourite('nope', 'x')).rejects.toThrow(/no longer exists/);
    expect((await store.listFavourites()).map((f) => f.name)).toEqual(['One', 'Two']);
  });

  it('keeps exactly one default', async () => {
    const a = await store.addFavourite('A', T1, 1);
    const b = await store.addFavourite('B', T2, 2);
    await store.setDefaultFavourite(a.id);
    await store.setDefaultFavourite(b.id);
    expect((await store.listFavourites()).filter((f) => f.isDefault).map((f) => f.id)).toEqual([b.id]);
    expect((await store.defaultFavourite())?.id).toBe(b.id);
    await store.setDefaultFavourite(null);
    expect(await store.defaultFavourite()).toBeUndefined();
    await expect(store.setDefaultFavourite('gone')).rejects.toThrow(StorageError);
  });

  it('survives reopening the database (a browser restart)', async () => {
    const name = store.db.name;
    const a = await store.addFavourite('Kept', T1);
    await store.setDefaultFavourite(a.id);
    await store.setLastTemplate('http://x', 'w1', T2);
    store.db.close();
    const again = new ExporterStorage(new ExporterDb(name));
    expect(await again.listFavourites()).toEqual([{ ...a, isDefault: true }]);
    expect(await again.getLastTemplate('http://x', 'w1')).toBe(T2);
    store = again;
  });
});

describe('favourites JSON', () => {
  it('round-trips through export and import into an empty store', async () => {
    const a = await store.addFavourite('A', T1, 1);
    await store.addFavourite('B', T2, 2);
    await store.setDefaultFavourite(a.id);
    const json = await store.exportFavourites();
    const parsed = JSON.parse(json);
    expect(parsed).toMatchObject({ type: FAVOURITES_TYPE, version: 1, favourites: [{ name: 'A', template: T1, isDefault: true }, { name: 'B', template: T2, isDefault: false }] });

    const other = new ExporterStorage(new ExporterDb(`test-${++n}`));
    expect(await other.importFavourites(json)).toEqual({ added: 2, skipped: 0, renamed: 0 });
    const got = await other.listFavourites();
    expect(got.map((f) => [f.name, f.template, f.isDefault])).toEqual([
      ['A', T1, true],
      ['B', T2, false],
    ]);
    await other.db.delete();
  });

  it('merges: same template skipped, taken name renamed, existing default kept', async () => {
    const mine = await store.addFavourite('Mine', T1, 1);
    await store.setDefaultFavourite(mine.id);
    const report = await store.importFavourites(
      file([
        { name: 'Same template', template: T1, isDefault: true },
        { name: 'mine', template: T2 },
        { name: 'New', template: '{{ FILE_UUID }}{{ FILE_EXT }}' },
      ]),
    );
    expect(report).toEqual({ added: 2, skipped: 1, renamed: 1 });
    const all = await store.listFavourites();
    expect(all.map((f) => f.name)).toEqual(['Mine', 'mine (2)', 'New']);
    expect(all.filter((f) => f.isDefault).map((f) => f.name)).toEqual(['Mine']);
    // Importing the same file again changes nothing.
    expect(await store.importFavourites(file([{ name: 'mine', template: T2 }]))).toEqual({ added: 0, skipped: 1, renamed: 0 });
  });

  it('takes the file default when none is set', async () => {
    await store.importFavourites(file([{ name: 'A', template: T1 }, { name: 'B', template: T2, isDefault: true }]));
    expect((await store.defaultFavourite())?.name).toBe('B');
  });

  it.each([
    ['not JSON', '{nope', /not JSON/],
    ['foreign JSON', JSON.stringify({ favourites: [] }), /not a Workflow Exporter favourites file/],
    ['an array', '[]', /not a Workflow Exporter favourites file/],
    ['another version', JSON.stringify({ type: FAVOURITES_TYPE, version: 2, favourites: [] }), /version 2/],
    ['no list', JSON.stringify({ type: FAVOURITES_TYPE, version: 1 }), /no "favourites" list/],
    ['a bad template', file([{ name: 'ok', template: T2 }, { name: 'bad', template: '{{ NOPE }}' }]), /Favourite 2 \("bad"\)/],
    ['a missing name', file([{ template: T2 }]), /Favourite 1: A favourite needs a name/],
    ['an unsafe path', file([{ name: 'x', template: '/etc/{{ CASE_ID }}' }]), /Favourite 1/],
    ['two defaults', file([{ name: 'a', template: T1, isDefault: true }, { name: 'b', template: T2, isDefault: true }]), /more than one/],
    ['a non-boolean default', file([{ name: 'a', template: T1, isDefault: 'yes' }]), /isDefault/],
  ])('rejects %s with a message and loses nothing', async (_label, json, message) => {
    const kept = await store.addFavourite('Kept', T1);
    await store.setDefaultFavourite(kept.id);
    const before = await store.listFavourites();
    const err = await store.importFavourites(json).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect(err!.message).toMatch(message);
    expect(err!.message).toMatch(/Nothing was imported/);
    expect(await store.listFavourites()).toEqual(before);
  });

  it('pure helpers', () => {
    expect(freeName('A', ['a', 'A (2)'])).toBe('A (3)');
    expect(freeName('B', ['a'])).toBe('B');
    const parsed = parseFavouritesJson(`\uFEFF${file([{ name: ' x  y ', template: T1 }])}`);
    expect(parsed).toEqual({ ok: true, value: [{ name: 'x y', template: T1, isDefault: false }] });
    const existing: Favourite[] = [{ id: '1', name: 'A', template: T1, isDefault: false, createdAt: 0 }];
    let i = 0;
    const plan = mergeFavourites(existing, [{ name: 'Z', template: T1, isDefault: true }, { name: 'A', template: T2, isDefault: false }], () => `n${++i}`, 10);
    expect(plan).toEqual({ add: [{ id: 'n1', name: 'A (2)', template: T2, isDefault: false, createdAt: 11 }], makeDefault: '1', skipped: 1, renamed: 1 });
    expect(JSON.parse(favouritesToJson(existing, new Date(0)))).toEqual({
      type: FAVOURITES_TYPE,
      version: 1,
      exportedAt: '1970-01-01T00:00:00.000Z',
      favourites: [{ name: 'A', template: T1, isDefault: false }],
    });
  });
});

describe('last templates', () => {
  it('remembers one template per origin and workflow; the default favourite otherwise', async () => {
    expect(await store.getLastTemplate('http://a', '1')).toBeNull();
    expect(await store.initialTemplate('http://a', '1')).toBe('');
    const fav = await store.addFavourite('Fav', T2);
    await store.setDefaultFavourite(fav.id);
    expect(await store.initialTemplate('http://a', '1')).toBe(T2);
    await store.setLastTemplate('http://a', '1', T1);
    await store.setLastTemplate('http://a/', '2', '');
    await store.setLastTemplate('http://b', '1', '{{ CASE_ID }}/');
    expect(await store.getLastTemplate('http://a', '1')).toBe(T1);
    expect(await store.initialTemplate('http://a', '1')).toBe(T1);
    // An empty last template (default names) is remembered too.
    expect(await store.initialTemplate('http://a', '2')).toBe('');
    expect(await store.getLastTemplate('http://b', '1')).toBe('{{ CASE_ID }}/');
    await store.setLastTemplate('http://a', '1', T2);
    expect(await store.getLastTemplate('http://a', '1')).toBe(T2);
    expect(workflowKey('http://a/', '1')).toBe(workflowKey('http://a', '1'));
  });
});

describe('history', () => {
  const job = (id: string, startedAt: number, over: Partial<JobState> = {}): JobState => ({
    id,
    request: { kind: 'case-files', origin: 'http://a', workflowId: '1', orderId: 'o1', template: T1, parallel: 4 },
    phase: 'done',
    filename: 'x_case-files.zip',
    startedAt,
    finishedAt: startedAt + 5,
    progress: emptyProgress(),
    result: {
      filename: 'x_case-files.zip',
      archiveBytes: 1234,
      files: 10,
      failed: [{ path: 'a/b.jpg', caseId: 'c1', fileUuid: 'u1', reason: '500 after 5 attempts', attempts: 5 }],
    },
    downloadId: 7,
    ...over,
  });

  it('records every ended export with its target, options, result and report', async () => {
    await store.recordJob(job('j1', 100));
    await store.recordJob(
      job('j2', 200, {
        request: { kind: 'execution', origin: 'http://a', executionId: 'e1', format: 'html', combine: true },
        phase: 'failed',
        error: 'boom',
        result: undefined,
        downloadId: undefined,
      }),
    );
    const [j2, j1] = await store.listHistory();
    expect(j1).toEqual({
      id: 'j1',
      startedAt: 100,
      finishedAt: 105,
      kind: 'case-files',
      target: { origin: 'http://a', workflowId: '1', orderId: 'o1' },
      options: { template: T1, parallel: 4 },
      result: { phase: 'done', filename: 'x_case-files.zip', files: 10, archiveBytes: 1234, failed: 1, downloadId: 7 },
      report: [{ path: 'a/b.jpg', caseId: 'c1', fileUuid: 'u1', reason: '500 after 5 attempts', attempts: 5 }],
    });
    expect(j2).toMatchObject({ kind: 'execution', target: { origin: 'http://a', executionId: 'e1' }, options: { format: 'html', combine: true }, result: { phase: 'failed', error: 'boom' }, report: [] });
  });

  it('is idempotent per job and keeps the newest entries', async () => {
    await store.recordJob(job('same', 1));
    await store.recordJob(job('same', 1, { phase: 'cancelled' }));
    expect((await store.listHistory()).map((h) => h.result.phase)).toEqual(['cancelled']);
    await store.db.history.bulkPut(
      Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ id: `old${i}`, startedAt: 10 + i, finishedAt: 10 + i, kind: 'csv' as const, target: { origin: 'x' }, options: {}, result: { phase: 'done' as const, filename: '', files: 0, archiveBytes: 0, failed: 0 }, report: [] })),
    );
    await store.recordJob(job('newest', 10_000));
    expect(await store.db.history.count()).toBe(HISTORY_LIMIT);
    expect((await store.listHistory(1))[0].id).toBe('newest');
    expect(await store.db.history.get('same')).toBeUndefined();
  });
});
