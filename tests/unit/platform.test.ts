import { describe, expect, it } from 'vitest';
import { PlatformClient, PlatformError, pageFromUrl, routes, selectedOrderId, isExecutionFinished } from '../../lib/platform';

describe('pageFromUrl', () => {
  it('knows the three pages', () => {
    expect(pageFromUrl('http://x/develop/workflows/12')).toEqual({ kind: 'workflow', workflowId: '12' });
    expect(pageFromUrl('http://x/develop/workflows/12/')).toEqual({ kind: 'workflow', workflowId: '12' });
    expect(pageFromUrl('http://x/workflows/a%20b/executions')).toEqual({ kind: 'executions', workflowId: 'a b' });
    expect(pageFromUrl('http://x/workflows/1/executions/e9?x=1')).toEqual({ kind: 'execution', workflowId: '1', executionId: 'e9' });
    expect(pageFromUrl('http://x/')).toBeNull();
    expect(pageFromUrl('http://x/develop/workflows')).toBeNull();
  });
  it('round-trips routes', () => {
    expect(pageFromUrl(new URL(routes.workflow('w/1'), 'http://x'))).toEqual({ kind: 'workflow', workflowId: 'w/1' });
    expect(pageFromUrl(new URL(routes.execution('w', 'e'), 'http://x'))).toEqual({ kind: 'execution', workflowId: 'w', executionId: 'e' });
  });
  it('finished statuses', () => {
    expect(['success', 'failed', 'cancelled'].every(isExecutionFinished)).toBe(true);
    expect(['queued', 'running'].some(isExecutionFinished)).toBe(false);
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
      const body = cursor ? { items: [3], nextCursor: null } : { items: [1, 2], nextCursor: 'c2' };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const client = new PlatformClient({ origin: 'http://p/', fetch: fake });
    const all: unknown[] = [];
    for await (const page of client.cases('w', 'o')) all.push(...page);
    expect(all).toEqual([1, 2, 3]);
    expect(seen[0]).toBe('http://p/api/v1/workflows/w/cases?order=o&limit=500');
    expect(seen[1]).toContain('cursor=c2');
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
