import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PlatformClient, PlatformError, endpoints, orderQuery, pageFromUrl, routes, selectedOrderId, isExecutionFinished } from '../../lib/platform';
import { InvalidIdError, MismatchedIdError, PLATFORM_ID, checkedAnswerId, checkedPlatformId, isPlatformId } from '../../lib/pageIds';

describe('pageFromUrl', () => {
  it('knows the three pages', () => {
    expect(pageFromUrl('http://x/develop/workflows/12')).toEqual({ kind: 'workflow', workflowId: '12' });
    expect(pageFromUrl('http://x/develop/workflows/12/')).toEqual({ kind: 'workflow', workflowId: '12' });
    expect(pageFromUrl('http://x/workflows/a_b-C/executions')).toEqual({ kind: 'executions', workflowId: 'a_b-C' });
    expect(pageFromUrl('http://x/workflows/1/executions/e9?x=1')).toEqual({ kind: 'execution', workflowId: '1', executionId: 'e9' });
    expect(pageFromUrl('http://x/')).toBeNull();
    expect(pageFromUrl('http://x/develop/workflows')).toBeNull();
  });
  it('round-trips routes', () => {
    const uuid = '3f2b8c1e-9a4d-4c2b-8e1f-0a1b2c3d4e5f';
    expect(pageFromUrl(new URL(routes.workflow(uuid), 'http://x'))).toEqual({ kind: 'workflow', workflowId: uuid });
    expect(pageFromUrl(new URL(routes.execution('w', 'e'), 'http://x'))).toEqual({ kind: 'execution', workflowId: 'w', executionId: 'e' });
    expect(pageFromUrl(new URL(routes.executions('1'), 'http://x'))).toEqual({ kind: 'executions', workflowId: '1' });
  });
  it.each([
    'http://x/develop/workflows/..',
    'http://x/develop/workflows/.',
    'http://x/develop/workflows/%2E%2E',
    'http://x/develop/workflows/a%2Fb',
    'http://x/develop/workflows/a%5Cb',
    'http://x/develop/workflows/a%20b',
    'http://x/develop/workflows/a.b',
    'http://x/develop/workflows/%E0%A4%A',
    'http://x/develop/workflows/%00',
    `http://x/develop/workflows/${'a'.repeat(129)}`,
    'http://x/workflows/%2E%2E/executions',
    'http://x/workflows/1/executions/%2E%2E',
    'http://x/workflows/1/executions/e%3Fx',
    'http://x/workflows/..%2F/executions/1',
  ])('a route whose ids are not platform ids is no platform page: %s', (url) => {
    expect(pageFromUrl(url)).toBeNull();
  });
  it('routes refuse ids that are not platform ids', () => {
    expect(() => routes.workflow('w/1')).toThrow(InvalidIdError);
    expect(() => routes.execution('1', '..')).toThrow(/execution id "\.\."/);
  });
  it('finished statuses', () => {
    expect(['success', 'failed', 'cancelled'].every(isExecutionFinished)).toBe(true);
    expect(['queued', 'running'].some(isExecutionFinished)).toBe(false);
  });
});

describe('platform ids (lib/pageIds)', () => {
  it.each(['1', '1006', 's1', 'u-101', 'a_b', '3f2b8c1e-9a4d-4c2b-8e1f-0a1b2c3d4e5f', 'A'.repeat(128)])('accepts %s', (id) => {
    expect(isPlatformId(id)).toBe(true);
    expect(checkedPlatformId(id, 'workflow id')).toBe(id);
  });
  it.each(['', '.', '..', 'a.b', 'a/b', 'a\\b', '%2e', 'a b', 'a?b', 'a#b', 'é', '１', 'a\u0000', 'A'.repeat(129), 'a\n'])('refuses %j with a clear message', (id) => {
    expect(isPlatformId(id)).toBe(false);
    expect(() => checkedPlatformId(id, 'workflow id')).toThrow(/^Refusing the workflow id .*: the platform's ids are 1 to 128 letters/);
  });
  it('shows a long id shortened, on code points', () => {
    const err = (() => {
      try {
        checkedPlatformId('🫁'.repeat(100), 'step id');
      } catch (e) {
        return e as Error;
      }
    })()!;
    expect(err.message).toContain(`"${'🫁'.repeat(76)}…`);
    expect(err.message).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
  it('refuses what is not a string', () => {
    for (const v of [null, undefined, 1, {}, ['1']]) expect(isPlatformId(v)).toBe(false);
    expect(() => checkedPlatformId(undefined, 'file uuid')).toThrow('Refusing the file uuid (none)');
  });
  it('property: an accepted id is its own encoding, and never a dot segment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 8 }), (s) => {
        if (!isPlatformId(s)) return;
        expect(encodeURIComponent(s)).toBe(s);
        expect(s.includes('.')).toBe(false);
        expect(PLATFORM_ID.test(s)).toBe(true);
      }),
    );
  });
  it('checkedAnswerId: the answer must be about the id asked for', () => {
    expect(checkedAnswerId({ id: '1', name: 'x' }, '1', 'workflow')).toEqual({ id: '1', name: 'x' });
    expect(() => checkedAnswerId({ id: '2' }, '1', 'workflow')).toThrow('The platform answered with workflow "2" when asked for workflow "1": the answer is refused.');
    expect(() => checkedAnswerId({ id: 1 }, '1', 'workflow')).toThrow(MismatchedIdError);
    expect(() => checkedAnswerId(null, '1', 'execution')).toThrow(/execution \(none\)/);
  });
});

describe('endpoints', () => {
  it('encode checked ids', () => {
    expect(endpoints.workflow('1')).toBe('/api/v1/workflows/1');
    expect(endpoints.stepOutput('e-1', 's_2')).toBe('/api/v1/executions/e-1/steps/s_2/output');
    expect(endpoints.fileContent('3f2b8c1e-9a4d')).toBe('/api/v1/files/3f2b8c1e-9a4d/content');
  });
  it.each([
    ['workflow', () => endpoints.workflow('..')],
    ['questions', () => endpoints.questions('a/b')],
    ['cases', () => endpoints.cases('.')],
    ['submissions', () => endpoints.submissions('x y')],
    ['annotations', () => endpoints.annotations('%2e%2e')],
    ['workflowExecutions', () => endpoints.workflowExecutions('')],
    ['execution', () => endpoints.execution('../../me')],
    ['stepOutput', () => endpoints.stepOutput('1', '..')],
    ['fileContent', () => endpoints.fileContent('../workflows/1')],
  ])('%s refuses an id that is not a platform id', (_name, build) => {
    expect(build).toThrow(InvalidIdError);
  });
  it('the order query: null is no order, anything else must be an id', () => {
    expect(orderQuery(null)).toBeNull();
    expect(orderQuery('11')).toBe('11');
    expect(() => orderQuery('11&limit=1')).toThrow(/order id/);
  });
});

describe('selectedOrderId', () => {
  const doc = (value: string | null) =>
    ({ querySelector: () => (value === null ? null : { value }) }) as unknown as ParentNode;
  it('reads the selector, "" meaning no order', () => {
    expect(selectedOrderId(doc('o1'))).toBe('o1');
    expect(selectedOrderId(doc(''))).toBeNull();
    expect(selectedOrderId(doc(null))).toBeNull();
  });
});

describe('PlatformClient', () => {
  it('walks every page with cursor and limit, with the session', async () => {
    const seen: string[] = [];
    const fake = (async (url: string, init: RequestInit) => {
      seen.push(url);
      expect(init.credentials).toBe('include');
      expect(init.cache).toBe('no-store');
      const u = new URL(url);
      const cursor = u.searchParams.get('cursor');
      const body = cursor ? { items: [{ id: '3' }], nextCursor: null } : { items: [{ id: '1' }, { id: 2 }], nextCursor: 'c2' };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const client = new PlatformClient({ origin: 'http://p/', fetch: fake });
    const all: unknown[] = [];
    for await (const page of client.cases('w', 'o')) all.push(...page.map((c) => c.id));
    expect(all).toEqual(['1', '2', '3']);
    expect(seen[0]).toBe('http://p/api/v1/workflows/w/cases?order=o&limit=500');
    expect(seen[1]).toContain('cursor=c2');
  });
  const answering = (body: unknown, seen: string[] = []) =>
    (async (url: string) => {
      seen.push(url);
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
  it('refuses an answer about another workflow or execution than the one asked for', async () => {
    const wf = new PlatformClient({ origin: 'http://p', fetch: answering({ id: '2', name: 'Other', orders: [] }) });
    await expect(wf.workflow('1')).rejects.toThrow('The platform answered with workflow "2" when asked for workflow "1": the answer is refused.');
    await expect(new PlatformClient({ origin: 'http://p', fetch: answering({ id: '1', name: 'W', orders: [] }) }).workflow('1')).resolves.toMatchObject({ id: '1' });
    const ex = new PlatformClient({ origin: 'http://p', fetch: answering({ id: 'e2', steps: [] }) });
    await expect(ex.execution('e1')).rejects.toThrow(MismatchedIdError);
    await expect(new PlatformClient({ origin: 'http://p', fetch: answering({ steps: [] }) }).execution('e1')).rejects.toThrow(/when asked for execution "e1"/);
  });
  it('sends no request for an id that is not a platform id (page, listing or order)', async () => {
    const seen: string[] = [];
    const client = new PlatformClient({ origin: 'http://p', fetch: answering({ items: [], nextCursor: null }, seen) });
    await expect(client.workflow('../me')).rejects.toThrow(InvalidIdError);
    await expect(client.execution('1/steps/2')).rejects.toThrow(InvalidIdError);
    await expect(client.firstCases('1', '../x', 5)).rejects.toThrow(/order id/);
    expect(() => client.cases('1', 'a b')).toThrow(/order id/);
    expect(() => client.annotations('1', '')).toThrow(/order id/);
    expect(() => client.fileContent('..')).toThrow(/file uuid/);
    expect(seen).toEqual([]);
  });
  it('turns error answers into PlatformError with Retry-After', async () => {
    const fake = (async () =>
      new Response(JSON.stringify({ error: 'rate_limited', message: 'Slow down' }), {
        status: 429,
        headers: { 'Retry-After': '3' },
      })) as unknown as typeof fetch;
    const client = new PlatformClient({ origin: 'http://p', fetch: fake });
    const err = (await client.me().catch((e) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('rate_limited');
    expect(err.message).toBe('Slow down');
    expect(err.retryAfterSeconds).toBe(3);
    expect(err.transient).toBe(true);
  });
});
