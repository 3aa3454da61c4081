import { randomBytes } from 'node:crypto';
import { toBase64url } from './base64url';
import { encodeJsonSegment } from './go-safe-json';
import type { Signer } from './signer';
import type { K8sClaims, TokenClaims, TokenHeader } from './token-claims';
import { verifyToken } from './verify-token';

/** Longest lifetime any token may have: Conjur's clamp (5 h). */
export const MAX_TOKEN_TTL_SECONDS = 5 * 3600;

export interface SignTokenInput {
  readonly signer: Signer;
  readonly issuer: string;
  readonly audience: string;
  /** Host id without `host/`. */
  readonly hostId: string;
  readonly k8s: K8sClaims;
  readonly ttlSeconds: number;
  /** Unix milliseconds. */
  readonly now: number;
  /** Source of the jti's 128 random bits; injectable for tests. */
  readonly random?: (n: number) => Uint8Array;
}

/** A signed token in both serialisations. */
export interface IssuedToken {
  /** Flattened JSON JWS, the body Conjur clients store. */
  readonly flattened: string;
  readonly compact: string;
  readonly claims: TokenClaims;
}

/** Signs an access token, then verifies what it signed before returning it. */
export async function signToken(input: SignTokenInput): Promise<IssuedToken> {
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 1 || input.ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`ttlSeconds: exp 1..${MAX_TOKEN_TTL_SECONDS}, got ${input.ttlSeconds}`);
  }
  const iat = Math.floor(input.now / 1000);
  const claims: TokenClaims = {
    iss: input.issuer,
    sub: `host/${input.hostId}`,
    aud: input.audience,
    iat,
    nbf: iat,
    exp: iat + input.ttlSeconds,
    jti: toBase64url((input.random ?? randomBytes)(16)),
    k8s: { ...input.k8s },
  };
  const header: TokenHeader = { alg: 'ES256', typ: 'JWT', kid: input.signer.kid };
  const p = encodeJsonSegment(header);
  const payload = encodeJsonSegment(claims);
  const signature = toBase64url(await input.signer.sign(Buffer.from(`${p}.${payload}`, 'ascii')));
  const compact = `${p}.${payload}.${signature}`;
  const key = input.signer.publicJwk;
  verifyToken(compact, { keyFor: (kid) => (kid === input.signer.kid ? key : undefined), now: input.now, issuer: input.issuer, audience: input.audience });
  return { flattened: JSON.stringify({ protected: p, payload, signature }), compact, claims };
}
