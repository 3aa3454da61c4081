/** Facts of a token that revocation can match. */
export interface RevocationQuery {
  readonly jti?: string;
  readonly hostId?: string;
  readonly podUid?: string;
  /** Issued-at of the token (or now, to ask whether new tokens may be issued), unix seconds. */
  readonly iat: number;
}

/**
 * Revocations, each kept until `untilUnix` (unix seconds), when every token it
 * concerns has expired. Host and pod revocations cover tokens with
 * `iat <= issuedBeforeUnix`. Redis down => DependencyUnavailableError.
 */
export interface RevocationStore {
  revokeJti(jti: string, untilUnix: number): Promise<void>;
  revokeHost(hostId: string, untilUnix: number, issuedBeforeUnix: number): Promise<void>;
  revokePod(podUid: string, untilUnix: number, issuedBeforeUnix: number): Promise<void>;
  isRevoked(q: RevocationQuery): Promise<boolean>;
}
