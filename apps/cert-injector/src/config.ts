import { clustersFileField, clustersPollMsField, type ConfigOf, duration, int, loadConfigOrExit, optionalStr, trustDomainField } from '@podid/config';
import { certWarnDaysField, clusterSyncGraceMsField } from '@podid/kube';
import { DEFAULT_CLUSTER, type ClusterDeclaration } from '@podid/policy-model';
import { serviceFields } from '@podid/runtime';

/** Env vars of cert-injector (on top of serviceFields). */
export const configSchema = {
  ...serviceFields,
  /** Unset: the pod's in-cluster service account. Only without a clusters file (cluster `default`). */
  kubeconfig: optionalStr({ env: 'KUBECONFIG' }),
  /** The clusters served (docs/clusters.md); unset = one cluster `default` from KUBECONFIG. */
  clustersFile: clustersFileField,
  clustersPollMs: clustersPollMsField,
  /** After this long, one reachable cluster is enough to be ready. */
  clusterSyncGraceMs: clusterSyncGraceMsField,
  /** Warn (K8S_CLIENT_CERT_EXPIRING) when the Kubernetes client certificate has fewer days left; 0 = only on expiry. */
  certWarnDays: certWarnDaysField,
  /** Execs running at once against the API server. */
  execConcurrency: int({ env: 'PODID_EXEC_CONCURRENCY', default: 8, min: 1, max: 256 }),
  /**
   * Requests allowed to wait for a slot; more are refused with RESOURCE_EXHAUSTED. Sized for a rollout
   * (every pod of a Deployment asks at once); each wait is bounded by its caller's deadline, not by this.
   */
  execQueue: int({ env: 'PODID_EXEC_QUEUE', default: 1024, min: 0, max: 10_000 }),
  /** Budget of one injection's exec, retries included (Conjur uses 5 s). */
  execTimeoutMs: duration({ env: 'PODID_EXEC_TIMEOUT', default: 5000, min: 100, max: 60_000, minText: '100ms', maxText: '60s' }),
  /** The leaf's SPIFFE id must be in this trust domain (a cluster's own `trustDomain` overrides it), as the gateway and ca-signer check it. */
  trustDomain: trustDomainField,
};

export type Config = ConfigOf<typeof configSchema>;

/** The config from env; a bad variable prints one stderr line and exits 78. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOrExit('cert-injector', configSchema, env);
}

/** The cluster of a cert-injector without a clusters file: KUBECONFIG, else the in-cluster service account. */
export function defaultClusterDeclaration(cfg: Pick<Config, 'kubeconfig' | 'trustDomain'>): ClusterDeclaration {
  return { name: DEFAULT_CLUSTER, trustDomain: cfg.trustDomain, credentials: cfg.kubeconfig ? { kind: 'kubeconfig', kubeconfig: cfg.kubeconfig } : { kind: 'in-cluster' } };
}
