import { createHash } from 'node:crypto';
import { DEFAULT_TRUST_DOMAIN as TD } from '@podid/spiffe';
import { checkCertTarget } from './check-cert-target';
import { parseClientPem } from './client-pem';
import { makeTestLeaf } from './testing/make-test-leaf';

const UID = '2b4c8f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const OTHER_UID = '9b4c8f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const target = { namespace: 'demo', pod: 'app-1', container: 'authenticator' };
const DEFAULT = { name: 'default', trustDomain: TD };

async function leafDer(opts: Parameters<typeof makeTestLeaf>[0]): Promise<Buffer> {
  return parseClientPem((await makeTestLeaf(opts)).certPem).certs[0]!;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('checkCertTarget', () => {
  it('accepts a leaf naming the target pod and returns its fingerprint, serial and uid', async () => {
    const der = await leafDer({ namespace: 'demo', pod: 'app-1', podUid: UID });
    const facts = checkCertTarget(der, { ...target, podUid: UID }, DEFAULT);
    expect(facts.sha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(facts.serial).toMatch(/^[0-9a-f]+$/);
    expect(facts.podUid).toBe(UID);
    expect(facts.spiffeId).toBe('spiffe://cluster.local/namespace/demo/podname/app-1');
  });

  it.each([
    ['another pod', { namespace: 'demo', pod: 'app-2' }],
    ['another namespace', { namespace: 'other', pod: 'app-1' }],
    ['a pod name that only starts the same', { namespace: 'demo', pod: 'app-1x' }],
    ['no SPIFFE SAN', { namespace: 'demo', pod: 'app-1', uris: ['urn:podid:pod-uid:' + UID] }],
    ['two SPIFFE SANs', { namespace: 'demo', pod: 'app-1', uris: ['spiffe://cluster.local/namespace/demo/podname/app-1', 'spiffe://cluster.local/namespace/demo/podname/app-2'] }],
    ['another trust domain', { namespace: 'demo', pod: 'app-1', uris: ['spiffe://evil.example/namespace/demo/podname/app-1'] }],
    ['an extra path segment', { namespace: 'demo', pod: 'app-1', uris: ['spiffe://cluster.local/namespace/demo/podname/app-1/x'] }],
    ['another pod uid', { namespace: 'demo', pod: 'app-1', podUid: OTHER_UID }],
  ])('refuses a leaf for %s with CERT_TARGET_MISMATCH', async (_name, leaf) => {
    const der = await leafDer(leaf);
    expect(codeOf(() => checkCertTarget(der, { ...target, podUid: UID }, DEFAULT))).toBe('CERT_TARGET_MISMATCH');
  });

  it.each([
    ['another cluster', { cluster: 'b' }],
    ['no cluster SAN', { uris: ['spiffe://cluster.local/namespace/demo/podname/app-1'] }],
    ['two cluster SANs', { uris: ['spiffe://cluster.local/namespace/demo/podname/app-1', 'urn:podid:cluster:default', 'urn:podid:cluster:b'] }],
    ['a cluster name that only starts the same', { cluster: 'default2' }],
  ])('refuses a leaf naming %s with CERT_TARGET_MISMATCH', async (_name, leaf) => {
    const der = await leafDer({ namespace: 'demo', pod: 'app-1', podUid: UID, ...leaf });
    expect(codeOf(() => checkCertTarget(der, { ...target, podUid: UID }, DEFAULT))).toBe('CERT_TARGET_MISMATCH');
  });

  it('requires the SPIFFE id in the named cluster\'s trust domain', async () => {
    const der = await leafDer({ namespace: 'demo', pod: 'app-1', cluster: 'b', trustDomain: 'b.example' });
    expect(checkCertTarget(der, target, { name: 'b', trustDomain: 'b.example' }).spiffeId).toBe('spiffe://b.example/namespace/demo/podname/app-1');
    expect(codeOf(() => checkCertTarget(der, target, { name: 'b', trustDomain: TD }))).toBe('CERT_TARGET_MISMATCH');
  });

  it('does not require a uid when the caller gives none', async () => {
    const der = await leafDer({ namespace: 'demo', pod: 'app-1', podUid: OTHER_UID });
    expect(checkCertTarget(der, target, DEFAULT).podUid).toBe(OTHER_UID);
  });

  it('refuses DER that is not a certificate', () => {
    expect(codeOf(() => checkCertTarget(Buffer.from('3003020101', 'hex'), target, DEFAULT))).toBe('CERT_PEM_INVALID');
  });
});
