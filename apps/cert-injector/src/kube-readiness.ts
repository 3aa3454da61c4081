import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@podid/logging';

/** How long one readiness probe waits for GET /version, in ms. */
export const READINESS_PROBE_TIMEOUT_MS = 2000;

/**
 * Readiness: the Kubernetes API answered GET /version at least once. After
 * that the service stays ready: a later outage shows up per request as
 * K8S_UNAVAILABLE, and failing readiness then would only take every replica
 * out at once. Concurrent probes share one request.
 */
export function kubeReadiness(kc: KubeConfig, log: Logger): () => Promise<boolean> {
  const api = kc.makeApiClient(VersionApi);
  let ready = false;
  let inFlight: Promise<boolean> | undefined;
  let lastLogged: boolean | undefined;
  const probe = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_PROBE_TIMEOUT_MS}ms`)), READINESS_PROBE_TIMEOUT_MS);
      });
      const v = await Promise.race([api.getCode(), timeout]);
      ready = true;
      log.event('KUBE_API_REACHABLE', { version: v.gitVersion });
    } catch (e) {
      if (lastLogged !== false) log.event('KUBE_API_UNREACHABLE', { reason: reasonOf(e) });
      lastLogged = false;
    } finally {
      clearTimeout(timer);
    }
    return ready;
  };
  return () => {
    if (ready) return Promise.resolve(true);
    inFlight ??= probe().finally(() => (inFlight = undefined));
    return inFlight;
  };
}

function reasonOf(e: unknown): string {
  const err = e as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (typeof err?.code === 'number') return `HTTP ${err.code}`;
  if (typeof err?.cause?.code === 'string') return err.cause.code;
  return typeof err?.message === 'string' ? err.message.slice(0, 200) : 'error';
}
