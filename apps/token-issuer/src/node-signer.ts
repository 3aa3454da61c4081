import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { asEcPublicJwk, jwkThumbprint, type EcPublicJwk, type Signer } from '@podid/tokens';

/** A fresh P-256 key: its kid, public JWK and PKCS#8 PEM (the PEM goes only to the key store). */
export function generateSigningKey(): { kid: string; publicJwk: EcPublicJwk; privatePem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = asEcPublicJwk(publicKey.export({ format: 'jwk' }));
  return { kid: jwkThumbprint(publicJwk), publicJwk, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** An ES256 Signer over a PKCS#8 PEM; checks that the PEM matches the published key. */
export function nodeSigner(privatePem: string, expectedKid: string): Signer {
  const key: KeyObject = createPrivateKey(privatePem);
  const publicJwk = asEcPublicJwk(createPublicKey(key).export({ format: 'jwk' }));
  const kid = jwkThumbprint(publicJwk);
  if (kid !== expectedKid) throw new Error(`stored private key does not match kid: exp ${expectedKid}, got ${kid}`);
  return { kid, publicJwk, sign: async (data) => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) };
}
