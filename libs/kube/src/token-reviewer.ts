/** What a reviewer confirmed about a service-account token. */
export interface ReviewedToken {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly podUid: string;
  readonly audiences: readonly string[];
}

/**
 * Checks a service-account token: signature, expiry and audience. Throws
 * UnauthenticatedError (SA_TOKEN_INVALID, SA_TOKEN_EXPIRED, SA_TOKEN_AUDIENCE,
 * SA_TOKEN_NOT_POD_BOUND) for a bad token, DependencyUnavailableError when it
 * cannot check.
 */
export interface TokenReviewer {
  review(token: string, audience: string): Promise<ReviewedToken>;
}
