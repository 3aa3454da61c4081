import { randomBytes } from 'node:crypto';
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem, signingAlgorithm, type KeyAlgorithm } from './keys';
import { x509 } from './provider';

/** A certificate and its private key, both PEM. */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

/** Trust domain of podid's own service identities. */
export const SERVICE_TRUST_DOMAIN = 'podid';

/** SPIFFE id of an internal service, for example `spiffe://podid/gateway`. */
export function serviceSpiffeId(service: string): string {
  return `spiffe://${SERVICE_TRUST_DOMAIN}/${service}`;
}

/** A positive random serial of 16 bytes (128 bits of entropy plus a leading zero bit). */
export function randomSerialHex(): string {
  const b = randomBytes(17);
  b[0] = (b[0] as number) & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

/** Creates a self-signed CA. `now` is injected so that callers control time. */
export async function createCa(opts: { commonName: string; now: Date; ttlMs: number; algorithm?: KeyAlgorithm; organization?: string }): Promise<CertAndKey> {
  const algorithm = opts.algorithm ?? 'ec-p256';
  const keys = await generateKeyPair(algorithm);
  const name = `CN=${opts.commonName}${opts.organization ? `, O=${opts.organization}` : ''}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name,
    notBefore: new Date(opts.now.getTime() - 60_000),
    notAfter: new Date(opts.now.getTime() + opts.ttlMs),
    keys,
    signingAlgorithm: signingAlgorithm(algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/**
 * Issues a certificate for an internal service: URI SAN spiffe://podid/<service>,
 * DNS and IP SANs for its addresses, usable as both TLS server and client.
 */
export async function issueServiceCert(opts: {
  ca: CertAndKey;
  service: string;
  now: Date;
  ttlMs: number;
  dnsNames?: string[];
  ips?: string[];
}): Promise<CertAndKey> {
  const { pair: caKeys, algorithm: caAlg } = await importPrivateKeyPem(opts.ca.keyPem);
  const caCert = new x509.X509Certificate(opts.ca.certPem);
  const keys = await generateKeyPair('ec-p256');
  const names: x509.JsonGeneralName[] = [
    { type: 'url', value: serviceSpiffeId(opts.service) },
    ...(opts.dnsNames ?? [opts.service, 'localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: `CN=${opts.service}`,
    issuer: caCert.subject,
    notBefore: new Date(opts.now.getTime() - 60_000),
    notAfter: new Date(opts.now.getTime() + opts.ttlMs),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signingAlgorithm(caAlg),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
