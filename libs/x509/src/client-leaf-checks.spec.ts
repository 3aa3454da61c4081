import { clientLeafSans, clientLeafUsageProblem, MAX_CLIENT_LEAF_SANS } from './client-leaf-checks';
import { generateKeyPair, signingAlgorithm } from './keys';
import { x509 } from './provider';

/** A self-signed certificate with the given usage and SAN extensions; only the extensions matter here. */
async function certWith(extensions: x509.Extension[]): Promise<x509.X509Certificate> {
  const keys = await generateKeyPair('ec-p256');
  return x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=t', notBefore: new Date(), notAfter: new Date(Date.now() + 60_000), keys, signingAlgorithm: signingAlgorithm('ec-p256'), extensions });
}
const DS = new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true);
const sanOf = (...values: string[]) => new x509.SubjectAlternativeNameExtension(values.map((value) => ({ type: 'url' as const, value })));

describe('clientLeafUsageProblem', () => {
  it('passes clientAuth with digitalSignature and names what is missing otherwise', async () => {
    expect(clientLeafUsageProblem(await certWith([DS, new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]))).toBeUndefined();
    expect(clientLeafUsageProblem(await certWith([DS, new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])]))).toMatch(/^extendedKeyUsage: exp=clientAuth got=1\.3\.6\.1\.5\.5\.7\.3\.1$/);
    expect(clientLeafUsageProblem(await certWith([DS]))).toMatch(/got=none/);
    expect(clientLeafUsageProblem(await certWith([new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]))).toMatch(/^keyUsage: exp=digitalSignature got=none/);
  });
});

describe('clientLeafSans', () => {
  it('sorts SPIFFE ids, pod uids, clusters and everything else, and gives up on too many entries', async () => {
    const sans = clientLeafSans(await certWith([sanOf('spiffe://a/b', 'urn:podid:pod-uid:x', 'urn:podid:cluster:c', 'urn:podid:clusterx', 'https://e/')]));
    expect(sans).toEqual({ spiffeIds: ['spiffe://a/b'], podUids: ['urn:podid:pod-uid:x'], clusters: ['urn:podid:cluster:c'], others: ['url:urn:podid:clusterx', 'url:https://e/'] });
    expect(clientLeafSans(await certWith([]))).toEqual({ spiffeIds: [], podUids: [], clusters: [], others: [] });
    const many = Array.from({ length: MAX_CLIENT_LEAF_SANS + 1 }, (_, i) => `spiffe://a/${i}`);
    expect(clientLeafSans(await certWith([sanOf(...many)]))).toBeUndefined();
  });
});
