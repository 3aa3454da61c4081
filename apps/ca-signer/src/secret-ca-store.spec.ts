import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { tmpDir } from '@podid/testkit';
import { createCa } from '@podid/x509';
import { secretCaStore } from './secret-ca-store';

const RBAC = join(__dirname, '../../../deploy/base/rbac.yaml');

/** The Secret CA source, read as ca-signer's service account with exactly the Role deploy/ grants it. */
describe('secretCaStore against the simulator', () => {
  let sim: Simulator;
  let store: ReturnType<typeof secretCaStore>;
  const tlsSecret = (name: string, certPem: string, keyPem: string, type = 'kubernetes.io/tls') => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type,
    metadata: { name, namespace: 'podid' },
    data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
  });

  beforeAll(async () => {
    sim = await startSimulator({ stateDir: tmpDir(), manifests: [RBAC], sandbox: 'none' });
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfigYaml({ user: 'system:serviceaccount:podid:ca-signer', groups: ['system:serviceaccounts', 'system:serviceaccounts:podid'], auth: 'token' }));
    store = secretCaStore({ api: kc.makeApiClient(CoreV1Api), namespace: 'podid' });
  });
  afterAll(() => sim.stop());

  it('reads the CA of its authenticator, and reports an absent one as absent', async () => {
    expect(await store.load('dev-cluster')).toBeUndefined();
    const ca = await createCa({ commonName: 'dev-cluster CA', now: new Date(), ttlMs: 86_400_000 });
    await sim.apply(tlsSecret('podid-ca-dev-cluster', ca.certPem, ca.keyPem));
    expect(await store.load('dev-cluster')).toEqual({ certPem: ca.certPem, keyPem: ca.keyPem, source: 'Secret podid/podid-ca-dev-cluster' });
  });

  it('may not read any other Secret: least privilege by resource name', async () => {
    const ca = await createCa({ commonName: 'other CA', now: new Date(), ttlMs: 86_400_000 });
    await sim.apply(tlsSecret('podid-ca-other', ca.certPem, ca.keyPem));
    await expect(store.load('other')).rejects.toMatchObject({ code: 'CA_SECRET_FORBIDDEN' });
  });

  it('names a Secret of the wrong type as corrupt', async () => {
    const ca = await createCa({ commonName: 'dev-cluster CA', now: new Date(), ttlMs: 86_400_000 });
    await sim.apply(tlsSecret('podid-ca-dev-cluster', ca.certPem, ca.keyPem, 'Opaque'));
    await expect(store.load('dev-cluster')).rejects.toMatchObject({ code: 'CA_CORRUPT', message: expect.stringContaining('Secret podid/podid-ca-dev-cluster') });
  });
});
