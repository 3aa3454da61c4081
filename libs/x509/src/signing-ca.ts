import { createPrivateKey, type KeyObject, X509Certificate, type webcrypto } from 'node:crypto';
import { derSha256 } from './der-sha256';
import { readCertificate } from './certificate-der';
import { FailedPreconditionError } from '@podid/errors';
import { importPrivateKeyPem, type KeyAlgorithm } from './keys';
import { x509 } from './provider';
import type { CertAndKey } from './service-pki';
import { leafSignatureAlgorithm, type LeafSignatureAlgorithm } from './tbs-builder';

/** A CA loaded and checked once, ready to sign many leaves. The key stays in memory only. */
export interface SigningCa {
  /** The CA certificate PEM (first certificate of the source), the trust bundle. */
  readonly certPem: string;
  readonly cert: x509.X509Certificate;
  readonly nodeCert: X509Certificate;
  readonly privateKey: webcrypto.CryptoKey;
  readonly algorithm: KeyAlgorithm;
  readonly notAfter: Date;
  /** sha256 hex of the CA certificate DER, for logs. */
  readonly fingerprint: string;
  /** The leaves' authorityKeyIdentifier, computed once (it costs ~15% of a signature). */
  readonly authorityKeyIdentifier: x509.AuthorityKeyIdentifierExtension;
  /** The same key as privateKey, for node's crypto.sign. */
  readonly signingKey: KeyObject;
  /** The CA public key, loaded once for the leaves' post-sign check. */
  readonly publicKey: KeyObject;
  /** The CA certificate's subject Name DER: every leaf's issuer, byte for byte. */
  readonly subjectDer: Buffer;
  readonly leafSignature: LeafSignatureAlgorithm;
  /** DER of the authorityKeyIdentifier Extension, as leaves carry it. */
  readonly authorityKeyIdentifierDer: Buffer;
}

/**
 * Checks and loads a CA from PEM. `source` names where it came from (a file
 * or Secret), and every refusal is FailedPreconditionError(CA_CORRUPT) naming it.
 */
export async function loadSigningCa(ca: CertAndKey, source: string): Promise<SigningCa> {
  const corrupt = (what: string) => new FailedPreconditionError('CA_CORRUPT', `${source}: ${what}`);
  const firstPem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(ca.certPem)?.[0];
  if (!firstPem) throw corrupt('certificate: exp=a CERTIFICATE PEM block got=none');
  let nodeCert: X509Certificate;
  let cert: x509.X509Certificate;
  try {
    nodeCert = new X509Certificate(firstPem);
    cert = new x509.X509Certificate(firstPem);
  } catch {
    throw corrupt('certificate: exp=a parseable X.509 certificate got=undecodable');
  }
  if (!nodeCert.ca) throw corrupt('certificate: exp=basicConstraints CA:TRUE got=not a CA');
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && !(ku.usages & x509.KeyUsageFlags.keyCertSign)) throw corrupt('certificate: exp=keyUsage keyCertSign got=without it');
  let loaded: Awaited<ReturnType<typeof importPrivateKeyPem>>;
  try {
    loaded = await importPrivateKeyPem(ca.keyPem);
  } catch {
    throw corrupt('key: exp=a PEM private key (EC P-256/P-384, RSA 2048..4096, Ed25519) got=unreadable or unsupported');
  }
  const signingKey = createPrivateKey(ca.keyPem);
  if (!nodeCert.checkPrivateKey(signingKey)) throw corrupt('key: exp=the key of the CA certificate got=a different key');
  const parts = readCertificate(nodeCert.raw);
  if (!parts) throw corrupt('certificate: exp=DER X.509 v3 got=a structure podid cannot split');
  const authorityKeyIdentifier = await x509.AuthorityKeyIdentifierExtension.create(cert);
  return {
    certPem: `${firstPem}\n`,
    cert,
    nodeCert,
    privateKey: loaded.pair.privateKey,
    algorithm: loaded.algorithm,
    notAfter: cert.notAfter,
    fingerprint: derSha256(nodeCert.raw),
    authorityKeyIdentifier,
    signingKey,
    publicKey: nodeCert.publicKey,
    subjectDer: Buffer.from(parts.subject),
    leafSignature: leafSignatureAlgorithm(loaded.algorithm),
    authorityKeyIdentifierDer: Buffer.from(authorityKeyIdentifier.rawData),
  };
}
