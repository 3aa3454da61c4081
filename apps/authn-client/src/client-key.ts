import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import { exportPrivateKeyPem, generateKeyPair, signingAlgorithm, x509, type WebKeyPair } from '@podid/x509';
import type { ClientKeyType } from './config';

/**
 * The process's one key pair. It lives in memory only: it is never written
 * to disk, and a restarted process makes a new one (so a left-over
 * certificate can never match it).
 */
export interface ClientKey {
  readonly type: ClientKeyType;
  /** PEM of the private key, in memory, for Node's TLS options only. */
  readonly privateKeyPem: string;
  /** Builds a CSR: subject CN only, one URI SAN. */
  createCsr(commonName: string, spiffeId: string): Promise<string>;
  /** True when the certificate carries this key's public key. */
  matches(cert: X509Certificate): boolean;
}

/** spiffe://cluster.local/namespace/<ns>/podname/<pod>, the SAN the Conjur client sends. */
export function podSpiffeId(namespace: string, pod: string): string {
  return `spiffe://cluster.local/namespace/${namespace}/podname/${pod}`;
}

/** Generates the key: ECDSA P-256 by default, RSA-4096 for strict Conjur-server compatibility. */
export async function generateClientKey(type: ClientKeyType): Promise<ClientKey> {
  const pair: WebKeyPair = await generateKeyPair(type);
  const privateKeyPem = await exportPrivateKeyPem(pair.privateKey);
  const privateKey = KeyObject.from(pair.privateKey);
  return {
    type,
    privateKeyPem,
    async createCsr(commonName, spiffeId) {
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: [{ CN: [commonName] }],
        keys: pair,
        signingAlgorithm: signingAlgorithm(type),
        extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }])],
      });
      return csr.toString('pem');
    },
    matches: (cert) => cert.checkPrivateKey(privateKey),
  };
}

/** sha256 of a certificate's DER, as hex: what the logs show instead of the PEM. */
export function certFingerprint(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex').slice(0, 16);
}
