import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, Case, Execution, ExecutionSummary, Page, Submission, Workflow } from '../../lib/platform.ts';
import { configFromArgs, defaultConfig, parseSize } from '../site/config.ts';
import { generateData, snapshot } from '../site/data.ts';
import { type SiteHandle, startSite } from '../site/server.ts';

let site: SiteHandle;
let cookie = '';

async function signIn(username = 'demo', password = 'demo'): Promise<string> {
  const res = await fetch(`${site.url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const set = res.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Lax/);
  return /session=[^;]+/.exec(set)![0];
}

const get = (path: string, headers: Record<string, string> = {}, c = cookie) => fetch(site.url + path, { headers: { cookie: c, ...headers }, redirect: 'manual' });
async function json<T>(path: string): Promise<T> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}
async function all<T>(path: string, limit = 5): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page: Page<T> = await json<Page<T>>(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  site = await startSite({ port: 0, runningExecutionSec: 0, scaleCases: 1234 });
  cookie = await signIn();
});
afterAll(async () => {
  await site?.close();
});

describe('reference platform', () => {
  it('parses flags and env', () => {
    const c = configFromArgs(['--port', '5000', '--plain-names', '--scale-file-size', '2GB', '--fail-500=0.05'], { SITE_SEED: '7', SITE_SCALE_CASES: '100000' });
    expect(c).toMatchObject({ port: 5000, plainNames: true, scaleFileSize: 2 * 1024 ** 3, fail500: 0.05, seed: 7, scaleCases: 100000 });
    expect(configFromArgs([], {})).toEqual(defaultConfig);
    expect(parseSize('64K')).toBe(65536);
  });

  it('answers 401 without a session and bad sign-ins with 401', async () => {
    const res = await get('/api/v1/me', {}, '');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthenticated' });
    const page = await get('/develop/workflows/1', {}, '');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fdevelop%2Fworkflows%2F1');
    const bad = await fetch(`${site.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'x' }), redirect: 'manual' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('Sign in');
  });

  it('serves me and the workflow', async () => {
    expect(await json('/api/v1/me')).toEqual({ id: 'u-1', name: 'Demo User', email: 'demo@example.com' });
    const w = await json<Workflow>('/api/v1/workflows/1');
    expect(w.orders.map((o) => o.id)).toEqual(['11', '12', '13']);
    expect(w.name).toMatch(/🫁/);
  });

  it('pages every case exactly once, with and without an order', async () => {
    const cases = await all<Case>('/api/v1/workflows/1/cases');
    expect(cases.length).toBe(12);
    expect(new Set(cases.map((c) => c.id)).size).toBe(12);
    let sum = 0;
    for (const o of ['11', '12', '13']) {
      const inOrder = await all<Case>(`/api/v1/workflows/1/cases?order=${o}`, 2);
      expect(inOrder.every((c) => c.orderId === o)).toBe(true);
      expect(inOrder.length).toBe(cases.filter((c) => c.orderId === o).length);
      sum += inOrder.length;
    }
    expect(sum).toBeLessThan(12); // some cases have no order
    const scale = await all<Case>('/api/v1/workflows/3/cases', 500);
    expect(scale.length).toBe(1234);
    expect(new Set(scale.map((c) => c.id)).size).toBe(1234);
    const subs = await all<Submission>('/api/v1/workflows/1/submissions', 3);
    expect(new Set(subs.map((s) => s.id)).size).toBe(subs.length);
    expect(subs.some((s) => s.status === 'draft' && s.submittedAt === null)).toBe(true);
  });

  it('serves every demo file with a matching checksum; images are real', async () => {
    const cases = await all<Case>('/api/v1/workflows/1/cases', 100);
    const files = cases.flatMap((c) => c.files);
    expect(files.some((f) => f.size === 0)).toBe(true);
    for (const f of files) {
      const res = await get(`/api/v1/files/${f.uuid}/content`);
      expect(res.status).toBe(200);
      const buf = Buffer.from(await res.arrayBuffer());
      expect(buf.length).toBe(f.size);
      expect(Number(res.headers.get('content-length'))).toBe(f.size);
      expect(res.headers.get('content-type')).toBe(f.contentType);
      expect(res.headers.get('etag')).toMatch(/^".+"$/);
      expect(createHash('sha256').update(buf).digest('hex')).toBe(res.headers.get('x-checksum-sha256'));
      if (f.contentType === 'image/png') expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      if (f.contentType === 'image/jpeg') expect([...buf.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    }
    expect(files.filter((f) => f.contentType === 'image/png').length).toBeGreaterThan(3);
    expect(files.filter((f) => f.contentType === 'image/jpeg').length).toBeGreaterThan(3);
    expect((await get('/api/v1/files/00000000-0000-4000-8000-000000000000/content')).status).toBe(404);
  });

  it('honours Range requests', async () => {
    const [c] = (await json<Page<Case>>('/api/v1/workflows/3/cases?limit=1')).items;
    const f = c.files[0];
    const full = Buffer.from(await (await get(`/api/v1/files/${f.uuid}/content`)).arrayBuffer());
    const res = await get(`/api/v1/files/${f.uuid}/content`, { Range: `bytes=${f.size - 1000}-` });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${f.size - 1000}-${f.size - 1}/${f.size}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(full.subarray(f.size - 1000))).toBe(true);
    const mid = await get(`/api/v1/files/${f.uuid}/content`, { Range: 'bytes=10-19' });
    expect(Buffer.from(await mid.arrayBuffer()).equals(full.subarray(10, 20))).toBe(true);
  });

  it('requires an order for annotations; shapes lie inside images', async () => {
    const res = await get('/api/v1/workflows/1/annotations');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const anns = await all<Annotation>('/api/v1/workflows/1/annotations?order=11', 4);
    expect(anns.length).toBeGreaterThan(0);
    const kinds = new Set((await Promise.all(['11', '12', '13'].map((o) => all<Annotation>(`/api/v1/workflows/1/annotations?order=${o}`, 50)))).flat().flatMap((a) => a.shapes.map((s) => s.kind)));
    expect([...kinds].sort()).toEqual(['box', 'point', 'polygon', 'polyline']);
  });

  it('lists executions and finishes the running one', async () => {
    const latest = await json<Page<ExecutionSummary>>('/api/v1/executions?limit=1');
    expect(latest.items[0]).toMatchObject({ id: '1006', status: 'running', workflowName: expect.any(String) });
    const ex = await json<Execution>('/api/v1/executions/1005');
    expect(ex.steps.filter((s) => s.name === 'Retry loop').map((s) => s.iteration)).toEqual([1, 2, 3]);
    const out = await get(`/api/v1/executions/1005/steps/${ex.steps[1].id}/output`);
    expect(out.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(Buffer.byteLength(await out.text())).toBe(ex.steps[1].outputSize);
    await fetch(`${site.url}/__admin/executions/1006/finish`, { method: 'POST' });
    expect((await json<Execution>('/api/v1/executions/1006')).status).toBe('success');
    const page = await (await get('/workflows/1/executions/1006')).text();
    expect(page).toContain('data-status="success"');
  });

  it('a run again replaces the finish scheduled before it (setting the timer to 0 stops the one pending)', async () => {
    const timed = await startSite({ port: 0, runningExecutionSec: 1 });
    try {
      const c = await (async () => {
        const res = await fetch(`${timed.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo' }), redirect: 'manual' });
        return /session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
      })();
      const status = async () => ((await (await fetch(`${timed.url}/api/v1/executions/1006`, { headers: { cookie: c } })).json()) as Execution).status;
      timed.setConfig({ runningExecutionSec: 0 });
      await fetch(`${timed.url}/__admin/executions/1006/run`, { method: 'POST' });
      await new Promise((r) => setTimeout(r, 1300));
      expect(await status()).toBe('running');
      timed.setConfig({ runningExecutionSec: 1 });
      await fetch(`${timed.url}/__admin/executions/1006/run`, { method: 'POST' });
      await new Promise((r) => setTimeout(r, 1300));
      expect(await status()).toBe('success');
    } finally {
      await timed.close();
    }
  });

  it('renders the pages with their anchors, and partials', async () => {
    const html = await (await get('/develop/workflows/1')).text();
    expect(html).toContain('<main data-page="workflow" data-workflow-id="1">');
    expect(html).toContain('<select id="workflow-order-select"');
    expect(html).toContain('<option value="">All cases</option>');
    expect(html).toContain('class="page-actions"');
    const partial = await (await get('/workflows/2/executions', { 'X-Partial': '1' })).json();
    expect(partial.main).toMatch(/^<main data-page="executions" data-workflow-id="2">/);
    expect(partial.main).toMatch(/<tr data-execution-id="2002" data-status="success">/);
    expect(partial.main).toContain('class="row-actions"');
  });

  it('denies workflow 2 to the other user', async () => {
    const other = await signIn('other', 'other');
    expect((await get('/api/v1/workflows/2', {}, other)).status).toBe(403);
    expect((await get('/api/v1/workflows/1', {}, other)).status).toBe(200);
  });

  it('is deterministic', () => {
    const c = { ...defaultConfig, scaleCases: 100 };
    expect(JSON.stringify(snapshot(generateData(c)))).toBe(JSON.stringify(snapshot(generateData(c))));
    expect(JSON.stringify(snapshot(generateData({ ...c, seed: 2 })))).not.toBe(JSON.stringify(snapshot(generateData(c))));
    const plain = JSON.stringify(snapshot(generateData({ ...c, plainNames: true })));
    expect(/[^\x00-\x7f]/.test(plain.replace(/\\u[0-9a-f]{4}/gi, ''))).toBe(false);
  });

  it('injects faults and expires sessions', async () => {
    const [c] = await all<Case>('/api/v1/workflows/1/cases?order=11', 100);
    const uuid = c.files[0].uuid;
    site.setConfig({ fail500: 1 });
    expect((await get(`/api/v1/files/${uuid}/content`)).status).toBe(500);
    site.setConfig({ fail500: 0, fail429: 1, retryAfterSeconds: 3 });
    const r429 = await get(`/api/v1/files/${uuid}/content`);
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('3');
    site.setConfig({ fail429: 0, failCut: 1 });
    await expect(get(`/api/v1/files/${uuid}/content`).then((r) => r.arrayBuffer())).rejects.toThrow();
    const cfg = await fetch(`${site.url}/__admin/config`, { method: 'POST', body: JSON.stringify({ failCut: 0 }) });
    expect((await cfg.json()).failCut).toBe(0);
    expect((await get(`/api/v1/files/${uuid}/content`)).status).toBe(200);
    const stats = await (await fetch(`${site.url}/__admin/stats`)).json();
    expect(stats.faultsInjected).toMatchObject({ fail500: 1, fail429: 1, failCut: 1 });
    await fetch(`${site.url}/__admin/expire-sessions`, { method: 'POST' });
    expect((await get('/api/v1/me')).status).toBe(401);
    cookie = await signIn();
    expect((await get('/api/v1/me')).status).toBe(200);
  });
});
