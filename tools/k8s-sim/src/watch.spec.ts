import { CoreV1Api, KubeConfig, Watch, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { startTestSim, waitFor } from './sim-fixture';
import type { Simulator } from './types';

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  code?: number;
}

let sim: Simulator;
let cleanup: () => Promise<void>;
let kc: KubeConfig;
let core: CoreV1Api;
const aborts: AbortController[] = [];

/** Starts a client-node Watch and collects what it sees. */
async function watch(path: string, query: Record<string, string | number | boolean | undefined>): Promise<{ seen: Seen[]; done: { err?: unknown; called: boolean } }> {
  const seen: Seen[] = [];
  const done: { err?: unknown; called: boolean } = { called: false };
  const ctl = await new Watch(kc).watch(
    path,
    query,
    (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) =>
      seen.push({ type, ...(obj.metadata?.name ? { name: obj.metadata.name } : {}), ...(obj.metadata?.resourceVersion ? { rv: obj.metadata.resourceVersion } : {}), ...(obj.code ? { code: obj.code } : {}) }),
    (err) => Object.assign(done, { err, called: true }),
  );
  aborts.push(ctl);
  return { seen, done };
}

const pod = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels }, spec: { containers: [{ name: 'c' }] } });

beforeAll(async () => {
  ({ sim, cleanup } = await startTestSim({ sandbox: 'none', watchHistoryLimit: 20, watchBookmarkIntervalMs: 50 }));
  kc = new KubeConfig();
  kc.loadFromString(sim.adminKubeconfigYaml());
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'w' } } });
});
afterAll(async () => {
  for (const a of aborts) a.abort();
  await cleanup();
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED after a list resourceVersion, with bookmarks', async () => {
    const list = await core.listNamespacedPod({ namespace: 'w' });
    const { seen } = await watch('/api/v1/namespaces/w/pods', { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true });
    await waitFor('the initial bookmark', () => seen.some((e) => e.type === 'BOOKMARK'));
    const created = await core.createNamespacedPod({ namespace: 'w', body: pod('a') });
    created.metadata!.labels = { x: 'y' };
    await core.replaceNamespacedPod({ namespace: 'w', name: 'a', body: created });
    await sim.remove('Pod', 'w', 'a');
    await waitFor('three events', () => seen.filter((e) => e.type !== 'BOOKMARK').length >= 3);
    // Periodic bookmarks carry the current resourceVersion.
    const deletedAt = seen.findIndex((e) => e.type === 'DELETED');
    const later = await waitFor('a bookmark after the delete', () => seen.slice(deletedAt).find((e) => e.type === 'BOOKMARK'));
    expect(Number(later.rv)).toBeGreaterThan(Number(list.metadata?.resourceVersion));
    expect(seen.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'a'],
      ['MODIFIED', 'a'],
      ['DELETED', 'a'],
    ]);
  });

  it('replays history from an older resourceVersion, and starts with ADDED events when none is given', async () => {
    const before = (await core.listNamespacedPod({ namespace: 'w' })).metadata?.resourceVersion;
    await core.createNamespacedPod({ namespace: 'w', body: pod('b1') });
    await core.createNamespacedPod({ namespace: 'w', body: pod('b2') });
    const replay = await watch('/api/v1/namespaces/w/pods', { resourceVersion: before });
    await waitFor('replayed events', () => replay.seen.length >= 2);
    expect(replay.seen.map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'b1'],
      ['ADDED', 'b2'],
    ]);
    const fresh = await watch('/api/v1/pods', {});
    await waitFor('initial ADDED events', () => fresh.seen.length >= 2);
    expect(fresh.seen.map((e) => e.name)).toEqual(['b1', 'b2']);
  });

  it('turns label changes into ADDED/DELETED for a selector', async () => {
    const { seen } = await watch('/api/v1/namespaces/w/pods', { labelSelector: 'role=db', resourceVersion: (await core.listNamespacedPod({ namespace: 'w' })).metadata?.resourceVersion });
    await core.createNamespacedPod({ namespace: 'w', body: pod('c', { role: 'web' }) });
    await core.patchNamespacedPod({ namespace: 'w', name: 'c', body: [{ op: 'replace', path: '/metadata/labels/role', value: 'db' }] });
    await core.patchNamespacedPod({ namespace: 'w', name: 'c', body: [{ op: 'remove', path: '/metadata/labels/role' }] });
    await waitFor('two events', () => seen.length >= 2);
    expect(seen.map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'c'],
      ['DELETED', 'c'],
    ]);
  });

  it('drives a client-node informer', async () => {
    const informer = makeInformer<V1Pod>(kc, '/api/v1/namespaces/inf/pods', () => core.listNamespacedPod({ namespace: 'inf' }));
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    await core.createNamespacedPod({ namespace: 'inf', body: pod('i1') });
    const names = () => informer.list().map((p) => p.metadata?.name).sort().join(',');
    await informer.start();
    try {
      expect(names()).toBe('i1');
      await core.createNamespacedPod({ namespace: 'inf', body: pod('i2') });
      await waitFor('the informer to see i2', () => names() === 'i1,i2');
      await core.deleteNamespacedPod({ namespace: 'inf', name: 'i1' });
      await waitFor('the informer to drop i1', () => names() === 'i2');
    } finally {
      await informer.stop();
    }
  });

  it('answers a resourceVersion older than the kept history with a 410 Expired ERROR event', async () => {
    for (let i = 0; i < 25; i++) await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: `cm${i}` } } });
    const { seen, done } = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: '1' });
    await waitFor('the stream to end', () => done.called);
    expect(seen).toEqual([{ type: 'ERROR', code: 410 }]);
  });
});
