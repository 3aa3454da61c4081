import { X509Certificate } from 'node:crypto';
import { createCa, issueServiceCert, serviceSpiffeId } from './service-pki';

describe('service PKI', () => {
  it('issues a service certificate that chains to the CA and names the service', async () => {
    const now = new Date();
    const ca = await createCa({ commonName: 'podid internal CA', now, ttlMs: 86_400_000 });
    const svc = await issueServiceCert({ ca, service: 'ca-signer', now, ttlMs: 3_600_000 });
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate(svc.certPem);
    expect(caCert.ca).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain(`URI:${serviceSpiffeId('ca-signer')}`);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(svc.keyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('signs with an RSA CA too', async () => {
    const now = new Date();
    const ca = await createCa({ commonName: 'rsa CA', now, ttlMs: 86_400_000, algorithm: 'rsa-2048' });
    const svc = await issueServiceCert({ ca, service: 'gateway', now, ttlMs: 3_600_000 });
    expect(new X509Certificate(svc.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });
});
