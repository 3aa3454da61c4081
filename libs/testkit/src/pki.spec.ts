import { X509Certificate } from 'node:crypto';
import { makeTestPki } from './pki';
import { freePort } from './ports';

describe('test kit', () => {
  it('makes throwaway service certificates that chain to a fresh CA', async () => {
    const [a, b] = await Promise.all([makeTestPki('a'), makeTestPki('b')]);
    const tls = await a.tls('gateway');
    const leaf = new X509Certificate(tls.certPem);
    expect(leaf.verify(new X509Certificate(a.ca.certPem).publicKey)).toBe(true);
    expect(leaf.verify(new X509Certificate(b.ca.certPem).publicKey)).toBe(false);
    expect(await a.tls('gateway')).toBe(tls);
  });

  it('gives ports that are distinct', async () => {
    const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
    expect(new Set(ports).size).toBe(8);
  });
});
