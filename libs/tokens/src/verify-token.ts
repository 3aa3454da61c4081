import { createPublicKey, verify } from 'node:crypto';
import type { EcPublicJwk } from './jwk';
import { parseJws } from './parse-jws';
import { asTokenClaims, type TokenClaims } from './token-claims';
import { TokenInvalidError } from './token-invalid-error';

/** Clock skew tolerated on exp and nbf, in seconds. */
export const DEFAULT_LEEWAY_SECONDS = 30;

export interface VerifyOptions {
  /** The published key for a kid, or undefined when it is unknown or no longer published. */
  keyFor(kid: string): EcPublicJwk | undefined;
  /** Unix milliseconds. */
  readonly now: number;
  readonly leewaySeconds?: number;
  /** When set, `iss` must equal it. */
  readonly issuer?: string;
  /** When set, `aud` must equal it. */
  readonly audience?: string;
}

/**
 * Verifies a compact or flattened token: size, header (ES256 only), known
 * kid, signature, claim shapes, issuer, audience and times. Revocation is
 * the caller's second step. Throws TokenInvalidError with a reason.
 */
export function verifyToken(text: string, opts: VerifyOptions): TokenClaims {
  const jws = parseJws(text);
  const jwk = opts.keyFor(jws.header.kid);
  if (!jwk) throw new TokenInvalidError('unknown_kid', `kid "${jws.header.kid.slice(0, 64)}" is not published`);
  const key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(jws.signingInput, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
  if (!ok) throw new TokenInvalidError('bad_signature', 'signature does not verify');
  const claims = asTokenClaims(jws.payload);
  if (typeof claims === 'string') throw new TokenInvalidError('bad_claims', `claim "${claims}" is missing or has the wrong type`);
  if (opts.issuer !== undefined && claims.iss !== opts.issuer) throw new TokenInvalidError('wrong_issuer', `iss: exp "${opts.issuer}", got "${claims.iss.slice(0, 200)}"`);
  if (opts.audience !== undefined && claims.aud !== opts.audience) throw new TokenInvalidError('wrong_audience', `aud: exp "${opts.audience}", got "${claims.aud.slice(0, 200)}"`);
  const nowS = Math.floor(opts.now / 1000);
  const leeway = opts.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  if (nowS >= claims.exp + leeway) throw new TokenInvalidError('expired', `exp ${claims.exp} is before now ${nowS}`);
  if (nowS + leeway < claims.nbf) throw new TokenInvalidError('not_yet_valid', `nbf ${claims.nbf} is after now ${nowS}`);
  return claims;
}
