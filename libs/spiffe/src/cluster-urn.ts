import { InvalidArgumentError } from '@podid/errors';
import { isDnsLabel } from './dns-names';
import type { ParseResult } from './pod-spiffe-id';

/** Prefix of the URI SAN that binds a leaf to the cluster its pod runs in (beside the pod uid SAN). */
export const CLUSTER_URN_PREFIX = 'urn:podid:cluster:';

/** True when `name` can be a cluster name: a DNS label, as the clusters file requires. */
export function isClusterName(name: string): boolean {
  return isDnsLabel(name);
}

/** `urn:podid:cluster:<name>`; throws InvalidArgumentError(CLUSTER_INVALID) unless name is a DNS label. */
export function formatClusterUrn(name: string): string {
  if (!isClusterName(name)) throw new InvalidArgumentError('CLUSTER_INVALID', `cluster: exp=DNS label got=${JSON.stringify(name.slice(0, 80))}`);
  return `${CLUSTER_URN_PREFIX}${name}`;
}

/** The cluster name in a `urn:podid:cluster:<name>` URI. */
export function parseClusterUrn(uri: string): ParseResult<string> {
  const name = uri.startsWith(CLUSTER_URN_PREFIX) ? uri.slice(CLUSTER_URN_PREFIX.length) : undefined;
  if (name === undefined || !isClusterName(name)) {
    return { ok: false, reason: `exp="${CLUSTER_URN_PREFIX}<dns-label>" got=${JSON.stringify(uri.slice(0, 120))}` };
  }
  return { ok: true, value: name };
}
