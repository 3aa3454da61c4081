import { DependencyUnavailableError } from '@podid/errors';

/** HTTP status of a failed client-node call (ApiException.code, or statusCode from a watch), if any. */
export function kubeStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/**
 * Maps a failed API call to a typed error. 403 names the verb and resource so
 * that operators see the RBAC gap; anything else means the API server cannot
 * answer. The client's own message is not kept: it embeds response headers.
 */
export function toKubeError(err: unknown, verb: string, resource: string, namespace?: string): DependencyUnavailableError {
  const status = kubeStatusOf(err);
  const where = namespace ? ` in namespace "${namespace}"` : '';
  if (status === 403) {
    return new DependencyUnavailableError('K8S_FORBIDDEN', `Kubernetes API refused "${verb} ${resource}"${where} (403): grant it to pod-verifier`);
  }
  if (status === 401) return new DependencyUnavailableError('K8S_UNAVAILABLE', `Kubernetes API rejected our credentials (401) on "${verb} ${resource}"`);
  const why = status !== undefined ? `HTTP ${status}` : causeOf(err);
  return new DependencyUnavailableError('K8S_UNAVAILABLE', `Kubernetes API unreachable on "${verb} ${resource}"${where}: ${why}`);
}

function causeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; type?: unknown; name?: unknown };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return code ?? (typeof e?.name === 'string' ? e.name : 'network error');
}
