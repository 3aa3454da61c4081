import type { PodCache } from '@podid/kube';
import type { Logger } from '@podid/logging';
import { absentPods, type TokenHoldingPod } from './domain/absent-pods';
import { revokeWithRetry, type RevokeRetry } from './revoke-with-retry';

/** Also reconciles on a timer, so a revocation that outlived its retries (token-issuer down long) is made later. */
export const RECONCILE_INTERVAL_MS = 60_000;

/**
 * Revokes the tokens of pods deleted while pod-verifier was not watching
 * (down, or its watch broken): after every (re)list of pods, and every
 * interval, any pod uid that holds tokens but is absent from the synced
 * cache is revoked. Returns a function that stops it.
 */
export function reconcileRevocations(opts: {
  cache: PodCache;
  listLive: () => Promise<TokenHoldingPod[]>;
  revoke: (podUid: string) => Promise<void>;
  log: Logger;
  retry?: RevokeRetry;
  intervalMs?: number;
}): () => void {
  // Uids already revoked (or being revoked) by this process: not again each round.
  const handled = new Map<string, TokenHoldingPod>();
  const retrier = revokeWithRetry({
    revoke: opts.revoke,
    retry: opts.retry,
    onDone: (uid, attempts) => opts.log.event('POD_RECONCILE_REVOKED', { pod_uid: uid, namespace: handled.get(uid)?.namespace, attempts }),
    onFailed: (uid, attempts, err) => {
      opts.log.event('POD_RECONCILE_REVOKE_FAILED', { pod_uid: uid, namespace: handled.get(uid)?.namespace, attempts, err: err.message });
      handled.delete(uid);
    },
  });
  let running = false;
  let again = false;
  const round = async () => {
    // An unsynced cache lacks pods that exist: reconciling against it would revoke live pods.
    if (!opts.cache.podsSynced) return;
    if (running) return void (again = true);
    running = true;
    try {
      const live = await opts.listLive();
      // Read the cache after the list: a pod that got a token before the list is in it by now.
      const absent = absentPods(live, opts.cache.podUids(), (ns) => opts.cache.watches(ns));
      const liveUids = new Set(live.map((p) => p.podUid));
      for (const uid of handled.keys()) if (!liveUids.has(uid)) handled.delete(uid);
      for (const p of absent) {
        if (handled.has(p.podUid)) continue;
        handled.set(p.podUid, p);
        retrier.revoke(p.podUid);
      }
    } catch (err) {
      opts.log.event('POD_RECONCILE_FAILED', { err: (err as Error).message });
    } finally {
      running = false;
      if (again) {
        again = false;
        void round();
      }
    }
  };
  const off = opts.cache.onPodsListed(() => void round());
  const timer = setInterval(() => void round(), opts.intervalMs ?? RECONCILE_INTERVAL_MS);
  timer.unref();
  return () => {
    off();
    clearInterval(timer);
    retrier.stop();
  };
}
