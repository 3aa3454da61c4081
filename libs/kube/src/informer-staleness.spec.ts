import { createLogger, LogCapture } from '@podid/logging';
import { waitFor } from '@podid/testkit';
import { InformerPodDirectory } from './informer-pod-directory';
import { applyPod, startSimCluster } from './sim-cluster.fixture';

describe('an informer cache that loses its API server', () => {
  it('keeps answering through a short outage, then fails closed once it may have missed deletions', async () => {
    const cluster = await startSimCluster();
    const logs = new LogCapture();
    const dir = new InformerPodDirectory({ kc: cluster.kc, log: createLogger({ service: 'pod-verifier', destination: logs }), backoff: { initialMs: 50, maxMs: 200 }, staleAfterMs: 1500 });
    try {
      await cluster.sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
      await applyPod(cluster.sim, 'demo', 'web-0', {});
      dir.start();
      await waitFor(() => dir.synced, { timeoutMs: 10_000, message: 'informers synced' });
      await cluster.stop();
      // The watches break and relists fail at once; within the bound the cache still answers.
      await waitFor(() => logs.withEvent('K8S_INFORMER_ERROR').length > 0, { timeoutMs: 5000, message: 'an informer error' });
      expect(dir.synced).toBe(true);
      expect(await dir.getPod('demo', 'web-0')).toMatchObject({ name: 'web-0' });
      await waitFor(() => !dir.synced, { timeoutMs: 10_000, message: 'the cache given up as stale' });
      expect(logs.withEvent('K8S_CACHE_STALE')[0]).toMatchObject({ level: 'error' });
    } finally {
      await dir.stop();
      await cluster.stop();
    }
  });
});
