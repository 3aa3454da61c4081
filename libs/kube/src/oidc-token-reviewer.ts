import type { KubeConfig } from '@kubernetes/client-node';
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { DependencyUnavailableError, UnauthenticatedError } from '@podid/errors';
import type { Logger } from '@podid/logging';
import { apiServerGetJson } from './api-server-get-json';
import { kubeStatusOf, toKubeError } from './kube-error';
import { podBound, refusalOf } from './interpret-token-review';
import { decodeSaTokenClaims } from './jwt-claims';
import type { ReviewedToken, TokenReviewer } from './token-reviewer';

export interface OidcTokenReviewerOptions {
  kc: KubeConfig;
  /** Expected `iss`; discovery is read from the API server's /.well-known/openid-configuration and must name it. */
  issuer: string;
  log: Logger;
  now?: () => number;
  /** A token with an unknown kid triggers a refetch at most this often, so forged kids cannot flood the API server. */
  minRefreshMs?: number;
}

/** Algorithms the Kubernetes service-account signer uses. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256'];

/**
 * TokenReviewer that verifies tokens locally against the issuer's JWKS
 * (OIDC discovery), refreshed when a token names an unknown key.
 */
export class OidcTokenReviewer implements TokenReviewer {
  private keys: ReturnType<typeof createLocalJWKSet> | undefined;
  private lastFetch = 0;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: OidcTokenReviewerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async review(token: string, audience: string): Promise<ReviewedToken> {
    const claims = decodeSaTokenClaims(token);
    const nowSec = Math.floor(this.now() / 1000);
    if (!this.keys) await this.refresh();
    try {
      await this.verify(token, audience);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw this.refusal(err, claims, audience, nowSec);
      if (this.now() - this.lastFetch >= (this.opts.minRefreshMs ?? 10_000)) await this.refresh();
      try {
        await this.verify(token, audience);
      } catch (again) {
        throw this.refusal(again, claims, audience, nowSec);
      }
    }
    const k = claims.kubernetes;
    const bound = podBound(claims.sub, k?.pod?.name, k?.pod?.uid, claims.aud);
    if (k?.namespace !== bound.namespace || k?.serviceaccount?.name !== bound.serviceAccount) {
      throw new UnauthenticatedError('SA_TOKEN_NOT_POD_BOUND', `token claims disagree: sub="${claims.sub}" kubernetes.io=${k?.namespace}/${k?.serviceaccount?.name}`);
    }
    return bound;
  }

  /** Fetches discovery and the key set; concurrent callers share one fetch. */
  async refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async verify(token: string, audience: string): Promise<void> {
    await jwtVerify(token, this.keys!, {
      issuer: this.opts.issuer,
      audience,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp'],
      currentDate: new Date(this.now()),
    });
  }

  private refusal(err: unknown, claims: ReturnType<typeof decodeSaTokenClaims>, audience: string, nowSec: number): Error {
    if (err instanceof errors.JWTExpired) return new UnauthenticatedError('SA_TOKEN_EXPIRED', `service-account token expired: exp=${claims.exp} now=${nowSec}`);
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') return refusalOf({ ...claims, exp: undefined }, audience, nowSec, 'audience');
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss') {
      return new UnauthenticatedError('SA_TOKEN_INVALID', `service-account token issuer mismatch: exp="${this.opts.issuer}" got="${claims.iss ?? ''}"`);
    }
    if (err instanceof errors.JWKSNoMatchingKey) return new UnauthenticatedError('SA_TOKEN_INVALID', 'service-account token is signed by a key the issuer does not publish');
    if (err instanceof errors.JOSEError) return new UnauthenticatedError('SA_TOKEN_INVALID', `service-account token is not valid: ${err.code}`);
    return err instanceof Error ? err : new Error(String(err));
  }

  private async fetchKeys(): Promise<void> {
    // The API server serves discovery and keys itself; the issuer URL (e.g.
    // https://kubernetes.default.svc) need not resolve from here.
    let path = '/.well-known/openid-configuration';
    try {
      const discovery = (await apiServerGetJson(this.opts.kc, path)) as { issuer?: unknown; jwks_uri?: unknown };
      if (discovery.issuer !== this.opts.issuer) throw new Error(`discovery issuer mismatch: exp="${this.opts.issuer}" got="${String(discovery.issuer)}"`);
      path = typeof discovery.jwks_uri === 'string' ? new URL(discovery.jwks_uri).pathname : '/openid/v1/jwks';
      const jwks = (await apiServerGetJson(this.opts.kc, path)) as JSONWebKeySet;
      if (!Array.isArray(jwks?.keys)) throw new Error('JWKS has no keys array');
      this.keys = createLocalJWKSet(jwks);
      this.lastFetch = this.now();
      this.opts.log.event('SA_JWKS_REFRESHED', { issuer: this.opts.issuer, keys: jwks.keys.length, kids: jwks.keys.map((k) => k.kid) });
    } catch (err) {
      this.lastFetch = this.now();
      const status = kubeStatusOf(err);
      this.opts.log.event('SA_JWKS_FETCH_FAILED', { issuer: this.opts.issuer, path, status, err: (err as Error).message });
      if (this.keys) return;
      if (status === 403 || status === 401) throw toKubeError(err, 'get', path);
      throw new DependencyUnavailableError('K8S_UNAVAILABLE', `cannot fetch keys of issuer ${this.opts.issuer} (${path}): ${(err as Error).message}`);
    }
  }
}
