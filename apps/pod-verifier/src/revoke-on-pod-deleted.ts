import type { PodDirectory } from '@podid/kube';
import type { Logger } from '@podid/logging';
import { revokeWithRetry, type RevokeRetry } from './revoke-with-retry';

/**
 * Revokes every token bound to a pod when the pod is deleted, retrying with
 * exponential backoff. Returns a function that unsubscribes and cancels
 * pending retries.
 */
export function revokeOnPodDeleted(opts: {
  pods: PodDirectory;
  revoke: (podUid: string) => Promise<void>;
  log: Logger;
  retry?: RevokeRetry;
}): () => void {
  const names = new Map<string, { namespace: string; pod: string }>();
  const retrier = revokeWithRetry({
    revoke: opts.revoke,
    retry: opts.retry,
    onDone: (uid, attempts) => (opts.log.event('POD_DELETED_TOKENS_REVOKED', { pod_uid: uid, ...names.get(uid), attempts }), names.delete(uid)),
    onFailed: (uid, attempts, err) => (opts.log.event('POD_DELETED_REVOKE_FAILED', { pod_uid: uid, ...names.get(uid), attempts, err: err.message }), names.delete(uid)),
  });
  const off = opts.pods.onPodDeleted((uid, namespace, name) => {
    if (!uid) return;
    opts.log.event('POD_DELETED', { pod_uid: uid, namespace, pod: name });
    names.set(uid, { namespace, pod: name });
    retrier.revoke(uid);
  });
  return () => {
    off();
    retrier.stop();
  };
}
