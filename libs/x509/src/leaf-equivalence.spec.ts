import { X509Certificate } from 'node:crypto';
import { formatClusterUrn, formatPodUidUri } from '@podid/spiffe';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import { generateKeyPair, signingAlgorithm, type KeyAlgorithm } from './keys';
import { x509 } from './provider';
import { createCa, randomSerialHex } from './service-pki';
import { CLOCK_SKEW_BACKDATE_MS, signLeaf } from './sign-leaf';
import type { ParsedCsr } from './parse-csr';
import { loadSigningCa, type SigningCa } from './signing-ca';

const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const NOW = new Date('2030-01-01T00:00:00Z');
const DAY = 86_400_000;

/** The leaf as signLeaf built it with @peculiar/x509 before the DER builder: the reference. */
async function peculiarLeaf(ca: SigningCa, csr: ParsedCsr, commonName: string, ttlMs: number, now: Date): Promise<x509.X509Certificate> {
  const publicKey = new x509.PublicKey(new Uint8Array(csr.spki));
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [commonName] }],
    issuer: ca.cert.subjectName.toJSON(),
    notBefore: new Date(now.getTime() - CLOCK_SKEW_BACKDATE_MS),
    notAfter: new Date(Math.min(now.getTime() + ttlMs, ca.notAfter.getTime())),
    publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: signingAlgorithm(ca.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: SPIFFE },
        { type: 'url', value: formatPodUidUri(UID) },
        { type: 'url', value: formatClusterUrn('prod-eu') },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      ca.authorityKeyIdentifier,
    ],
  });
}

const hex = (b: ArrayBuffer) => Buffer.from(b).toString('hex');

describe('the DER-built leaf is the @peculiar/x509 leaf, field by field', () => {
  it.each<[KeyAlgorithm, KeyAlgorithm, string, Date]>([
    ['ec-p256', 'ec-p256', 'host.conjur.authn-k8s.dev.apps.demo', NOW],
    ['ec-p384', 'ed25519', 'host.conjur.authn-k8s.dev.apps.demo', NOW],
    ['ec-p256', 'ec-p384', 'host.conjur.authn-k8s.dev.apps.démo_ü', NOW],
    ['rsa-2048', 'rsa-2048', 'host.conjur.authn-k8s.dev.apps.demo', NOW],
    ['rsa-3072', 'rsa-4096', 'host.conjur.authn-k8s.dev.apps.demo', NOW],
    ['ed25519', 'ec-p256', 'host.conjur.authn-k8s.dev.apps.demo', NOW],
    ['ec-p256', 'ec-p256', 'host.conjur.authn-k8s.dev.apps.demo', new Date('2049-12-31T12:00:00.789Z')], // notAfter in 2050: GeneralizedTime
  ])('a %s CA, a %s CSR, CN %s, at %s', async (caAlg, csrAlg, cn, now) => {
    const caPem = await createCa({ commonName: `podid ${caAlg} CA`, organization: 'Org, Inc.', now, ttlMs: 365 * DAY, algorithm: caAlg });
    const ca = await loadSigningCa(caPem, 'test');
    const csr = checkCsr(await createCsr({ keys: await generateKeyPair(csrAlg), algorithm: csrAlg, commonName: 'demo', sans: [{ type: 'url', value: SPIFFE }] }), { spiffeId: SPIFFE });
    const ttlMs = 3 * DAY + 1234; // not whole seconds: both truncate
    const leaf = await signLeaf({ ca, csr, commonName: cn, spiffeId: SPIFFE, podUid: UID, cluster: 'prod-eu', ttlMs, now });
    const got = new x509.X509Certificate(leaf.certPem);
    const want = await peculiarLeaf(ca, csr, cn, ttlMs, now);

    const tbsFields = (c: x509.X509Certificate) => ({
      version: (c as unknown as { asn: { tbsCertificate: { version: number } } }).asn.tbsCertificate.version,
      subject: hex(c.subjectName.toArrayBuffer()),
      issuer: hex(c.issuerName.toArrayBuffer()),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      publicKey: hex(c.publicKey.rawData),
      signatureAlgorithm: c.signatureAlgorithm,
      extensions: c.extensions.map((e) => ({ type: e.type, critical: e.critical, value: hex(e.value) })),
    });
    expect(tbsFields(got)).toEqual(tbsFields(want));
    expect(hex(got.issuerName.toArrayBuffer())).toBe(hex(ca.cert.subjectName.toArrayBuffer()));
    // The serial differs (random) but has the same form: 17 bytes, positive, minimal.
    expect(got.serialNumber).toMatch(/^([1-7][0-9a-f]|0[1-9a-f])[0-9a-f]{32}$/);
    expect(leaf.serial).toBe(got.serialNumber.toLowerCase());
    expect(await got.verify({ publicKey: ca.cert.publicKey, signatureOnly: true })).toBe(true);

    // Node's own parser (the one TLS uses) reads both alike.
    const [n, o] = [new X509Certificate(leaf.certPem), new X509Certificate(want.toString('pem'))];
    for (const k of ['subject', 'issuer', 'subjectAltName', 'infoAccess', 'validFrom', 'validTo', 'ca'] as const) expect(n[k]).toEqual(o[k]);
    expect(n.keyUsage).toEqual(o.keyUsage);
    expect(n.checkIssued(ca.nodeCert)).toBe(true);
    expect(n.verify(ca.nodeCert.publicKey)).toBe(true);
    expect(n.publicKey.equals(o.publicKey)).toBe(true);
    expect(leaf.certPem).toBe(`${n.toString().trimEnd()}\n`);
  });
});
