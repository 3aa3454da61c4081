import type { Authenticator } from '@podid/contracts';
import { FailedPreconditionError } from '@podid/errors';
import { isClusterName } from '@podid/spiffe';

/** Where an authenticator's pods live: the cluster every upstream call names, and that cluster's trust domain. */
export interface AuthenticatorScope {
  readonly cluster: string;
  readonly trustDomain: string;
}

/**
 * The cluster and trust domain policy gives the authenticator; the trust domain defaults to PODID_TRUST_DOMAIN
 * as policy's does. An authenticator without a cluster (a policy service older than clusters) leaves the pod's
 * cluster in doubt, so the login fails closed.
 */
export function scopeOf(authn: Pick<Authenticator, 'id' | 'cluster' | 'trustDomain'> | undefined, defaultTrustDomain: string): AuthenticatorScope {
  if (!authn || !isClusterName(authn.cluster)) {
    throw new FailedPreconditionError('POLICY_CLUSTER_MISSING', `authenticator ${JSON.stringify(authn?.id ?? '')}: exp=a cluster from policy got=${JSON.stringify((authn?.cluster ?? '').slice(0, 80))}`);
  }
  return { cluster: authn.cluster, trustDomain: authn.trustDomain || defaultTrustDomain };
}
