import { InvalidArgumentError, PermissionDeniedError } from '@podid/errors';
import type { Logger } from '@podid/logging';
import type { LivePod, RevocationStore } from '@podid/redis-stores';
import { DEFAULT_LEEWAY_SECONDS, MAX_TOKEN_TTL_SECONDS, signToken, TokenInvalidError, verifyToken, type IssuedToken, type K8sClaims, type TokenClaims } from '@podid/tokens';
import type { KeyManager } from './key-manager';

/** Longest a host or pod revocation may be asked to last: bounds what callers can pin in Redis. */
export const MAX_REVOCATION_SECONDS = 30 * 86_400;

export interface TokenServiceOptions {
  keys: KeyManager;
  revocations: RevocationStore;
  /** Which pods hold unexpired tokens, for pod-verifier's reconcile. */
  livePods: { record(cluster: string, namespace: string, podUid: string, expiresAt: number): Promise<void>; list(nowUnix: number, cluster: string): Promise<LivePod[]> };
  issuer: string;
  audience: string;
  maxTtlSeconds: number;
  log: Logger;
  now?: () => number;
}

export type RevokeTarget = { kind: 'token'; token: string } | { kind: 'jti'; jti: string } | { kind: 'host'; hostId: string } | { kind: 'pod'; podUid: string };

/**
 * Issue, introspect and revoke, in domain words. Revocation fails closed:
 * a Redis error propagates as DependencyUnavailableError (UNAVAILABLE).
 */
export class TokenService {
  private readonly now: () => number;

  constructor(private readonly opts: TokenServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  async issue(req: { hostId: string; k8s: K8sClaims; ttlSeconds: number; audience?: string }): Promise<IssuedToken> {
    const nowMs = this.now();
    const iat = Math.floor(nowMs / 1000);
    // Like Conjur, a TTL above the configured cap is clamped rather than refused.
    const ttlSeconds = Math.min(req.ttlSeconds, this.opts.maxTtlSeconds);
    // The live-pod record goes with the revocation check (one round trip of latency), before any token exists:
    // a token pod-verifier cannot reconcile must not exist, and a record for a refused pod is harmless.
    const [revoked] = await Promise.all([
      this.opts.revocations.isRevoked({ hostId: req.hostId, podUid: req.k8s.pod_uid, iat }),
      this.opts.livePods.record(req.k8s.cluster, req.k8s.namespace, req.k8s.pod_uid, iat + ttlSeconds),
    ]);
    if (revoked) {
      this.opts.log.event('TOKEN_ISSUE_REVOKED', { host_id: req.hostId, pod_uid: req.k8s.pod_uid });
      throw new PermissionDeniedError('REVOKED', `host "${req.hostId}" or pod uid "${req.k8s.pod_uid}" is revoked`);
    }
    const signer = this.opts.keys.signer();
    const token = await signToken({ signer, issuer: this.opts.issuer, audience: req.audience || this.opts.audience, hostId: req.hostId, k8s: req.k8s, ttlSeconds, now: nowMs });
    this.opts.log.event('TOKEN_ISSUED', { host_id: req.hostId, pod_uid: req.k8s.pod_uid, cluster: req.k8s.cluster, jti: token.claims.jti, kid: signer.kid, exp: token.claims.exp });
    return token;
  }

  /**
   * The claims of an active token, or the reason it is inactive. With
   * `requireIssuerAudience`, a token for another audience is inactive.
   */
  async introspect(token: string, opts: { requireIssuerAudience?: boolean } = {}): Promise<{ active: true; claims: TokenClaims } | { active: false; reason: string }> {
    let claims: TokenClaims;
    try {
      claims = this.verify(token);
    } catch (e) {
      if (!(e instanceof TokenInvalidError)) throw e;
      this.opts.log.event('TOKEN_INTROSPECT_INACTIVE', { reason: e.reason });
      return { active: false, reason: e.reason };
    }
    if (opts.requireIssuerAudience && claims.aud !== this.opts.audience) {
      this.opts.log.event('TOKEN_INTROSPECT_INACTIVE', { reason: 'audience', jti: claims.jti });
      return { active: false, reason: 'audience' };
    }
    if (await this.opts.revocations.isRevoked({ jti: claims.jti, hostId: claims.sub.slice('host/'.length), podUid: claims.k8s.pod_uid, iat: claims.iat })) {
      this.opts.log.event('TOKEN_INTROSPECT_INACTIVE', { reason: 'revoked', jti: claims.jti });
      return { active: false, reason: 'revoked' };
    }
    return { active: true, claims };
  }

  /**
   * Stores a revocation. A token's is forgotten when it expires; a jti's after
   * the longest token lifetime, whatever `expiresAt` says, so it cannot lapse
   * before the token it names. A host
   * or pod revocation covers every token issued until `expiresAt` (default
   * now + max TTL), so Issue refuses the target until then too.
   */
  async revoke(target: RevokeTarget, expiresAt: number | undefined): Promise<{ until: number }> {
    const nowS = Math.floor(this.now() / 1000);
    const leeway = DEFAULT_LEEWAY_SECONDS;
    let until: number;
    if (target.kind === 'token' || target.kind === 'jti') {
      let jti: string;
      if (target.kind === 'token') {
        const claims = this.verifyForRevoke(target.token);
        // An expired token needs no revocation (RFC 7009: still a success).
        if (!claims) return { until: nowS };
        [jti, until] = [claims.jti, claims.exp + leeway];
      } else {
        // Any token bearing this jti expires by then; the caller's word on its exp is not trusted.
        [jti, until] = [target.jti, nowS + MAX_TOKEN_TTL_SECONDS + leeway];
      }
      await this.opts.revocations.revokeJti(jti, until);
    } else {
      const end = expiresAt || nowS + this.opts.maxTtlSeconds;
      if (end > nowS + MAX_REVOCATION_SECONDS) throw new InvalidArgumentError('BAD_REQUEST', `expires_at must be within ${MAX_REVOCATION_SECONDS}s of now, got ${end - nowS}s`);
      // Tokens issued up to now expire by now + max TTL; none are issued after now until `end`.
      until = Math.max(end, nowS + this.opts.maxTtlSeconds) + leeway;
      if (target.kind === 'host') await this.opts.revocations.revokeHost(target.hostId, until, Math.max(end, nowS));
      else await this.opts.revocations.revokePod(target.podUid, until, Math.max(end, nowS));
    }
    this.opts.log.event('TOKEN_REVOKED', { target: target.kind, until });
    return { until };
  }

  /** Pods of `cluster` with unexpired tokens (pod-verifier revokes those it no longer sees); '' lists records from before clusters. */
  async livePods(cluster: string): Promise<LivePod[]> {
    return this.opts.livePods.list(Math.floor(this.now() / 1000), cluster);
  }

  private verify(token: string): TokenClaims {
    return verifyToken(token, { keyFor: (kid) => this.opts.keys.keyFor(kid), now: this.now(), issuer: this.opts.issuer });
  }

  private verifyForRevoke(token: string): TokenClaims | undefined {
    try {
      return this.verify(token);
    } catch (e) {
      if (e instanceof TokenInvalidError && e.reason === 'expired') return undefined;
      if (e instanceof TokenInvalidError) throw new InvalidArgumentError('TOKEN_INVALID', `cannot revoke: ${e.message}`);
      throw e;
    }
  }
}
