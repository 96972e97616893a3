/** The reference platform's run-time additions (POST /__admin/workflows/{wid}/add, /__admin/files/{uuid}/change) and If-None-Match. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSite, type SiteHandle } from '../site/server.ts';
import type { Case, Page, Submission } from '../../lib/platform';
import type { Added } from '../site/additions.ts';

let site: SiteHandle;
let cookie = '';
beforeAll(async () => {
  site = await startSite({ port: 0, runningExecutionSec: 0 });
  const res = await fetch(`${site.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo' }), redirect: 'manual' });
  cookie = /session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
});
afterAll(() => site.close());
const get = (path: string, headers: Record<string, string> = {}) => fetch(site.url + path, { headers: { cookie, ...headers } });
const items = async <T>(path: string) => ((await (await get(path)).json()) as Page<T>).items;

it('adds cases, files, submissions and re-submissions that the API then serves', async () => {
  const before = await items<Case>('/api/v1/workflows/2/cases?limit=500');
  const subsBefore = await items<Submission>('/api/v1/workflows/2/submissions?limit=500');
  const res = await fetch(`${site.url}/__admin/workflows/2/add`, {
    method: 'POST',
    body: JSON.stringify({
      cases: [{ orderId: '21', externalId: 'X-1', files: [{ name: 'x.bin', size: 100 }], submissions: 1 }],
      files: [{ caseId: before[0].id, name: 'y.bin', size: 50 }],
      submissions: [{ caseId: before[1].id }],
      resubmit: [subsBefore[0].id],
    }),
  });
  expect(res.status).toBe(200);
  const added = (await res.json()) as Added;
  const after = await items<Case>('/api/v1/workflows/2/cases?limit=500');
  expect(after.map((c) => c.id)).toEqual([...before.map((c) => c.id), added.cases[0].id]);
  expect(after[0].files.map((f) => f.uuid)).toEqual([...before[0].files.map((f) => f.uuid), added.files[0]]);
  expect((await items<Case>('/api/v1/workflows/2/cases?limit=500&order=21')).map((c) => c.id)).toContain(added.cases[0].id);
  const subs = await items<Submission>('/api/v1/workflows/2/submissions?limit=500');
  expect(subs.map((s) => s.id)).toEqual(expect.arrayContaining([...added.submissions, ...added.cases[0].submissions]));
  expect(subs.find((s) => s.id === subsBefore[0].id)!.submittedAt).not.toBe(subsBefore[0].submittedAt);
  const body = await get(`/api/v1/files/${added.cases[0].files[0]}/content`);
  expect((await body.arrayBuffer()).byteLength).toBe(100);
  expect((await fetch(`${site.url}/__admin/workflows/nope/add`, { method: 'POST', body: '{}' })).status).toBe(400);
});

it('answers If-None-Match with 304 while the ETag holds, 200 with other bytes once the file changed', async () => {
  const uuid = site.addData('2', { files: [{ caseId: site.data().workflow('2')!.caseAt(0).id, name: 'c.bin', size: 1000 }] }).files[0];
  const first = await get(`/api/v1/files/${uuid}/content`);
  const etag = first.headers.get('etag')!;
  const sha = first.headers.get('x-checksum-sha256');
  await first.arrayBuffer();
  const again = await get(`/api/v1/files/${uuid}/content`, { 'If-None-Match': etag });
  expect(again.status).toBe(304);
  expect(again.headers.get('etag')).toBe(etag);
  expect((await fetch(`${site.url}/__admin/files/${uuid}/change`, { method: 'POST' })).status).toBe(200);
  const changed = await get(`/api/v1/files/${uuid}/content`, { 'If-None-Match': etag });
  expect(changed.status).toBe(200);
  expect(changed.headers.get('x-checksum-sha256')).not.toBe(sha);
  expect((await changed.arrayBuffer()).byteLength).toBe(1000);
  expect(site.stats().notModified).toBe(1);
});
