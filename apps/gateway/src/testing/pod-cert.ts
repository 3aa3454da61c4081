import { checkCsr, createCa, createCsr, exportPrivateKeyPem, generateKeyPair, loadSigningCa, signLeaf, type CertAndKey, type KeyAlgorithm } from '@podid/x509';

/** A CSR as the Conjur client makes it: CN = host id suffix, one SPIFFE URI SAN. */
export async function makePodCsr(opts: { cn: string; namespace: string; pod: string; algorithm?: KeyAlgorithm }): Promise<{ csrPem: string; keyPem: string }> {
  const algorithm = opts.algorithm ?? 'ec-p256';
  const keys = await generateKeyPair(algorithm);
  const csrPem = await createCsr({ keys, algorithm, commonName: opts.cn, sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/${opts.namespace}/podname/${opts.pod}` }] });
  return { csrPem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/** A pod leaf signed by `ca` (or a fresh look-alike CA), as ca-signer would issue it. */
export async function makePodCert(opts: { ca?: CertAndKey; commonName: string; namespace: string; pod: string; podUid: string; now?: Date; ttlMs?: number }): Promise<{ certPem: string; keyPem: string; ca: CertAndKey }> {
  const now = opts.now ?? new Date();
  const ca = opts.ca ?? (await createCa({ commonName: 'fake authn-k8s CA', now, ttlMs: 86_400_000 }));
  const { csrPem, keyPem } = await makePodCsr({ cn: 'x', namespace: opts.namespace, pod: opts.pod });
  const spiffeId = `spiffe://cluster.local/namespace/${opts.namespace}/podname/${opts.pod}`;
  const leaf = await signLeaf({ ca: await loadSigningCa(ca, 'test'), csr: checkCsr(csrPem), commonName: opts.commonName, spiffeId, podUid: opts.podUid, ttlMs: opts.ttlMs ?? 3_600_000, now });
  return { certPem: leaf.certPem, keyPem, ca };
}
