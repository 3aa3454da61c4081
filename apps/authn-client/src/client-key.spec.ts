import { X509Certificate } from 'node:crypto';
import { createCa, issueServiceCert, x509 } from '@podid/x509';
import { generateClientKey, podSpiffeId } from './client-key';

describe('generateClientKey', () => {
  it('builds a CSR with only CN and one URI SAN, signed by the in-memory P-256 key', async () => {
    const key = await generateClientKey('ec-p256');
    const csr = new x509.Pkcs10CertificateRequest(await key.createCsr('prod.apps.myapp', podSpiffeId('demo', 'pod-1')));
    expect(csr.subject).toBe('CN=prod.apps.myapp');
    expect(await csr.verify()).toBe(true);
    const san = new x509.SubjectAlternativeNameExtension(csr.getExtension('2.5.29.17')!.rawData);
    expect(san.names.toJSON()).toEqual([{ type: 'url', value: 'spiffe://cluster.local/namespace/demo/podname/pod-1' }]);
    expect(csr.extensions).toHaveLength(1);
    expect(key.privateKeyPem).toContain('PRIVATE KEY');
  });

  it('matches only a certificate carrying its own public key', async () => {
    const key = await generateClientKey('ec-p256');
    const ca = await createCa({ commonName: 't', now: new Date(), ttlMs: 60_000 });
    const other = await issueServiceCert({ ca, service: 'x', now: new Date(), ttlMs: 60_000 });
    expect(key.matches(new X509Certificate(other.certPem))).toBe(false);
  });
});
