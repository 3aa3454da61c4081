import type { PodDirectory } from '@podid/kube';
import type { Logger } from '@podid/logging';

export interface RevokeRetry {
  readonly attempts: number;
  readonly initialDelayMs: number;
}

/** About a minute of retries in total: long enough to ride out a token-issuer restart. */
export const DEFAULT_REVOKE_RETRY: RevokeRetry = { attempts: 8, initialDelayMs: 250 };

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
  const retry = opts.retry ?? DEFAULT_REVOKE_RETRY;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const attempt = (uid: string, namespace: string, name: string, n: number) => {
    opts.revoke(uid).then(
      () => opts.log.event('POD_DELETED_TOKENS_REVOKED', { pod_uid: uid, namespace, pod: name, attempts: n }),
      (err: unknown) => {
        if (stopped) return;
        if (n >= retry.attempts) {
          opts.log.event('POD_DELETED_REVOKE_FAILED', { pod_uid: uid, namespace, pod: name, attempts: n, err: (err as Error).message });
          return;
        }
        const t = setTimeout(() => {
          timers.delete(t);
          attempt(uid, namespace, name, n + 1);
        }, retry.initialDelayMs * 2 ** (n - 1));
        timers.add(t);
      },
    );
  };
  const off = opts.pods.onPodDeleted((uid, namespace, name) => {
    if (!uid) return;
    opts.log.event('POD_DELETED', { pod_uid: uid, namespace, pod: name });
    attempt(uid, namespace, name, 1);
  });
  return () => {
    stopped = true;
    off();
    for (const t of timers) clearTimeout(t);
  };
}
