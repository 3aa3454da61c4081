import { clusterKubeConfig, ClusterSet, clustersReady, readKubeClientCert, watchCredentialExpiry, type CredentialExpiryWatch, type KubeCredentialSource } from '@podid/kube';
import type { Logger } from '@podid/logging';
import type { ClusterDeclaration } from '@podid/policy-model';
import type { Registry } from 'prom-client';
import type { InjectCluster } from './cert-injector';
import { KubeContainerExec } from './kube-container-exec';
import { kubeReadiness } from './kube-readiness';

/** What cert-injector holds for one cluster: the exec client of that cluster's API server alone. */
export interface ClusterServices extends InjectCluster {
  readonly source: KubeCredentialSource;
  /** Whether the cluster's API has answered GET /version (probes it until it has). */
  readonly ready: () => Promise<boolean>;
  readonly expiry: CredentialExpiryWatch;
}

export interface ClusterServicesDeps {
  readonly log: Logger;
  readonly registry: Registry;
  readonly certWarnDays: number;
}

export function openClusterServices(decl: ClusterDeclaration, deps: ClusterServicesDeps): ClusterServices {
  const { kc, source } = clusterKubeConfig(decl);
  const ready = kubeReadiness(kc, deps.log.child({ cluster: decl.name }));
  void ready();
  const expiry = watchCredentialExpiry({ read: () => readKubeClientCert(kc), log: deps.log, warnDays: deps.certWarnDays, registry: deps.registry, cluster: decl.name });
  return { exec: new KubeContainerExec(kc), source, ready, expiry };
}

export function closeClusterServices(s: ClusterServices): void {
  s.expiry.stop();
}

/**
 * The clusters cert-injector serves, kept in step with the clusters file. Without a file, the one cluster `default`
 * must open, as before clusters existed: a bad KUBECONFIG stops the start.
 */
export async function startClusterServices(opts: {
  file?: string;
  fallback: ClusterDeclaration;
  defaultTrustDomain: string;
  pollMs: number;
  syncGraceMs: number;
  deps: ClusterServicesDeps;
}): Promise<{ clusters: ClusterSet<ClusterServices>; ready: () => Promise<boolean>; readyFields: Record<string, unknown> }> {
  const clusters = new ClusterSet<ClusterServices>({
    file: opts.file,
    fallback: opts.fallback,
    defaultTrustDomain: opts.defaultTrustDomain,
    pollMs: opts.pollMs,
    log: opts.deps.log,
    open: (decl) => openClusterServices(decl, opts.deps),
    close: closeClusterServices,
  });
  const startedAt = Date.now();
  await clusters.start();
  const only = clusters.lookup(undefined);
  if (!opts.file && !only.ok) {
    await clusters.stop();
    throw new Error(only.reason);
  }
  const ready = async () => {
    const open = clusters.list().flatMap((c) => (c.value ? [c.value] : []));
    return clustersReady(await Promise.all(open.map((c) => c.ready())), Date.now() - startedAt, opts.syncGraceMs);
  };
  const readyFields = opts.file ? { clusters_file: opts.file, clusters: clusters.list().map((c) => c.decl.name) } : { kube_credentials: only.ok ? only.value.source : undefined };
  return { clusters, ready, readyFields };
}
