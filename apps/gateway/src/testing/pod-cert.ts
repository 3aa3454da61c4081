import { checkCsr, createCa, createCsr, exportPrivateKeyPem, generateKeyPair, loadSigningCa, randomSerialHex, signingAlgorithm, signLeaf, x509, type CertAndKey, type KeyAlgorithm } from '@podid/x509';

/** A CSR as the Conjur client makes it: CN = host id suffix, one SPIFFE URI SAN. */
export async function makePodCsr(opts: { cn: string; namespace: string; pod: string; algorithm?: KeyAlgorithm; trustDomain?: string }): Promise<{ csrPem: string; keyPem: string }> {
  const algorithm = opts.algorithm ?? 'ec-p256';
  const keys = await generateKeyPair(algorithm);
  const csrPem = await createCsr({ keys, algorithm, commonName: opts.cn, sans: [{ type: 'url', value: `spiffe://${opts.trustDomain ?? 'cluster.local'}/namespace/${opts.namespace}/podname/${opts.pod}` }] });
  return { csrPem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/** A pod leaf signed by `ca` (or a fresh look-alike CA), as ca-signer would issue it, for cluster `default` unless told. */
export async function makePodCert(opts: {
  ca?: CertAndKey;
  commonName: string;
  namespace: string;
  pod: string;
  podUid: string;
  cluster?: string;
  now?: Date;
  ttlMs?: number;
}): Promise<{ certPem: string; keyPem: string; ca: CertAndKey }> {
  const now = opts.now ?? new Date();
  const ca = opts.ca ?? (await createCa({ commonName: 'fake authn-k8s CA', now, ttlMs: 86_400_000 }));
  const { csrPem, keyPem } = await makePodCsr({ cn: 'x', namespace: opts.namespace, pod: opts.pod });
  const spiffeId = `spiffe://cluster.local/namespace/${opts.namespace}/podname/${opts.pod}`;
  const leaf = await signLeaf({ ca: await loadSigningCa(ca, 'test'), csr: checkCsr(csrPem), commonName: opts.commonName, spiffeId, podUid: opts.podUid, cluster: opts.cluster ?? 'default', ttlMs: opts.ttlMs ?? 3_600_000, now });
  return { certPem: leaf.certPem, keyPem, ca };
}

/**
 * A client leaf of `ca` with exactly the URI SANs given, otherwise shaped as ca-signer issues it: what an
 * attacker holding a leaf of another shape (say, from before clusters) presents. signLeaf makes only good ones.
 */
export async function forgePodCert(opts: { ca: CertAndKey; commonName: string; sans: readonly string[] }): Promise<{ certPem: string; keyPem: string }> {
  const signing = await loadSigningCa(opts.ca, 'test');
  const keys = await generateKeyPair('ec-p256');
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [opts.commonName] }],
    issuer: signing.cert.subjectName.toJSON(),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3_600_000),
    publicKey: keys.publicKey,
    signingKey: signing.privateKey,
    signingAlgorithm: signingAlgorithm(signing.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(opts.sans.map((value) => ({ type: 'url' as const, value }))),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
