import { signingAlgorithm, type KeyAlgorithm, type WebKeyPair } from './keys';
import { x509 } from './provider';

/** A SAN to put in a CSR; the Conjur client sends exactly one `url` (its SPIFFE id). */
export interface CsrSan {
  readonly type: 'url' | 'dns' | 'ip' | 'email';
  readonly value: string;
}

/**
 * Builds a PKCS#10 CSR PEM as the Conjur client does: subject CN only, SANs in
 * an extensionRequest. Used by authn-client and by tests.
 */
export async function createCsr(opts: { keys: WebKeyPair; algorithm: KeyAlgorithm; commonName: string; sans: readonly CsrSan[] }): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [opts.commonName] }],
    keys: opts.keys,
    signingAlgorithm: signingAlgorithm(opts.algorithm),
    extensions: opts.sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(opts.sans.map((s) => ({ type: s.type, value: s.value })))] : [],
  });
  return `${csr.toString('pem')}\n`;
}
