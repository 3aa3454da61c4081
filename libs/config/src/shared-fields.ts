import { DEFAULT_TRUST_DOMAIN } from '@podid/spiffe';
import { int, optionalStr, str } from './fields';

/**
 * Facts the whole suite shares, defined once so every service that reads
 * them agrees on name, default and syntax (docs/configuration.md).
 */

/** PODID_TRUST_DOMAIN: the SPIFFE trust domain of pod ids; every service that checks a pod id reads it. */
export const trustDomainField = str({ env: 'PODID_TRUST_DOMAIN', default: DEFAULT_TRUST_DOMAIN, pattern: /^[a-z0-9._-]{1,255}$/ });

/** PODID_REDIS_PREFIX: key prefix of every Redis store; services sharing a Redis must agree on it. */
export const redisPrefixField = str({ env: 'PODID_REDIS_PREFIX', default: 'podid:', pattern: /^[A-Za-z0-9:._-]{1,64}$/ });

/** PODID_CLUSTERS_FILE: the clusters file (docs/clusters.md), read by policy, pod-verifier and cert-injector; unset = one cluster `default`. */
export const clustersFileField = optionalStr({ env: 'PODID_CLUSTERS_FILE' });

/** PODID_CLUSTERS_POLL_MS: how often the clusters file (and the credential files it names) is read again. */
export const clustersPollMsField = int({ env: 'PODID_CLUSTERS_POLL_MS', default: 5000, min: 100, max: 600_000 });
