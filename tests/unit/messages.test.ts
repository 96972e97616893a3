/**
 * Every message type against forged senders (lib/senders.ts, lib/messageSchema.ts). Table-driven
 * over the schema: a new message type fails these tests until it has a sample, the senders it
 * expects and its malformed forms here.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AnyMessage } from '../../lib/messages';
import { MESSAGE_RULES, MESSAGE_TYPES, isAddressedTo, parseMessage, type MessageType, type SenderKind } from '../../lib/messageSchema';
import { authorize, classifySender, jobsVisibleTo, mayAccessJob, senderContextOf, type MessageSenderLike, type Sender, type SenderContext } from '../../lib/senders';
import { emptyProgress, type JobState } from '../../lib/jobs';
import { caseFilesRequest, testJob } from './fixtures/jobs';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const BASE = `chrome-extension://${ID}/`;
const PLATFORM = 'http://localhost:4400';
const OTHER_PLATFORM = 'https://app.example.com';
const ctx: SenderContext = {
  extensionId: ID,
  baseUrl: BASE,
  hostUrl: `${BASE}offscreen.html`,
  backgroundUrl: `${BASE}background.js`,
  origins: [PLATFORM, OTHER_PLATFORM],
};

const JOB_ID = '0b6f3c1e-5d0a-4a52-9a39-8e1f3b2c4d5e';
const BLOB = `blob:chrome-extension://${ID}/4f1c2b3a-1111-4222-8333-944455556666`;
const job = (over: Partial<JobState> = {}): JobState =>
  testJob({ id: JOB_ID, request: caseFilesRequest({ origin: PLATFORM, workflowId: 'w1' }), tabId: 7, ...over });
const result = { filename: 'Demo_case-files.zip', archiveBytes: 10, files: 1, failed: [] };

/** One valid message of every type, as its legitimate sender sends it. */
const SAMPLES: { [T in MessageType]: Extract<AnyMessage, { type: T }> } = {
  'export/start': { to: 'background', type: 'export/start', request: { kind: 'csv', origin: PLATFORM, workflowId: 'w1', orderId: 'o1', submissions: 'all', layout: 'long', bom: false } },
  'export/cancel': { to: 'background', type: 'export/cancel', jobId: JOB_ID },
  'jobs/list': { to: 'background', type: 'jobs/list' },
  'favourites/list': { to: 'background', type: 'favourites/list' },
  'favourites/add': { to: 'background', type: 'favourites/add', name: 'By case', template: '{{ CASE_ID }}/' },
  'favourites/rename': { to: 'background', type: 'favourites/rename', id: 'f1', name: 'New' },
  'favourites/delete': { to: 'background', type: 'favourites/delete', id: 'f1' },
  'favourites/set-default': { to: 'background', type: 'favourites/set-default', id: null },
  'favourites/import': { to: 'background', type: 'favourites/import', json: '{"type":"workflow-exporter/favourites"}' },
  'favourites/export': { to: 'background', type: 'favourites/export' },
  'last-template/get': { to: 'background', type: 'last-template/get', origin: PLATFORM, workflowId: 'w1' },
  'last-template/set': { to: 'background', type: 'last-template/set', origin: PLATFORM, workflowId: 'w1', template: '{{ CASE_ID }}/' },
  'delta/last': { to: 'background', type: 'delta/last', kind: 'case-files', origin: PLATFORM, workflowId: 'w1', orderId: null },
  'delta/count': {
    to: 'background',
    type: 'delta/count',
    kind: 'csv',
    origin: PLATFORM,
    workflowId: 'w1',
    orderId: null,
    jobId: '4f1c2b3a-1111-4222-8333-944455556666',
    items: [{ id: 's1', fingerprint: '0123456789abcdef' }, { id: 'u1' }],
  },
  'history/list': { to: 'background', type: 'history/list', limit: 50 },
  'settings/get': { to: 'background', type: 'settings/get' },
  'settings/set': { to: 'background', type: 'settings/set', patch: { parallel: 4 } },
  'origins/add': { to: 'background', type: 'origins/add', origin: 'https://eu.example.com' },
  'origins/remove': { to: 'background', type: 'origins/remove', origin: 'https://eu.example.com' },
  'job/update': { to: 'ui', type: 'job/update', job: job() },
  'host/run': { to: 'host', type: 'host/run', job: job() },
  'host/cancel': { to: 'host', type: 'host/cancel', jobId: JOB_ID },
  'host/cleanup': { to: 'host', type: 'host/cleanup', jobId: JOB_ID },
  'host/stream-failed': { to: 'host', type: 'host/stream-failed', jobId: JOB_ID, reason: 'Download interrupted: NETWORK_FAILED' },
  'host/ping': { to: 'host', type: 'host/ping' },
  'host/stream': { to: 'background', type: 'host/stream', jobId: JOB_ID, filename: 'Workflow_case-files.zip' },
  'host/stream-open': { to: 'background', type: 'host/stream-open', jobId: JOB_ID },
  'host/stream-broken': { to: 'background', type: 'host/stream-broken', jobId: JOB_ID, reason: 'the engine did not hand over the stream in time' },
  'host/progress': { to: 'background', type: 'host/progress', jobId: JOB_ID, progress: { ...emptyProgress(), filesDone: 3, paused: null } },
  'host/ready': { to: 'background', type: 'host/ready', jobId: JOB_ID, url: BLOB, result },
  'host/failed': { to: 'background', type: 'host/failed', jobId: JOB_ID, error: 'Network down' },
  'host/cancelled': { to: 'background', type: 'host/cancelled', jobId: JOB_ID },
};

/**
 * Who may send each type (written out here, not read from the schema, so a change of the schema's
 * senders is a visible change of this test). Content scripts: only what the in-page dialogs use.
 */
const EXPECTED_FROM: Record<MessageType, SenderKind[]> = {
  'export/start': ['content', 'page'],
  'export/cancel': ['content', 'page'],
  'jobs/list': ['content', 'page', 'host'],
  'favourites/list': ['content', 'page'],
  'last-template/get': ['content', 'page'],
  'last-template/set': ['content', 'page'],
  'delta/last': ['content', 'page'],
  'delta/count': ['content', 'page'],
  'favourites/add': ['page'],
  'favourites/rename': ['page'],
  'favourites/delete': ['page'],
  'favourites/set-default': ['page'],
  'favourites/import': ['page'],
  'favourites/export': ['page'],
  'history/list': ['page'],
  'settings/get': ['page'],
  'settings/set': ['page'],
  'origins/add': ['page'],
  'origins/remove': ['page'],
  'job/update': ['background', 'page'],
  'host/run': ['background'],
  'host/cancel': ['background'],
  'host/cleanup': ['background'],
  'host/stream-failed': ['background'],
  'host/ping': ['background'],
  'host/stream': ['host'],
  'host/stream-open': ['host'],
  'host/stream-broken': ['host'],
  'host/progress': ['host'],
  'host/ready': ['host'],
  'host/failed': ['host'],
  'host/cancelled': ['host'],
};

/** A legitimate sender of each kind, as the browser describes it. */
const SENDERS: Record<SenderKind, MessageSenderLike> = {
  content: { id: ID, url: `${PLATFORM}/develop/workflows/w1`, origin: PLATFORM, frameId: 0, tab: { id: 7, url: `${PLATFORM}/develop/workflows/w1` } },
  page: { id: ID, url: `${BASE}popup.html`, origin: BASE.slice(0, -1) },
  host: { id: ID, url: `${BASE}offscreen.html`, origin: BASE.slice(0, -1) },
  background: { id: ID, url: `${BASE}background.js`, origin: BASE.slice(0, -1) },
};

/** Senders that must be refused whatever they send. */
const FORGED: Record<string, MessageSenderLike | undefined> = {
  'no sender': undefined,
  'no extension id': { url: `${BASE}popup.html` },
  'another extension': { id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', url: 'chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/popup.html' },
  'another extension claiming our page': { id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', url: `${BASE}offscreen.html` },
  'our id, no URL': { id: ID, tab: { id: 7 } },
  'our id, garbage URL': { id: ID, url: 'not a url', tab: { id: 7 } },
  'a tab of an origin not configured': { id: ID, url: 'http://localhost:4401/develop/workflows/w1', frameId: 0, tab: { id: 8 } },
  'another scheme of a configured host': { id: ID, url: 'https://localhost:4400/develop/workflows/w1', frameId: 0, tab: { id: 8 } },
  'a frame inside a platform page': { id: ID, url: `${PLATFORM}/frame`, frameId: 3, tab: { id: 7, url: `${PLATFORM}/` } },
  'a configured page without a tab': { id: ID, url: `${PLATFORM}/develop/workflows/w1` },
  'a negative tab id': { id: ID, url: `${PLATFORM}/`, frameId: 0, tab: { id: -1 } },
  'a data: page': { id: ID, url: 'data:text/html,hi', frameId: 0, tab: { id: 7 } },
  'an opaque origin behind a configured URL': { id: ID, url: `${PLATFORM}/sandboxed`, origin: 'null', frameId: 0, tab: { id: 7 } },
  'our page framed in a platform tab': { id: ID, url: `${BASE}popup.html`, frameId: 2, tab: { id: 7, url: `${PLATFORM}/` } },
  'our page with a foreign top URL': { id: ID, url: `${BASE}popup.html`, frameId: 0, tab: { id: 7, url: `${PLATFORM}/` } },
  'our URL with another origin': { id: ID, url: `${BASE}popup.html`, origin: PLATFORM },
};

describe('the schema table', () => {
  it('has a sample and expected senders for exactly the types of the schema', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...MESSAGE_TYPES].sort());
    expect(Object.keys(EXPECTED_FROM).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it.each(MESSAGE_TYPES)('%s: accepted from exactly the expected sender kinds', (type) => {
    for (const kind of Object.keys(SENDERS) as SenderKind[]) {
      const auth = authorize(SAMPLES[type], SENDERS[kind], ctx);
      expect({ kind, ok: auth.ok }).toEqual({ kind, ok: EXPECTED_FROM[type].includes(kind) });
      if (!auth.ok) expect(auth.reason).toMatch(/not accepted from/);
    }
  });

  it.each(MESSAGE_TYPES)('%s: refused from every forged sender', (type) => {
    for (const [name, sender] of Object.entries(FORGED)) {
      const auth = authorize(SAMPLES[type], sender, ctx);
      expect({ name, ok: auth.ok }).toEqual({ name, ok: false });
    }
  });

  it.each(MESSAGE_TYPES)('%s: refused when addressed elsewhere, or when any field has the wrong shape', (type) => {
    const sample = SAMPLES[type] as Record<string, unknown>;
    const sender = SENDERS[EXPECTED_FROM[type][0]];
    expect(authorize(sample, sender, ctx).ok).toBe(true);
    for (const to of ['background', 'ui', 'host', undefined].filter((t) => t !== sample.to))
      expect(authorize({ ...sample, to }, sender, ctx).ok).toBe(false);
    for (const key of Object.keys(sample).filter((k) => k !== 'to' && k !== 'type')) {
      for (const bad of [{ nested: true }, [sample[key]], 'x'.repeat(20_000_001)]) {
        const auth = authorize({ ...sample, [key]: bad }, sender, ctx);
        expect({ key, ok: auth.ok }).toEqual({ key, ok: false });
      }
    }
  });

  it.each(MESSAGE_TYPES)('%s: the accepted copy keeps only what the schema knows', (type) => {
    const auth = authorize({ ...SAMPLES[type], evil: '<img onerror=alert(1)>' }, SENDERS[EXPECTED_FROM[type][0]], ctx);
    expect(auth.ok).toBe(true);
    if (!auth.ok) return;
    expect(auth.msg).toEqual(SAMPLES[type]);
    expect(auth.msg).not.toBe(SAMPLES[type]);
    expect('evil' in auth.msg).toBe(false);
  });

  it('each rule names its destination as the sample does', () => {
    for (const type of MESSAGE_TYPES) expect(MESSAGE_RULES[type].to).toBe(SAMPLES[type].to);
  });

  it('refuses unknown types and non-objects', () => {
    for (const raw of [null, undefined, 42, 'export/start', [], { to: 'background' }, { to: 'background', type: 'downloads/download', url: BLOB }, { to: 'background', type: 'toString' }, { to: 'background', type: '__proto__' }])
      expect(authorize(raw, SENDERS.page, ctx).ok).toBe(false);
  });

  it('isAddressedTo looks at `to` only', () => {
    expect(isAddressedTo({ to: 'host', type: 'whatever' }, 'host')).toBe(true);
    expect(isAddressedTo({ to: 'host' }, 'background')).toBe(false);
    expect(isAddressedTo(null, 'ui')).toBe(false);
  });

  it('never throws on arbitrary input, and what it accepts it accepts again unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_TYPES), fc.anything(), fc.dictionary(fc.string(), fc.anything()), (type, value, extra) => {
        const raw = { ...extra, ...SAMPLES[type], [Object.keys(SAMPLES[type]).at(-1)!]: value };
        const parsed = parseMessage(raw);
        if (parsed.ok) expect(parseMessage(parsed.msg)).toEqual(parsed);
        expect(() => parseMessage(value)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('senders', () => {
  it('classifies each legitimate sender', () => {
    expect(classifySender(SENDERS.content, ctx)).toEqual({ ok: true, sender: { kind: 'content', tabId: 7, origin: PLATFORM } });
    expect(classifySender(SENDERS.page, ctx)).toEqual({ ok: true, sender: { kind: 'page' } });
    expect(classifySender(SENDERS.host, ctx)).toEqual({ ok: true, sender: { kind: 'host' } });
    expect(classifySender(SENDERS.background, ctx)).toEqual({ ok: true, sender: { kind: 'background' } });
  });

  it('our options page open in a tab of its own is a page; offscreen.html in a tab is not the host', () => {
    const options = { id: ID, url: `${BASE}options.html`, frameId: 0, tab: { id: 3, url: `${BASE}options.html` } };
    expect(classifySender(options, ctx)).toEqual({ ok: true, sender: { kind: 'page' } });
    expect(classifySender({ ...options, tab: { id: 3 } }, ctx)).toEqual({ ok: true, sender: { kind: 'page' } });
    const offscreenTab = { id: ID, url: `${BASE}offscreen.html`, frameId: 0, tab: { id: 4, url: `${BASE}offscreen.html` } };
    expect(classifySender(offscreenTab, ctx)).toEqual({ ok: true, sender: { kind: 'page' } });
    expect(authorize(SAMPLES['host/ready'], offscreenTab, ctx).ok).toBe(false);
  });

  it('the host page with a query or fragment is still the host; another page is not', () => {
    expect(classifySender({ id: ID, url: `${BASE}offscreen.html?x#y` }, ctx)).toEqual({ ok: true, sender: { kind: 'host' } });
    expect(classifySender({ id: ID, url: `${BASE}offscreen.html/x` }, ctx)).toEqual({ ok: true, sender: { kind: 'page' } });
  });

  it('where the host sends no messages (Firefox), nothing is the host', () => {
    const firefox = { ...ctx, hostUrl: null, backgroundUrl: null };
    expect(classifySender(SENDERS.host, firefox)).toEqual({ ok: true, sender: { kind: 'page' } });
    expect(authorize(SAMPLES['host/ready'], SENDERS.host, firefox).ok).toBe(false);
  });

  it('a content script of each configured origin, and of no other', () => {
    const at = (url: string) => ({ id: ID, url, frameId: 0, tab: { id: 9 } });
    expect(classifySender(at(`${OTHER_PLATFORM}/develop/workflows/w1`), ctx)).toEqual({ ok: true, sender: { kind: 'content', tabId: 9, origin: OTHER_PLATFORM } });
    for (const url of ['http://localhost/', 'http://localhost:44000/', 'http://app.example.com/', 'https://app.example.com.evil.test/', 'https://evil.test/?https://app.example.com'])
      expect(classifySender(at(url), ctx).ok).toBe(false);
  });

  it('senderContextOf reads the host and background from the manifest', () => {
    const runtime = (manifest: object) => ({ id: ID, getURL: (p: string) => `chrome-extension://${ID}${p.startsWith('/') ? p : `/${p}`}`, getManifest: () => manifest });
    expect(senderContextOf(runtime({ permissions: ['offscreen'], background: { service_worker: 'background.js' } }), [PLATFORM])).toEqual({
      extensionId: ID,
      baseUrl: BASE,
      hostUrl: `${BASE}offscreen.html`,
      backgroundUrl: `${BASE}background.js`,
      origins: [PLATFORM],
    });
    expect(senderContextOf(runtime({ permissions: ['downloads'], background: { scripts: ['background.js'] } }))).toMatchObject({ hostUrl: null, backgroundUrl: null, origins: [] });
    // Chrome's offscreen document has no runtime.getManifest: it is the host, the background is WXT's background.js.
    const offscreen = { id: ID, getURL: runtime({}).getURL };
    expect(senderContextOf(offscreen)).toMatchObject({ hostUrl: `${BASE}offscreen.html`, backgroundUrl: `${BASE}background.js` });
  });
});

describe('scopes', () => {
  const content = SENDERS.content;
  it('a platform page may export only from its own origin, and only from a configured one', () => {
    const start = (origin: string) => ({ ...SAMPLES['export/start'], request: { ...SAMPLES['export/start'].request, origin } });
    expect(authorize(start(PLATFORM), content, ctx).ok).toBe(true);
    expect(authorize(start(OTHER_PLATFORM), content, ctx)).toMatchObject({ ok: false, reason: expect.stringMatching(/own origin/) });
    expect(authorize(start(OTHER_PLATFORM), SENDERS.page, ctx).ok).toBe(true);
    expect(authorize(start('https://evil.test'), SENDERS.page, ctx)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a configured/) });
    expect(authorize(start('https://evil.test'), content, ctx).ok).toBe(false);
    for (const origin of ['http://localhost:4400/', 'HTTP://LOCALHOST:4400', 'javascript:alert(1)', 'http://user@localhost:4400'])
      expect(authorize(start(origin), content, ctx).ok).toBe(false);
  });

  it('a platform page reads and writes the last templates of its own origin only', () => {
    for (const type of ['last-template/get', 'last-template/set', 'delta/last', 'delta/count'] as const) {
      expect(authorize({ ...SAMPLES[type], origin: PLATFORM }, content, ctx).ok).toBe(true);
      expect(authorize({ ...SAMPLES[type], origin: OTHER_PLATFORM }, content, ctx).ok).toBe(false);
      expect(authorize({ ...SAMPLES[type], origin: OTHER_PLATFORM }, SENDERS.page, ctx).ok).toBe(true);
    }
  });

  it('host/ready: only a blob URL of our own origin', () => {
    const ready = (url: string) => authorize({ ...SAMPLES['host/ready'], url }, SENDERS.host, ctx).ok;
    expect(ready(BLOB)).toBe(true);
    for (const url of [
      `${PLATFORM}/api/files/secret`,
      'data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==',
      `blob:${PLATFORM}/4f1c2b3a-1111-4222-8333-944455556666`,
      'blob:chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/4f1c2b3a-1111-4222-8333-944455556666',
      `blob:null/4f1c2b3a-1111-4222-8333-944455556666`,
      `${BASE}offscreen.html`,
      `${BLOB}#x`,
      `${BLOB}?x`,
      `blob:chrome-extension://${ID}/../x`,
      'file:///etc/passwd',
    ])
      expect({ url, ok: ready(url) }).toEqual({ url, ok: false });
  });

  it('a platform page sees and cancels its own tab\'s exports on its own origin only', () => {
    const me: Sender = { kind: 'content', tabId: 7, origin: PLATFORM };
    const mine = job();
    const otherTab = job({ tabId: 8 });
    const popup = job({ tabId: undefined });
    const navigated = job({ request: { ...mine.request, origin: OTHER_PLATFORM } });
    expect([mine, otherTab, popup, navigated].map((j) => mayAccessJob(j, me))).toEqual([true, false, false, false]);
    expect(jobsVisibleTo([mine, otherTab, popup, navigated], me)).toEqual([mine]);
    expect(jobsVisibleTo([mine, otherTab, popup, navigated], { kind: 'page' })).toHaveLength(4);
  });
});
