export interface RevokeRetry {
  readonly attempts: number;
  readonly initialDelayMs: number;
}

/** About a minute of retries in total: long enough to ride out a token-issuer restart. */
export const DEFAULT_REVOKE_RETRY: RevokeRetry = { attempts: 8, initialDelayMs: 250 };

/**
 * Revokes pod uids with exponential backoff; `onDone`/`onFailed` log the
 * outcome. `stop` cancels pending retries.
 */
export function revokeWithRetry(opts: {
  revoke: (podUid: string) => Promise<void>;
  retry?: RevokeRetry;
  onDone: (uid: string, attempts: number) => void;
  onFailed: (uid: string, attempts: number, err: Error) => void;
}): { revoke(uid: string): void; stop(): void } {
  const retry = opts.retry ?? DEFAULT_REVOKE_RETRY;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const attempt = (uid: string, n: number) => {
    opts.revoke(uid).then(
      () => opts.onDone(uid, n),
      (err: unknown) => {
        if (stopped) return;
        if (n >= retry.attempts) return opts.onFailed(uid, n, err as Error);
        const t = setTimeout(() => {
          timers.delete(t);
          attempt(uid, n + 1);
        }, retry.initialDelayMs * 2 ** (n - 1));
        timers.add(t);
      },
    );
  };
  return {
    revoke: (uid) => attempt(uid, 1),
    stop: () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}
