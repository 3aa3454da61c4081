import { AuthorizationV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { kubeStatusOf } from './kube-error';
import type { KubeCredentialSource } from './load-kube-config';
import { readKubeClientCert } from './kube-client-cert';
import { requestTimeout } from './request-timeout';
import { describePermission, requiredPermissions, type RequiredPermission } from './required-permissions';

/** One permission and whether the API server grants it to us. */
export interface PermissionStatus extends RequiredPermission {
  allowed: boolean;
}

/** How this process reaches Kubernetes. */
export interface KubeStatus {
  reachable: boolean;
  /** Why it is unreachable or a check failed; undefined when all is well. */
  error?: string;
  /** Empty when the API server is unreachable. */
  permissions: PermissionStatus[];
  credentialSource: KubeCredentialSource;
  /** notAfter of the client certificate, when one is used. */
  clientCertNotAfter?: Date;
}

export interface KubeStatusProbeOptions {
  kc: KubeConfig;
  source: KubeCredentialSource;
  permissions?: readonly RequiredPermission[];
  /** Per request; a status check must answer quickly. */
  timeoutMs?: number;
  /** Permission results are reused this long, so status polling cannot flood the API server. */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Answers "can we reach Kubernetes, and may we do what we need?": GET
 * /version on every call, and one SelfSubjectAccessReview per required
 * permission, cached for `cacheMs` once every review has answered.
 */
export class KubeStatusProbe {
  private readonly version: VersionApi;
  private readonly authz: AuthorizationV1Api;
  private readonly wanted: readonly RequiredPermission[];
  private cached: { at: number; permissions: PermissionStatus[] } | undefined;
  private inflight: Promise<KubeStatus> | undefined;

  constructor(private readonly opts: KubeStatusProbeOptions) {
    this.version = opts.kc.makeApiClient(VersionApi);
    this.authz = opts.kc.makeApiClient(AuthorizationV1Api);
    this.wanted = opts.permissions ?? requiredPermissions();
  }

  /** Concurrent callers share one round of requests. */
  status(): Promise<KubeStatus> {
    this.inflight ??= this.probe().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async probe(): Promise<KubeStatus> {
    const now = (this.opts.now ?? Date.now)();
    const base = { credentialSource: this.opts.source, clientCertNotAfter: this.certNotAfter() };
    const timeout = requestTimeout(this.opts.timeoutMs ?? 3000);
    try {
      await this.version.getCode({}, timeout);
    } catch (err) {
      return { ...base, reachable: false, error: `GET /version failed: ${reasonOf(err)}`, permissions: [] };
    }
    if (this.cached && now - this.cached.at < (this.opts.cacheMs ?? 30_000)) return { ...base, reachable: true, permissions: this.cached.permissions };
    const failures: string[] = [];
    const permissions = await Promise.all(
      this.wanted.map(async (p): Promise<PermissionStatus> => {
        try {
          const res = await this.authz.createSelfSubjectAccessReview(
            { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { ...p } } } },
            timeout,
          );
          return { ...p, allowed: res.status?.allowed === true };
        } catch (err) {
          failures.push(`${describePermission(p)}: ${reasonOf(err)}`);
          return { ...p, allowed: false };
        }
      }),
    );
    if (failures.length) return { ...base, reachable: true, permissions, error: `SelfSubjectAccessReview failed for ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? ` and ${failures.length - 3} more` : ''}` };
    this.cached = { at: now, permissions };
    return { ...base, reachable: true, permissions };
  }

  private certNotAfter(): Date | undefined {
    try {
      return readKubeClientCert(this.opts.kc)?.notAfter;
    } catch {
      return undefined;
    }
  }
}

/** A short reason without the client's message, which can embed response headers. */
function reasonOf(err: unknown): string {
  const status = kubeStatusOf(err);
  if (status !== undefined) return `HTTP ${status}`;
  const e = err as { name?: unknown; code?: unknown; type?: unknown; cause?: { code?: unknown } };
  if (e?.name === 'AbortError' || e?.type === 'aborted') return 'timed out';
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return code ?? (typeof e?.name === 'string' ? e.name : 'network error');
}
