import { createCa, generateKeyPair, importPrivateKeyPem, randomSerialHex, signingAlgorithm, x509, type CertAndKey } from '@podid/x509';

/** A pod leaf for tests, shaped like ca-signer's: URI SANs = the given list (default: SPIFFE id + pod uid + cluster, `default`). */
export async function makeTestLeaf(opts: {
  ca?: CertAndKey;
  namespace: string;
  pod: string;
  podUid?: string;
  uris?: string[];
  trustDomain?: string;
  cluster?: string;
}): Promise<{ certPem: string; serial: string; ca: CertAndKey }> {
  const now = new Date();
  const ca = opts.ca ?? (await createCa({ commonName: 'test authenticator CA', now, ttlMs: 86_400_000 }));
  const { pair, algorithm } = await importPrivateKeyPem(ca.keyPem);
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await generateKeyPair('ec-p256');
  const uris = opts.uris ?? [
    `spiffe://${opts.trustDomain ?? 'cluster.local'}/namespace/${opts.namespace}/podname/${opts.pod}`,
    ...(opts.podUid ? [`urn:podid:pod-uid:${opts.podUid}`] : []),
    `urn:podid:cluster:${opts.cluster ?? 'default'}`,
  ];
  const serial = randomSerialHex();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=host.conjur.authn-k8s.test.apps.${opts.pod}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3_600_000),
    publicKey: keys.publicKey,
    signingKey: pair.privateKey,
    signingAlgorithm: signingAlgorithm(algorithm),
    extensions: [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value })))],
  });
  return { certPem: `${cert.toString('pem').replace(/\r\n/g, '\n').trim()}\n${ca.certPem.trim()}\n`, serial, ca };
}
