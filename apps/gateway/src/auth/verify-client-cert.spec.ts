import { X509Certificate } from 'node:crypto';
import { UnauthenticatedError } from '@podid/errors';
import { createCa, type CertAndKey } from '@podid/x509';
import { makePodCert } from '../testing/pod-cert';
import { verifyClientCert } from './verify-client-cert';

const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const LOGIN = 'host/conjur/authn-k8s/dev/apps/demo';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';

describe('verifyClientCert', () => {
  let ca: CertAndKey;
  let caCert: X509Certificate;
  beforeAll(async () => {
    ca = await createCa({ commonName: 'authn-k8s dev CA', now: new Date(), ttlMs: 86_400_000 });
    caCert = new X509Certificate(ca.certPem);
  });
  const leafOf = async (o: Partial<Parameters<typeof makePodCert>[0]> = {}) =>
    new X509Certificate((await makePodCert({ ca, commonName: CN, namespace: 'demo', pod: 'app-1', podUid: UID, ...o })).certPem);
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
    const id = verifyClientCert({ leaf: await leafOf(), caCerts: [caCert], login: LOGIN, now: new Date() });
    expect(id).toMatchObject({ commonName: CN, namespace: 'demo', pod: 'app-1', podUid: UID });
    expect(id.serial).toMatch(/^[0-9a-f]+$/);
  });

  it('refuses a look-alike from another CA with the same subject', async () => {
    const other = await makePodCert({ commonName: CN, namespace: 'demo', pod: 'app-1', podUid: UID });
    expect(codeOf(() => verifyClientCert({ leaf: new X509Certificate(other.certPem), caCerts: [caCert], login: LOGIN, now: new Date() }))).toBe('AUTHN_CERT_UNTRUSTED');
  });

  it('refuses an expired and a not-yet-valid certificate', async () => {
    const leaf = await leafOf({ now: new Date(Date.now() - 7_200_000), ttlMs: 3_600_000 });
    expect(codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: LOGIN, now: new Date() }))).toBe('AUTHN_CERT_EXPIRED');
    const fresh = await leafOf();
    expect(codeOf(() => verifyClientCert({ leaf: fresh, caCerts: [caCert], login: LOGIN, now: new Date(Date.now() - 3_600_000) }))).toBe('AUTHN_CERT_EXPIRED');
  });

  it('refuses a certificate used for another login', async () => {
    expect(codeOf(() => verifyClientCert({ leaf: new X509Certificate(ca.certPem), caCerts: [caCert], login: LOGIN, now: new Date() }))).not.toBe('passed');
    const leaf = await leafOf();
    expect(codeOf(() => verifyClientCert({ leaf, caCerts: [caCert], login: 'host/conjur/authn-k8s/dev/apps/other', now: new Date() }))).toBe('AUTHN_CN_MISMATCH');
  });
});
