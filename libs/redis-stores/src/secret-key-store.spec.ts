import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSimulator } from '@podid/k8s-sim';
import { tmpDir } from '@podid/testkit';
import { AbortedError } from '@podid/errors';
import { SecretKeyStore, type StoredKeys } from './index';

const keys: StoredKeys = {
  version: 1,
  ring: { keys: [{ kid: 'k1', publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, state: 'active', publishedAt: 1, activatedAt: 1 }] },
  privateKeys: { k1: 'pem' },
};

describe('SecretKeyStore (Kubernetes API simulator, real client-node)', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let kc: KubeConfig;

  beforeAll(async () => {
    sim = await startSimulator({ stateDir: tmpDir('podid-sim-'), port: 0, sandbox: 'none', rbac: false });
    kc = new KubeConfig();
    kc.loadFromString(sim.adminKubeconfigYaml());
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'podid' } } });
  });
  afterAll(() => sim.stop());

  it('creates the Secret, reads it back, replaces it, and refuses to overwrite a concurrent change', async () => {
    const a = new SecretKeyStore({ kc, namespace: 'podid', name: 'token-keys' });
    const b = new SecretKeyStore({ kc, namespace: 'podid', name: 'token-keys' });
    expect(await a.load()).toBeUndefined();
    await a.save(keys);
    expect(await b.load()).toEqual(keys);
    const next = { ...keys, ring: { keys: [{ ...keys.ring.keys[0]!, publishedAt: 2 }] } };
    await a.save(next);
    // b read before a's second write: its write must not win.
    await expect(b.save(keys)).rejects.toBeInstanceOf(AbortedError);
    expect(await b.load()).toEqual(next);
    await b.save(keys);
    expect(await a.load()).toEqual(keys);
  });
});
