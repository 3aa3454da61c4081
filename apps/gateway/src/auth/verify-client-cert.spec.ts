import { X509Certificate } from 'node:crypto';
import { UnauthenticatedError } from '@podid/errors';
import { createCa, generateKeyPair, loadSigningCa, randomSerialHex, signingAlgorithm, x509, type CertAndKey } from '@podid/x509';
import { makePodCert } from '../testing/pod-cert';
import { verifyClientCert } from './verify-client-cert';

const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const LOGIN = 'host/conjur/authn-k8s/dev/apps/demo';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';
const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID_URN = `urn:podid:pod-uid:${UID}`;
const CLUSTER_URN = 'urn:podid:cluster:eu';
/** The authenticator's cluster and trust domain. */
const SCOPE = { cluster: 'eu', trustDomain: 'cluster.local' };

/** A leaf of `ca` with the extensions an attacker picks; signLeaf only makes well-formed pod leaves. */
async function forgeLeaf(ca: CertAndKey, o: { eku?: string[]; keyUsage?: number; sans?: string[] }): Promise<X509Certificate> {
  const signing = await loadSigningCa(ca, 'test');
  const keys = await generateKeyPair('ec-p256');
  const now = Date.now();
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (o.keyUsage !== undefined) extensions.push(new x509.KeyUsagesExtension(o.keyUsage, true));
  if (o.eku) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku));
  extensions.push(new x509.SubjectAlternativeNameExtension((o.sans ?? [SPIFFE, UID_URN, CLUSTER_URN]).map((value) => ({ type: 'url' as const, value }))));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [CN] }],
    issuer: signing.cert.subjectName.toJSON(),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3_600_000),
    publicKey: keys.publicKey,
    signingKey: signing.privateKey,
    signingAlgorithm: signingAlgorithm(signing.algorithm),
    extensions,
  });
  return new X509Certificate(cert.toString('pem'));
}

describe('verifyClientCert', () => {
  let ca: CertAndKey;
  let caCert: X509Certificate;
  beforeAll(async () => {
    ca = await createCa({ commonName: 'authn-k8s dev CA', now: new Date(), ttlMs: 86_400_000 });
    caCert = new X509Certificate(ca.certPem);
  });
  const leafOf = async (o: Partial<Parameters<typeof makePodCert>[0]> = {}) =>
    new X509Certificate((await makePodCert({ ca, commonName: CN, namespace: 'demo', pod: 'app-1', podUid: UID, cluster: 'eu', ...o })).certPem);
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(UnauthenticatedError);
      return (e as UnauthenticatedError).code;
    }
    return 'passed';
  };

  it('accepts a leaf of the CA for its login and reads the pod from the SANs', async () => {
    const id = verifyClientCert({ leaf: await leafOf(), caCerts: [caCert], login: LOGIN, now: new Date(), ...SCOPE });
    expect(id).toMatchObject({ commonName: CN, namespace: 'demo', pod: 'app-1', podUid: UID, cluster: 'eu' });
    expect(id.serial).toMatch(/^[0-9a-f]+$/);
  });

  it('refuses a look-alike from another CA with the same subject', async () => {
    const other = await makePodCert({ commonName: CN, namespace: 'demo', pod: 'app-1', podUid: UID });
    expect(codeOf(() => verifyClientCert({ leaf: new X509Certificate(other.certPem), caCerts: [caCert], login: LOGIN, now: new Date(), ...SCOPE }))).toBe('AUTHN_CERT_UNTRUSTED');
  });

  it('refuses an expired and a not-yet-valid certificate', async () => {
    const leaf = await leafOf({ now: new Date(Date.now() - 7_200_000), ttlMs: 3_600_000 });
    expect(codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: LOGIN, now: new Date(), ...SCOPE }))).toBe('AUTHN_CERT_EXPIRED');
    const fresh = await leafOf();
    expect(codeOf(() => verifyClientCert({ leaf: fresh, caCerts: [caCert], login: LOGIN, now: new Date(Date.now() - 3_600_000), ...SCOPE }))).toBe('AUTHN_CERT_EXPIRED');
  });

  it('refuses a certificate used for another login', async () => {
    expect(codeOf(() => verifyClientCert({ leaf: new X509Certificate(ca.certPem), caCerts: [caCert], login: LOGIN, now: new Date(), ...SCOPE }))).not.toBe('passed');
    const leaf = await leafOf();
    expect(codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: 'host/conjur/authn-k8s/dev/apps/other', now: new Date(), ...SCOPE }))).toBe('AUTHN_CN_MISMATCH');
  });

  describe('is as strict as the leaves ca-signer issues', () => {
    const DS = x509.KeyUsageFlags.digitalSignature;
    const CLIENT = [x509.ExtendedKeyUsage.clientAuth];
    const verify = (leaf: X509Certificate) => codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: LOGIN, now: new Date(), ...SCOPE }));

    it('accepts a forged-by-the-test leaf shaped like a real one (the baseline for the refusals below)', async () => {
      expect(verify(await forgeLeaf(ca, { eku: CLIENT, keyUsage: DS }))).toBe('passed');
    });

    it('refuses a serverAuth-only leaf of the right CA with AUTHN_CERT_USAGE', async () => {
      expect(verify(await forgeLeaf(ca, { eku: [x509.ExtendedKeyUsage.serverAuth], keyUsage: DS }))).toBe('AUTHN_CERT_USAGE');
    });

    it('refuses a leaf without extendedKeyUsage, or without digitalSignature, with AUTHN_CERT_USAGE', async () => {
      expect(verify(await forgeLeaf(ca, { keyUsage: DS }))).toBe('AUTHN_CERT_USAGE');
      expect(verify(await forgeLeaf(ca, { eku: CLIENT, keyUsage: x509.KeyUsageFlags.keyEncipherment }))).toBe('AUTHN_CERT_USAGE');
      expect(verify(await forgeLeaf(ca, { eku: CLIENT }))).toBe('AUTHN_CERT_USAGE');
    });

    it('refuses two SPIFFE SANs (whichever comes first), two pod uids, or an extra SAN with AUTHN_SAN_INVALID', async () => {
      const other = 'spiffe://cluster.local/namespace/kube-system/podname/admin-0';
      const otherUid = 'urn:podid:pod-uid:00000000-0000-4000-8000-000000000000';
      for (const sans of [[SPIFFE, other, UID_URN, CLUSTER_URN], [other, SPIFFE, UID_URN, CLUSTER_URN], [SPIFFE, UID_URN, otherUid, CLUSTER_URN], [SPIFFE, UID_URN, CLUSTER_URN, 'https://evil.example/'], [SPIFFE, CLUSTER_URN], [UID_URN, CLUSTER_URN]]) {
        expect({ sans, code: verify(await forgeLeaf(ca, { eku: CLIENT, keyUsage: DS, sans })) }).toEqual({ sans, code: 'AUTHN_SAN_INVALID' });
      }
    });
  
    it("refuses a leaf of the right CA for another cluster, for none, or for two, with AUTHN_CLUSTER_MISMATCH", async () => {
      for (const sans of [[SPIFFE, UID_URN, 'urn:podid:cluster:us'], [SPIFFE, UID_URN], [SPIFFE, UID_URN, CLUSTER_URN, 'urn:podid:cluster:us'], [SPIFFE, UID_URN, CLUSTER_URN, CLUSTER_URN], [SPIFFE, UID_URN, 'urn:podid:cluster:EU']]) {
        expect({ sans, code: verify(await forgeLeaf(ca, { eku: CLIENT, keyUsage: DS, sans })) }).toEqual({ sans, code: 'AUTHN_CLUSTER_MISMATCH' });
      }
    });
  });

  it('refuses a leaf ca-signer issued for another cluster: the attack of a pod of us on an authenticator of eu', async () => {
    const leaf = await leafOf({ cluster: 'us' });
    expect(codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: LOGIN, now: new Date(), ...SCOPE }))).toBe('AUTHN_CLUSTER_MISMATCH');
    expect(verifyClientCert({ leaf, caCerts: [caCert], login: LOGIN, now: new Date(), cluster: 'us', trustDomain: 'cluster.local' }).cluster).toBe('us');
  });

  it("reads the SPIFFE id in the authenticator's trust domain only", async () => {
    const leaf = await leafOf();
    expect(codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: LOGIN, now: new Date(), cluster: 'eu', trustDomain: 'eu.example' }))).toBe('AUTHN_SAN_INVALID');
  });
});
