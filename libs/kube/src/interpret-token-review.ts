import { UnauthenticatedError } from '@podid/errors';
import type { SaTokenClaims } from './jwt-claims';
import type { ReviewedToken } from './token-reviewer';

/** The status of a TokenReview, as the API server answers it. */
export interface TokenReviewStatusLike {
  authenticated?: boolean;
  error?: string;
  audiences?: string[];
  user?: { username?: string; extra?: Record<string, string[]> };
}

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';

/**
 * Why a token was refused, chosen from its unverified claims. They only pick
 * the refusal code and message; they never make a token acceptable.
 */
export function refusalOf(claims: SaTokenClaims, audience: string, nowSec: number, detail: string): UnauthenticatedError {
  if (claims.exp !== undefined && claims.exp <= nowSec) {
    return new UnauthenticatedError('SA_TOKEN_EXPIRED', `service-account token expired: exp=${claims.exp} now=${nowSec}`);
  }
  if (!claims.aud.includes(audience)) {
    return new UnauthenticatedError('SA_TOKEN_AUDIENCE', `service-account token audience mismatch: exp="${audience}" got=${JSON.stringify(claims.aud)}`);
  }
  return new UnauthenticatedError('SA_TOKEN_INVALID', `service-account token is not valid: ${detail.slice(0, 200)}`);
}

/** Binds confirmed facts to a pod: the user is a service account and the token names its pod. */
export function podBound(username: string | undefined, podName: string | undefined, podUid: string | undefined, audiences: readonly string[]): ReviewedToken {
  const m = SA_USER.exec(username ?? '');
  if (!m) throw new UnauthenticatedError('SA_TOKEN_NOT_POD_BOUND', `token user is not a service account: exp="system:serviceaccount:<ns>:<sa>" got="${username ?? ''}"`);
  if (!podName || !podUid) {
    throw new UnauthenticatedError('SA_TOKEN_NOT_POD_BOUND', `token of ${m[1]}/${m[2]} is not bound to a pod (no pod name and uid)`);
  }
  return { namespace: m[1]!, serviceAccount: m[2]!, podName, podUid, audiences };
}

/**
 * Reads a TokenReview answer: authenticated, for our audience, and bound to
 * a pod. Throws UnauthenticatedError with the SA_TOKEN_* code otherwise.
 */
export function interpretTokenReview(status: TokenReviewStatusLike | undefined, claims: SaTokenClaims, audience: string, nowSec: number): ReviewedToken {
  if (!status?.authenticated) throw refusalOf(claims, audience, nowSec, status?.error ?? 'TokenReview did not authenticate it');
  const audiences = status.audiences ?? [];
  if (!audiences.includes(audience)) {
    throw new UnauthenticatedError('SA_TOKEN_AUDIENCE', `TokenReview audiences mismatch: exp="${audience}" got=${JSON.stringify(audiences)}`);
  }
  const extra = status.user?.extra ?? {};
  return podBound(status.user?.username, extra[POD_NAME_EXTRA]?.[0], extra[POD_UID_EXTRA]?.[0], audiences);
}
