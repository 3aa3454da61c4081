import type { EcPublicJwk } from './jwk';

/**
 * Signs bytes with one ES256 key. The private key stays behind this
 * interface (Node crypto, a KMS, an HSM); the result is the 64-byte
 * IEEE P1363 `r || s` signature JWS uses.
 */
export interface Signer {
  readonly kid: string;
  readonly publicJwk: EcPublicJwk;
  sign(data: Uint8Array): Promise<Uint8Array>;
}
