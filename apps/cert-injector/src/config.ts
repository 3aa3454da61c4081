import { duration, int, optionalStr, trustDomainField } from '@podid/config';
import { serviceFields } from '@podid/runtime';

/** Env vars of cert-injector (on top of serviceFields). */
export const certInjectorFields = {
  ...serviceFields,
  /** Unset: the pod's in-cluster service account. */
  kubeconfig: optionalStr({ env: 'KUBECONFIG' }),
  /** Execs running at once against the API server. */
  execConcurrency: int({ env: 'PODID_EXEC_CONCURRENCY', default: 8, min: 1, max: 256 }),
  /** Requests allowed to wait for a slot; more are refused with RESOURCE_EXHAUSTED. */
  execQueue: int({ env: 'PODID_EXEC_QUEUE', default: 64, min: 0, max: 10_000 }),
  /** Budget of one injection's exec, retries included (Conjur uses 5 s). */
  execTimeoutMs: duration({ env: 'PODID_EXEC_TIMEOUT', default: 5000, min: 100, max: 60_000, minText: '100ms', maxText: '60s' }),
  /** The leaf's SPIFFE id must be in this trust domain, as the gateway and ca-signer check it. */
  trustDomain: trustDomainField,
};
