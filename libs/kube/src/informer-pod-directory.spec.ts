import { waitFor } from '@podid/testkit';
import { createLogger, LogCapture } from '@podid/logging';
import { KubeConfig } from '@kubernetes/client-node';
import { InformerPodDirectory } from './informer-pod-directory';
import { podVerifierRbacObjects } from './pod-verifier-rbac';
import { applyOwner, applyPod, startSimCluster, type SimCluster } from './sim-cluster.fixture';

describe('InformerPodDirectory against the simulator, with pod-verifier RBAC only', () => {
  let cluster: SimCluster;
  let dir: InformerPodDirectory;
  const logs = new LogCapture();
  const log = createLogger({ service: 'pod-verifier', level: 'debug', destination: logs });

  beforeAll(async () => {
    cluster = await startSimCluster();
    const { sim } = cluster;
    await sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { env: 'dev' } } });
    await sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'demo', name: 'demo-sa' } });
    const dep = await applyOwner(sim, 'Deployment', 'demo', 'web');
    const rs = await applyOwner(sim, 'ReplicaSet', 'demo', 'web-7f9', dep);
    await applyPod(sim, 'demo', 'web-7f9-abc', { serviceAccount: 'demo-sa', owner: rs, labels: { app: 'web' } });
    dir = new InformerPodDirectory({ kc: cluster.kc, log });
    dir.start();
    await waitFor(() => dir.synced, { timeoutMs: 10_000, message: 'informers synced' });
  });

  afterAll(async () => {
    await dir?.stop();
    await cluster?.stop();
  });

  it('syncs every informer and answers from the cache without an API read', async () => {
    expect(logs.withEvent('K8S_INFORMER_SYNCED').map((l) => l['resource']).sort()).toEqual(
      ['cronjobs', 'daemonsets', 'deployments', 'jobs', 'namespaces', 'pods', 'replicasets', 'serviceaccounts', 'statefulsets'],
    );
    cluster.sim.clearAccessLog();
    const pod = await dir.getPod('demo', 'web-7f9-abc');
    expect(pod).toMatchObject({ namespace: 'demo', name: 'web-7f9-abc', serviceAccountName: 'demo-sa', labels: { app: 'web' }, containers: ['app', 'authenticator'] });
    expect(pod!.ownerRefs[0]).toMatchObject({ kind: 'ReplicaSet', name: 'web-7f9', controller: true });
    expect(await dir.getOwner('demo', 'ReplicaSet', 'web-7f9')).toMatchObject({ kind: 'ReplicaSet', ownerRefs: [{ kind: 'Deployment', name: 'web' }] });
    expect(await dir.getNamespace('demo')).toEqual({ name: 'demo', labels: expect.objectContaining({ env: 'dev' }) });
    expect(await dir.getServiceAccount('demo', 'demo-sa')).toEqual({ namespace: 'demo', name: 'demo-sa' });
    expect(cluster.sim.accessLog.filter((e) => e.verb === 'get')).toEqual([]);
  });

  it('reads the API server on a cache miss, so a pod created a moment ago is found', async () => {
    const cold = new InformerPodDirectory({ kc: cluster.kc, log });
    const uid = await applyPod(cluster.sim, 'demo', 'fresh-1');
    cluster.sim.clearAccessLog();
    expect((await cold.getPod('demo', 'fresh-1'))?.uid).toBe(uid);
    expect(cluster.sim.accessLog).toContainEqual(expect.objectContaining({ user: 'pod-verifier', verb: 'get', resource: 'pods', name: 'fresh-1', allowed: true }));
    expect(logs.withEvent('K8S_CACHE_MISS').at(-1)).toMatchObject({ resource: 'pods', name: 'fresh-1' });
    expect(await cold.getPod('demo', 'no-such-pod')).toBeUndefined();
    const uid2 = await applyPod(cluster.sim, 'demo', 'fresh-2');
    expect((await dir.getPod('demo', 'fresh-2'))?.uid).toBe(uid2);
    await cold.stop();
  });

  it('answers hasPod and podUids from the cache alone, and reports each pod informer start to onPodsListed', async () => {
    const fresh = new InformerPodDirectory({ kc: cluster.kc, log });
    let listed = 0;
    fresh.onPodsListed(() => listed++);
    const uid = await applyPod(cluster.sim, 'demo', 'cached-1');
    fresh.start();
    try {
      await waitFor(() => fresh.podsSynced && listed === 1, { timeoutMs: 10_000, message: 'the pod informer listed' });
      cluster.sim.clearAccessLog();
      expect(fresh.hasPod('demo', 'cached-1', uid)).toBe(true);
      expect(fresh.hasPod('demo', 'cached-1', 'another-uid')).toBe(false);
      expect(fresh.hasPod('demo', 'not-there', uid)).toBe(false);
      expect(fresh.podUids().has(uid)).toBe(true);
      expect(cluster.sim.accessLog.filter((e) => e.verb === 'get')).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });

  it('fires onPodDeleted with uid, namespace and name', async () => {
    const uid = await applyPod(cluster.sim, 'demo', 'doomed');
    const seen: string[][] = [];
    const off = dir.onPodDeleted((...args) => seen.push(args));
    await waitFor(async () => (await dir.getPod('demo', 'doomed')) && dir.synced, { message: 'doomed pod visible' });
    await cluster.sim.remove('Pod', 'demo', 'doomed');
    await waitFor(() => seen.length > 0, { timeoutMs: 5000, message: 'onPodDeleted fired' });
    expect(seen).toEqual([[uid, 'demo', 'doomed']]);
    off();
  });

  it('restricted to namespaces, reports other namespaces as not found without reading them', async () => {
    await cluster.sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    await applyPod(cluster.sim, 'other', 'elsewhere');
    const scoped = new InformerPodDirectory({ kc: cluster.kc, log, namespaces: ['demo'] });
    scoped.start();
    await waitFor(() => scoped.synced, { message: 'scoped informers synced' });
    cluster.sim.clearAccessLog();
    expect(await scoped.getPod('other', 'elsewhere')).toBeUndefined();
    expect(await scoped.getPod('demo', 'web-7f9-abc')).toBeDefined();
    expect(cluster.sim.accessLog.filter((e) => e.namespace === 'other')).toEqual([]);
    await scoped.stop();
  });

  const kcFor = (yaml: string) => {
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    return kc;
  };

  it('names the verb and resource when RBAC is missing (K8S_FORBIDDEN)', async () => {
    const dir2 = new InformerPodDirectory({ kc: kcFor(cluster.sim.kubeconfigYaml({ user: 'nobody' })), log });
    await expect(dir2.getPod('demo', 'web-7f9-abc')).rejects.toMatchObject({ kind: 'unavailable', code: 'K8S_FORBIDDEN', message: expect.stringContaining('"get pods"') });
    await expect(dir2.getOwner('demo', 'CronJob', 'x')).rejects.toMatchObject({ code: 'K8S_FORBIDDEN', message: expect.stringContaining('"get cronjobs"') });
  });

  it('reports an unreachable API server as K8S_UNAVAILABLE', async () => {
    const kc = kcFor(cluster.kubeconfigYaml);
    const ctx = kc.getCurrentCluster()!;
    kc.clusters = [{ ...ctx, server: 'https://127.0.0.1:1' }];
    const dir2 = new InformerPodDirectory({ kc, log });
    await expect(dir2.getPod('demo', 'x')).rejects.toMatchObject({ kind: 'unavailable', code: 'K8S_UNAVAILABLE' });
  });

  it('is not synced while lists fail, and restarts its informers once RBAC is granted', async () => {
    const late = new InformerPodDirectory({ kc: kcFor(cluster.sim.kubeconfigYaml({ user: 'late' })), log, backoff: { initialMs: 20, maxMs: 100 } });
    late.start();
    await waitFor(() => logs.withEvent('K8S_INFORMER_ERROR').some((l) => l['status'] === 403), { message: 'a 403 informer error' });
    expect(late.synced).toBe(false);
    const [, binding] = podVerifierRbacObjects({ kind: 'User', name: 'late' });
    await cluster.sim.apply({ ...(binding as object), metadata: { name: 'late-binding' } });
    await waitFor(() => late.synced, { timeoutMs: 10_000, message: 'informers synced after RBAC was granted' });
    expect(await late.getPod('demo', 'web-7f9-abc')).toBeDefined();
    await late.stop();
  });
});
