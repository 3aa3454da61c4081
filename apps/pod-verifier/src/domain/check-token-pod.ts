import { UnauthenticatedError } from '@podid/errors';
import type { PodFacts, ReviewedToken } from '@podid/kube';

/**
 * Checks what a reviewer confirmed against the live cluster and the age
 * limit: the token's pod must still exist with the same uid and not be
 * terminating, and `iat` must be within maxAgeSeconds (0 = no limit).
 */
export function checkTokenPod(
  token: ReviewedToken,
  pod: PodFacts | undefined,
  times: { iat?: number; nowSec: number; maxAgeSeconds: number },
): void {
  const who = `${token.namespace}/${token.podName}`;
  if (!pod) throw new UnauthenticatedError('SA_TOKEN_POD_GONE', `pod ${who} of the token no longer exists`);
  if (pod.uid !== token.podUid) throw new UnauthenticatedError('SA_TOKEN_POD_GONE', `pod ${who} was recreated: uid exp="${token.podUid}" got="${pod.uid}"`);
  if (pod.deletionTimestamp) throw new UnauthenticatedError('SA_TOKEN_POD_GONE', `pod ${who} is being deleted`);
  if (times.maxAgeSeconds > 0) {
    if (times.iat === undefined) throw new UnauthenticatedError('SA_TOKEN_TOO_OLD', `token has no iat; its age cannot be checked against ${times.maxAgeSeconds}s`);
    const age = times.nowSec - times.iat;
    if (age > times.maxAgeSeconds) throw new UnauthenticatedError('SA_TOKEN_TOO_OLD', `token too old: max=${times.maxAgeSeconds}s got=${age}s`);
  }
}
