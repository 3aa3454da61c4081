import { X509Certificate } from 'node:crypto';
import { FailedPreconditionError, InvalidArgumentError } from '@podid/errors';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import { generateKeyPair, type KeyAlgorithm } from './keys';
import { x509 } from './provider';
import { createCa, issueServiceCert } from './service-pki';
import { CLOCK_SKEW_BACKDATE_MS, signLeaf } from './sign-leaf';
import { loadSigningCa } from './signing-ca';

const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';
const now = new Date('2030-01-01T00:00:00Z');
const DAY = 86_400_000;

async function csrOf(alg: KeyAlgorithm) {
  return checkCsr(await createCsr({ keys: await generateKeyPair(alg), algorithm: alg, commonName: 'demo', sans: [{ type: 'url', value: SPIFFE }] }), { spiffeId: SPIFFE });
}

describe('signLeaf', () => {
  it.each<[KeyAlgorithm, KeyAlgorithm]>([
    ['ec-p256', 'ec-p256'],
    ['ec-p384', 'ed25519'],
    ['rsa-2048', 'rsa-2048'],
    ['rsa-2048', 'ec-p384'],
  ])('a %s CA signs a %s CSR into the leaf asked for', async (caAlg, csrAlg) => {
    const caPem = await createCa({ commonName: `podid dev ${caAlg} CA`, now, ttlMs: 365 * DAY, algorithm: caAlg });
    const ca = await loadSigningCa(caPem, 'test');
    const csr = await csrOf(csrAlg);
    const leaf = await signLeaf({ ca, csr, commonName: CN, spiffeId: SPIFFE, podUid: UID, cluster: 'prod-eu', ttlMs: 3 * DAY, now });

    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(caPem.certPem);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.subject).toBe(`CN=${CN}`);
    expect(cert.subjectAltName).toBe(`URI:${SPIFFE}, URI:urn:podid:pod-uid:${UID}, URI:urn:podid:cluster:prod-eu`);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // Node's keyUsage lists the EKU OIDs: clientAuth only
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.export({ type: 'spki', format: 'der' })).toEqual(csr.spki);
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime() - CLOCK_SKEW_BACKDATE_MS);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 3 * DAY);
    expect(leaf.notAfter.getTime()).toBe(now.getTime() + 3 * DAY);
    // At least 128 random bits, positive (top bit clear).
    expect(cert.serialNumber.length).toBeGreaterThanOrEqual(32);
    expect(parseInt(cert.serialNumber[0]!, 16)).toBeLessThan(8);
    expect(leaf.serial).toBe(cert.serialNumber.toLowerCase());

    const peculiar = new x509.X509Certificate(leaf.certPem);
    const ku = peculiar.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.critical).toBe(true);
    expect(ku.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(peculiar.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(peculiar.getExtension(x509.SubjectKeyIdentifierExtension)).toBeTruthy();
    expect(peculiar.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      new x509.X509Certificate(caPem.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
  });

  it('caps the leaf at the CA notAfter', async () => {
    const ca = await loadSigningCa(await createCa({ commonName: 'short CA', now, ttlMs: DAY }), 'test');
    const leaf = await signLeaf({ ca, csr: await csrOf('ec-p256'), commonName: CN, spiffeId: SPIFFE, podUid: UID, cluster: 'prod-eu', ttlMs: 30 * DAY, now });
    expect(leaf.notAfter.getTime()).toBe(ca.notAfter.getTime());
  });

  it('refuses an expired CA, a TTL out of range, a bad pod uid and a bad cluster name', async () => {
    const ca = await loadSigningCa(await createCa({ commonName: 'old CA', now, ttlMs: DAY }), 'test');
    const csr = await csrOf('ec-p256');
    const base = { ca, csr, commonName: CN, spiffeId: SPIFFE, podUid: UID, cluster: 'prod-eu', ttlMs: DAY, now };
    await expect(signLeaf({ ...base, now: new Date(now.getTime() + 2 * DAY) })).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(signLeaf({ ...base, ttlMs: 31 * DAY })).rejects.toMatchObject({ code: 'TTL_OUT_OF_RANGE' });
    await expect(signLeaf({ ...base, podUid: 'not-a-uid' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(signLeaf({ ...base, commonName: 'a\nb' })).rejects.toMatchObject({ code: 'CN_INVALID' });
    await expect(signLeaf({ ...base, cluster: '' })).rejects.toMatchObject({ code: 'CLUSTER_INVALID' });
    await expect(signLeaf({ ...base, cluster: 'Prod.EU' })).rejects.toMatchObject({ code: 'CLUSTER_INVALID' });
  });
});

describe('loadSigningCa', () => {
  it('names the source of a corrupt or mismatched CA', async () => {
    const a = await createCa({ commonName: 'a', now, ttlMs: DAY });
    const b = await createCa({ commonName: 'b', now, ttlMs: DAY });
    await expect(loadSigningCa({ certPem: a.certPem, keyPem: b.keyPem }, 'Secret podid/podid-ca-dev')).rejects.toThrow(
      'Secret podid/podid-ca-dev: key: exp=the key of the CA certificate got=a different key',
    );
    await expect(loadSigningCa({ certPem: 'junk', keyPem: a.keyPem }, '/ca/dev/ca.pem')).rejects.toMatchObject({ code: 'CA_CORRUPT' });
    await expect(loadSigningCa({ certPem: a.certPem, keyPem: 'junk' }, '/ca/dev/ca-key.pem')).rejects.toThrow(/^\/ca\/dev\/ca-key.pem: key/);
  });

  it('refuses a certificate that is not a CA', async () => {
    const ca = await createCa({ commonName: 'a', now, ttlMs: DAY });
    const leaf = await issueServiceCert({ ca, service: 'x', now, ttlMs: DAY });
    await expect(loadSigningCa(leaf, 'f')).rejects.toThrow('f: certificate: exp=basicConstraints CA:TRUE got=not a CA');
  });
});
