import { UnauthenticatedError } from '@podid/errors';
import { decodeSaTokenClaims, type PodDirectory, type SaTokenClaims, type TokenReviewer } from '@podid/kube';
import { checkTokenPod } from './domain/check-token-pod';

/** The verified facts of a service-account token. */
export interface ReviewedTokenFacts {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly podUid: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/**
 * Reviews a token (TokenReview or local JWKS), then checks that its pod is
 * alive with the same uid and that the token is young enough. The decoded
 * iat/exp are used only after the reviewer has confirmed the token.
 */
export async function reviewToken(
  deps: { reviewer: TokenReviewer; pods: PodDirectory; now: () => number },
  req: { token: string; audience: string; maxTokenAgeSeconds: number },
): Promise<ReviewedTokenFacts> {
  const claims = decodeSaTokenClaims(req.token);
  let reviewed;
  try {
    reviewed = await deps.reviewer.review(req.token, req.audience);
  } catch (err) {
    throw await podGoneOr(deps.pods, claims, err);
  }
  let pod = await deps.pods.getPod(reviewed.namespace, reviewed.podName);
  if (pod && pod.uid !== reviewed.podUid) pod = await deps.pods.getPod(reviewed.namespace, reviewed.podName, { fresh: true });
  checkTokenPod(reviewed, pod, { iat: claims.iat, nowSec: Math.floor(deps.now() / 1000), maxAgeSeconds: req.maxTokenAgeSeconds });
  return { namespace: reviewed.namespace, serviceAccount: reviewed.serviceAccount, podName: reviewed.podName, podUid: reviewed.podUid, expiresAt: claims.exp ?? 0 };
}

/**
 * The API server refuses a token whose bound pod is gone, without saying so
 * in a stable way. When an otherwise-invalid token names a pod that no
 * longer exists, report SA_TOKEN_POD_GONE. The unverified claims only pick
 * the refusal; the token stays refused either way.
 */
async function podGoneOr(pods: PodDirectory, claims: SaTokenClaims, err: unknown): Promise<unknown> {
  const k = claims.kubernetes;
  if (!(err instanceof UnauthenticatedError) || err.code !== 'SA_TOKEN_INVALID' || !k?.namespace || !k.pod?.name) return err;
  const pod = await pods.getPod(k.namespace, k.pod.name, { fresh: true }).catch(() => undefined);
  if (pod && pod.uid === k.pod.uid) return err;
  return new UnauthenticatedError('SA_TOKEN_POD_GONE', `pod ${k.namespace}/${k.pod.name} of the token no longer exists (uid ${k.pod.uid ?? '?'})`);
}
