/** One way to get an access token: the authn-k8s certificate flow or the authn-jwt flow. */
export interface TokenSource {
  /** Returns a fresh token body, logging in first when the credential is missing or due for renewal. */
  fetchToken(signal: AbortSignal): Promise<Buffer>;
  /** When the source must renew its own credential (the client certificate), if ever. */
  renewalAt(): Date | undefined;
}
