import { address, clustersFileField, clustersPollMsField, type ConfigOf, type Field, list, loadConfigOrExit, optionalStr, trustDomainField, url } from '@podid/config';
import { certWarnDaysField, clusterSyncGraceMsField } from '@podid/kube';
import { DEFAULT_CLUSTER, type ClusterDeclaration } from '@podid/policy-model';
import { serviceFields } from '@podid/runtime';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A field that may be unset; when set, it must parse. */
function optional<T>(f: Field<T>): Field<T | undefined> {
  return { env: f.env, secret: f.secret, parse: (raw) => (raw === undefined || raw === '' ? { ok: true, value: undefined } : f.parse(raw)) };
}

/** Env vars of pod-verifier. */
export const configSchema = {
  ...serviceFields,
  /** Path of a kubeconfig; unset = the in-cluster service account. Only without a clusters file (cluster `default`). */
  kubeconfig: optionalStr({ env: 'KUBECONFIG' }),
  /** The clusters served (docs/clusters.md); unset = one cluster `default` from KUBECONFIG. */
  clustersFile: clustersFileField,
  clustersPollMs: clustersPollMsField,
  /** After this long, one synced cluster is enough to be ready. */
  clusterSyncGraceMs: clusterSyncGraceMsField,
  /** The trust domain of clusters that declare none (the clusters file validates it). */
  trustDomain: trustDomainField,
  /** When set, the tokens of deleted pods are revoked there. */
  tokenIssuerAddr: optional(address({ env: 'PODID_TOKEN_ISSUER_ADDR' })),
  /** When set, ReviewToken verifies locally against this issuer's JWKS instead of TokenReview. */
  saTokenIssuer: optional(url({ env: 'PODID_SA_TOKEN_ISSUER', protocols: ['https'] })),
  /** Warn (K8S_CLIENT_CERT_EXPIRING) when the Kubernetes client certificate has fewer days left; 0 = only on expiry. */
  certWarnDays: certWarnDaysField,
  /** Watch only these namespaces; empty = all. */
  watchNamespaces: list({ env: 'PODID_WATCH_NAMESPACES', default: [], item: (s) => DNS_LABEL.test(s), itemText: 'namespace names' }),
};

export type Config = ConfigOf<typeof configSchema>;

/** The config from env; a bad variable prints one stderr line and exits 78. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOrExit('pod-verifier', configSchema, env);
}

/** The cluster of a pod-verifier without a clusters file: KUBECONFIG, else the in-cluster service account. */
export function defaultClusterDeclaration(cfg: Pick<Config, 'kubeconfig' | 'trustDomain'>): ClusterDeclaration {
  return { name: DEFAULT_CLUSTER, trustDomain: cfg.trustDomain, credentials: cfg.kubeconfig ? { kind: 'kubeconfig', kubeconfig: cfg.kubeconfig } : { kind: 'in-cluster' } };
}

/**
 * Settings that cannot go together, refused at start. Local JWKS review checks one issuer, and each cluster has its
 * own: applying one to every cluster would accept, or refuse, tokens for the wrong cluster.
 */
export function refuseClusterConfigConflicts(cfg: Pick<Config, 'clustersFile' | 'saTokenIssuer'>): void {
  if (cfg.clustersFile && cfg.saTokenIssuer) {
    throw new Error('PODID_SA_TOKEN_ISSUER cannot be used with PODID_CLUSTERS_FILE: each cluster has its own service-account issuer; unset it (tokens are checked by TokenReview)');
  }
}
