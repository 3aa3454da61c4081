import { eventually } from '@podid/testkit';
import { rawWatch, SLOW_MS } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
let ns: string;
beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-watch');
});
afterAll(() => t?.stop());

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const listRv = async () => (await t.raw('GET', `/api/v1/namespaces/${ns}/configmaps`)).json.metadata.resourceVersion as string;

describe('conformance: watch', () => {
  // The watch cache of a young API server may still hold version 1 (it keeps everything since its first list), so
  // this watches events, which the API server never caches: it asks etcd, which has compacted version 1 (the API
  // server compacts every 5 minutes). timeoutSeconds bounds the case if the version were still served.
  it('a resourceVersion older than the watch window is 410 Expired (as an ERROR event or the HTTP status)', async () => {
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/events?watch=true&resourceVersion=1&timeoutSeconds=5`);
    await w.ended;
    const err = w.events.find((e) => e.type === 'ERROR');
    expect(err?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(w.events.filter((e) => e.type !== 'ERROR')).toEqual([]);
  });

  it('from a list resourceVersion it streams ADDED, MODIFIED, DELETED in order', async () => {
    const rv = await listRv();
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`);
    try {
      expect(await w.status).toBe(200);
      expect((await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm('seq') })).status).toBe(201);
      expect((await t.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/seq`, { body: { data: { a: 'b' } }, contentType: 'application/merge-patch+json' })).status).toBe(200);
      expect((await t.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/seq`)).status).toBe(200);
      await eventually(() => expect(w.events.filter((e) => e.object?.metadata?.name === 'seq').map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']), SLOW_MS);
    } finally {
      w.abort();
    }
  });

  it('timeoutSeconds ends the stream cleanly, with no ERROR event', async () => {
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&timeoutSeconds=1&resourceVersion=${await listRv()}`);
    expect(await w.status).toBe(200);
    await w.ended;
    expect(w.events.filter((e) => e.type === 'ERROR')).toEqual([]);
  });

  it('the legacy /api/v1/watch/ path is served', async () => {
    const w = await rawWatch(t, `/api/v1/watch/namespaces/${ns}/configmaps?timeoutSeconds=1&resourceVersion=${await listRv()}`);
    expect(await w.status).toBe(200);
    await w.ended;
  });

  // v1.34 (WatchList on) defaults a watch with no resourceVersion (or "0") and neither sendInitialEvents nor
  // resourceVersionMatch to a watch-list: its initial ADDED events end with the marked bookmark.
  it('a legacy watch with bookmarks is defaulted to a watch-list: the initial ADDED events end with the initial-events-end bookmark', async () => {
    expect((await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm('bm') })).status).toBe(201);
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=true`);
    try {
      const isMarked = (e: (typeof w.events)[number]) => e.type === 'BOOKMARK' && e.object.metadata?.annotations?.['k8s.io/initial-events-end'] === 'true';
      await eventually(() => expect(w.events.some(isMarked)).toBe(true), SLOW_MS);
      const added = w.events.findIndex((e) => e.type === 'ADDED' && e.object.metadata.name === 'bm');
      const marked = w.events.findIndex(isMarked);
      expect(added).toBeGreaterThanOrEqual(0);
      expect(marked).toBeGreaterThan(added);
      expect(BigInt(w.events[marked]?.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(BigInt(w.events[added]?.object.metadata.resourceVersion));
    } finally {
      w.abort();
    }
  });

  // Initial events and their bookmark would come first, so everything up to the new object's ADDED shows there were none
  // (waiting for that event, not for a short timeoutSeconds that a slow POST could outlast).
  it('a watch from an explicit resourceVersion sends no initial events and never the initial-events-end bookmark', async () => {
    const rv = await listRv();
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    try {
      expect((await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm('bm2') })).status).toBe(201);
      await eventually(() => expect(w.events.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'bm2')).toBe(true), SLOW_MS);
      expect(w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'bm2']]);
      expect(w.events.filter((e) => e.object.metadata?.annotations?.['k8s.io/initial-events-end'])).toEqual([]);
    } finally {
      w.abort();
    }
  });

  // Only a watch-list waits for the cache to reach its version (3 s) and then fails.
  it('a watch-list at a resourceVersion far in the future fails with 504 Too large resource version instead of hanging', async () => {
    const future = BigInt(await listRv()) + 100_000_000n;
    const w = await rawWatch(
      t,
      `/api/v1/namespaces/${ns}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${future}&timeoutSeconds=30`,
    );
    await w.ended;
    expect(w.events.map((e) => e.type)).toEqual(['ERROR']);
    expect(w.events[0]?.object).toMatchObject({ kind: 'Status', code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
    expect(String(w.events[0]?.object.message)).toMatch(new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`));
  });

  // A plain watch from a future version neither fails nor waits: it stays open and streams only what is newer than it.
  it('a plain watch at a resourceVersion far in the future stays open and delivers nothing older than it', async () => {
    const future = BigInt(await listRv()) + 100_000_000n;
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${future}&timeoutSeconds=3`);
    expect(await w.status).toBe(200);
    expect((await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm('later') })).status).toBe(201);
    await w.ended;
    expect(w.events).toEqual([]);
  });
});
