import type { PodCache } from '@podid/kube';
import { createLogger, LogCapture } from '@podid/logging';
import { waitFor } from '@podid/testkit';
import type { TokenHoldingPod } from './domain/absent-pods';
import { reconcileRevocations } from './reconcile-revocations';

/** A pod cache whose content and sync state the test sets, and whose (re)lists it fires. */
function cacheOf(uids: string[], opts: { synced: boolean; watched?: string[] }) {
  const listeners = new Set<() => void>();
  const cache: PodCache & { relist(): void } = {
    podsSynced: opts.synced,
    hasPod: (_ns, _name, uid) => uids.includes(uid),
    podUids: () => new Set(uids),
    watches: (ns) => !opts.watched || opts.watched.includes(ns),
    onPodsListed: (l) => (listeners.add(l), () => listeners.delete(l)),
    relist: () => listeners.forEach((l) => l()),
  };
  return cache;
}

describe('reconcileRevocations', () => {
  const setup = (cache: ReturnType<typeof cacheOf>, live: TokenHoldingPod[], revoke: (uid: string) => Promise<void>) => {
    const logs = new LogCapture();
    const listLive = jest.fn(async () => live);
    const stop = reconcileRevocations({ cache, listLive, revoke, log: createLogger({ service: 'pod-verifier', destination: logs }), retry: { attempts: 2, initialDelayMs: 1 } });
    return { logs, listLive, stop };
  };
  const live = [
    { namespace: 'demo', podUid: 'alive' },
    { namespace: 'demo', podUid: 'gone' },
    { namespace: 'elsewhere', podUid: 'not-mine' },
  ];

  it('does nothing while the cache is unsynced: it would revoke pods it has not seen yet', async () => {
    const revoked: string[] = [];
    const cache = cacheOf([], { synced: false });
    const { listLive, stop } = setup(cache, live, async (uid) => void revoked.push(uid));
    try {
      cache.relist();
      await new Promise((r) => setTimeout(r, 20));
      expect(listLive).not.toHaveBeenCalled();
      expect(revoked).toEqual([]);
    } finally {
      stop();
    }
  });

  it('after a relist, revokes each absent pod of a watched namespace once, and logs POD_RECONCILE_REVOKED', async () => {
    const revoked: string[] = [];
    const cache = cacheOf(['alive'], { synced: true, watched: ['demo'] });
    const { logs, stop } = setup(cache, live, async (uid) => void revoked.push(uid));
    try {
      cache.relist();
      await waitFor(() => logs.withEvent('POD_RECONCILE_REVOKED').length === 1, { timeoutMs: 2000, message: 'reconcile revoked' });
      expect(logs.withEvent('POD_RECONCILE_REVOKED')[0]).toMatchObject({ pod_uid: 'gone', namespace: 'demo', attempts: 1 });
      cache.relist();
      await new Promise((r) => setTimeout(r, 20));
      expect(revoked).toEqual(['gone']);
    } finally {
      stop();
    }
  });

  it('retries a failed revocation, logs POD_RECONCILE_REVOKE_FAILED, and tries again on the next round', async () => {
    let calls = 0;
    const cache = cacheOf([], { synced: true });
    const { logs, stop } = setup(cache, [{ namespace: 'demo', podUid: 'gone' }], async () => {
      calls++;
      throw new Error('token-issuer down');
    });
    try {
      cache.relist();
      await waitFor(() => logs.withEvent('POD_RECONCILE_REVOKE_FAILED').length === 1, { timeoutMs: 2000, message: 'gave up' });
      expect(calls).toBe(2);
      cache.relist();
      await waitFor(() => calls === 4, { timeoutMs: 2000, message: 'retried on the next round' });
    } finally {
      stop();
    }
  });

  it('logs POD_RECONCILE_FAILED when token-issuer cannot list the live pods', async () => {
    const logs = new LogCapture();
    const cache = cacheOf([], { synced: true });
    const stop = reconcileRevocations({ cache, listLive: async () => Promise.reject(new Error('unavailable')), revoke: async () => undefined, log: createLogger({ service: 'pod-verifier', destination: logs }) });
    try {
      cache.relist();
      await waitFor(() => logs.withEvent('POD_RECONCILE_FAILED').length === 1, { timeoutMs: 2000, message: 'failure logged' });
    } finally {
      stop();
    }
  });
});
