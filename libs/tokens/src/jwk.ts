import { createHash } from 'node:crypto';
import { toBase64url } from './base64url';

/** A public P-256 key as a JWK (RFC 7517), as published in the JWKS. */
export interface EcPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/** A JWKS entry: the key plus the members verifiers use to select it. */
export interface PublishedJwk extends EcPublicJwk {
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

/** RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: EcPublicJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return toBase64url(createHash('sha256').update(canonical, 'utf8').digest());
}

/** Narrows untrusted JSON to a P-256 public JWK; private members are refused so they can never be published. */
export function asEcPublicJwk(value: unknown): EcPublicJwk {
  const v = value as Record<string, unknown>;
  if (!v || v['kty'] !== 'EC' || v['crv'] !== 'P-256' || typeof v['x'] !== 'string' || typeof v['y'] !== 'string' || 'd' in v) {
    throw new Error('expected a public P-256 JWK {kty:"EC",crv:"P-256",x,y}');
  }
  return { kty: 'EC', crv: 'P-256', x: v['x'], y: v['y'] };
}
