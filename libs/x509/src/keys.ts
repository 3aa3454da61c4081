import { createPrivateKey, createPublicKey, KeyObject, type webcrypto } from 'node:crypto';
import { subtle } from './provider';

type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
type EcKeyImportParams = webcrypto.EcKeyImportParams;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;

/** Key types podid signs with and accepts in CSRs. */
export type KeyAlgorithm = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ed25519';

export interface WebKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export function webAlgorithm(alg: KeyAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams | { name: 'Ed25519' } {
  switch (alg) {
    case 'ec-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ec-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: Number(alg.slice(4)) };
  }
}

/** The signature algorithm that goes with a key: ECDSA hashes by curve size, RSA uses SHA-256. */
export function signingAlgorithm(alg: KeyAlgorithm): Algorithm & { hash?: string } {
  switch (alg) {
    case 'ec-p256':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'ec-p384':
      return { name: 'ECDSA', hash: 'SHA-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

export async function generateKeyPair(alg: KeyAlgorithm): Promise<WebKeyPair> {
  return (await subtle.generateKey(webAlgorithm(alg) as EcKeyGenParams, true, ['sign', 'verify'])) as WebKeyPair;
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Loads a PKCS#8 (or SEC1/PKCS#1) PEM private key and tells which algorithm it is. */
export async function importPrivateKeyPem(pem: string): Promise<{ pair: WebKeyPair; algorithm: KeyAlgorithm }> {
  const keyObject = createPrivateKey(pem);
  const algorithm = keyAlgorithmOf(keyObject);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const params = webAlgorithm(algorithm);
  const privateKey = await subtle.importKey('pkcs8', der, params as EcKeyImportParams, true, ['sign']);
  const spki = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const publicKey = await subtle.importKey('spki', spki, params as EcKeyImportParams, true, ['verify']);
  return { pair: { privateKey, publicKey }, algorithm };
}

/** Names the algorithm of a Node key, or throws for one podid does not support. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && d.namedCurve === 'prime256v1') return 'ec-p256';
  if (key.asymmetricKeyType === 'ec' && d.namedCurve === 'secp384r1') return 'ec-p384';
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'rsa' && (d.modulusLength === 2048 || d.modulusLength === 3072 || d.modulusLength === 4096)) {
    return `rsa-${d.modulusLength}` as KeyAlgorithm;
  }
  throw new Error(`unsupported key: ${key.asymmetricKeyType} ${d.namedCurve ?? d.modulusLength ?? ''}`.trim());
}

export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
