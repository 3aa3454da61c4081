import type { TlsMaterial } from '@podid/config';
import {
  clusterKubeConfig,
  createKubeApiTimer,
  InformerPodDirectory,
  KubeStatusProbe,
  KubeTokenReviewer,
  OidcTokenReviewer,
  readKubeClientCert,
  ClusterSet,
  clustersReady,
  watchCredentialExpiry,
  type CredentialExpiryWatch,
  type KubeCredentialSource,
  type TokenReviewer,
} from '@podid/kube';
import type { Logger } from '@podid/logging';
import type { ClusterDeclaration } from '@podid/policy-model';
import type { Registry } from 'prom-client';
import { revokeTokensOfGonePods } from './revoke-tokens-of-gone-pods';
import type { StatusSource } from './service';

/** What pod-verifier holds for one cluster: every request naming the cluster is served from these alone. */
export interface ClusterServices {
  readonly name: string;
  readonly source: KubeCredentialSource;
  readonly pods: InformerPodDirectory;
  readonly reviewer: TokenReviewer;
  readonly status: StatusSource;
  readonly expiry: CredentialExpiryWatch;
  readonly stopRevoking: () => void;
}

export interface ClusterServicesDeps {
  readonly log: Logger;
  readonly registry: Registry;
  readonly tls: TlsMaterial;
  readonly watchNamespaces: readonly string[];
  readonly certWarnDays: number;
  readonly saTokenIssuer?: string;
  readonly tokenIssuerAddr?: string;
}

/** Connects to one declared cluster and starts its informers (without waiting for them: readiness does). */
export function openClusterServices(decl: ClusterDeclaration, deps: ClusterServicesDeps): ClusterServices {
  const { kc, source } = clusterKubeConfig(decl);
  const name = decl.name;
  const log = deps.log.child({ cluster: name });
  const apiTimer = createKubeApiTimer(deps.registry, name);
  const pods = new InformerPodDirectory({ kc, log, namespaces: deps.watchNamespaces, apiTimer });
  pods.start();
  // Local JWKS review reads one issuer: PODID_SA_TOKEN_ISSUER is the issuer of the default cluster only.
  const reviewer = deps.saTokenIssuer ? new OidcTokenReviewer({ kc, issuer: deps.saTokenIssuer, log }) : new KubeTokenReviewer(kc, log, Date.now, apiTimer);
  const stopRevoking = deps.tokenIssuerAddr ? revokeTokensOfGonePods({ address: deps.tokenIssuerAddr, tls: deps.tls, pods, log, cluster: name }) : () => undefined;
  const probe = new KubeStatusProbe({ kc, source });
  const expiry = watchCredentialExpiry({ read: () => readKubeClientCert(kc), log: deps.log, warnDays: deps.certWarnDays, registry: deps.registry, cluster: name });
  return { name, source, pods, reviewer, status: { status: () => probe.status(), synced: () => pods.synced }, expiry, stopRevoking };
}

export async function closeClusterServices(s: ClusterServices): Promise<void> {
  s.expiry.stop();
  s.stopRevoking();
  await s.pods.stop();
}

/**
 * The clusters pod-verifier serves, opened (informers started) and kept in step with the clusters file. Without a
 * file, the one cluster `default` must open, as before clusters existed: a bad KUBECONFIG stops the start.
 */
export async function startClusterServices(opts: {
  file?: string;
  fallback: ClusterDeclaration;
  defaultTrustDomain: string;
  pollMs: number;
  syncGraceMs: number;
  deps: ClusterServicesDeps;
}): Promise<{ clusters: ClusterSet<ClusterServices>; ready: () => boolean; readyFields: Record<string, unknown> }> {
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
  const ready = () => clustersReady(clusters.list().flatMap((c) => (c.value ? [c.value.pods.synced] : [])), Date.now() - startedAt, opts.syncGraceMs);
  const readyFields = opts.file ? { clusters_file: opts.file, clusters: clusters.list().map((c) => c.decl.name) } : { kube_credentials: only.ok ? only.value.source : undefined };
  return { clusters, ready, readyFields };
}
