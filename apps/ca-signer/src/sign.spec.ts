import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaSignerService } from '@podid/contracts';
import { createServiceClient } from '@podid/grpc';
import { eventually, freePort, makeTestPki, spawnNode, tmpDir, waitFor, writeTlsEnv, type ChildHandle, type TestPki } from '@podid/testkit';
import { createCsr, generateKeyPair } from '@podid/x509';
import { startPolicyPeer } from './testing/policy-peer';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';

describe('ca-signer over gRPC mTLS (spawned dist/main.js, directory CA in local mode)', () => {
  let child: ChildHandle;
  let pki: TestPki;
  let address: string;
  let caDir: string;
  let policy: Awaited<ReturnType<typeof startPolicyPeer>>;
  const clientAs = async (svc: string) => createServiceClient(CaSignerService, { address, tls: await pki.tls(svc), expectService: 'ca-signer', deadlineMs: 10_000 });
  const csr = async (spiffeId = SPIFFE) =>
    createCsr({ keys: await generateKeyPair('ec-p256'), algorithm: 'ec-p256', commonName: 'demo', sans: [{ type: 'url', value: spiffeId }] });
  const signRequest = async () => ({ serviceId: 'dev', csrPem: await csr(), commonName: CN, spiffeId: SPIFFE, podUid: UID, ttlSeconds: 3600, cluster: 'default' });

  beforeAll(async () => {
    pki = await makeTestPki('ca-signer-sign');
    policy = await startPolicyPeer(pki, ['dev', 'west'], { west: { cluster: 'us', trustDomain: 'us.example' } });
    const dir = tmpDir();
    caDir = join(dir, 'ca');
    const [grpcPort, opsPort] = [await freePort(), await freePort()];
    child = spawnNode(MAIN, {
      ...writeTlsEnv(dir, 'ca-signer', await pki.tls('ca-signer')),
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
      PODID_CA_DIR: caDir,
      PODID_CA_CREATE: 'true',
      PODID_POLICY_ADDR: policy.address,
    });
    await child.waitForEvent('SERVICE_READY');
    address = `127.0.0.1:${grpcPort}`;
  });
  afterAll(async () => {
    await policy?.stop();
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  it('signs a leaf that chains to the bundle GetBundle returns, and logs only fingerprints', async () => {
    const gateway = await clientAs('gateway');
    const req = await signRequest();
    // Two first-use calls at once must share one CA.
    const [res, res2] = await Promise.all([gateway.sign(req), gateway.sign({ ...req, csrPem: await csr() })]);
    const bundle = await gateway.getBundle({ serviceId: 'dev' });
    gateway.close();

    expect(res.chainPem).toBe(bundle.bundlePem);
    expect(res2.chainPem).toBe(bundle.bundlePem);
    const ca = new X509Certificate(bundle.bundlePem);
    const leaf = new X509Certificate(res.certificatePem);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subject).toBe(`CN=${CN}`);
    expect(leaf.subjectAltName).toBe(`URI:${SPIFFE}, URI:urn:podid:pod-uid:${UID}, URI:urn:podid:cluster:default`);
    expect(res.serial).toBe(leaf.serialNumber.toLowerCase());
    expect(res.notAfter).toBe(Math.floor(new Date(leaf.validTo).getTime() / 1000));
    expect(bundle.notAfter).toBe(Math.floor(new Date(ca.validTo).getTime() / 1000));
    expect(statSync(join(caDir, 'dev', 'ca-key.pem')).mode & 0o777).toBe(0o600);

    const issued = await waitFor(() => child.lines.find((l) => l['event'] === 'CERT_ISSUED' && l['cert_serial'] === res.serial), { message: 'CERT_ISSUED log line' });
    expect(issued).toMatchObject({ host_id: 'conjur/authn-k8s/dev/apps/demo', spiffe_id: SPIFFE, pod_uid: UID, cluster: 'default', caller: 'gateway' });
    expect(issued?.['csr_sha256']).toMatch(/^[0-9a-f]{64}$/);
    await eventually(() => expect(child.lines.filter((l) => l['event'] === 'CA_CREATED')).toHaveLength(1));
    expect(JSON.stringify(child.lines)).not.toContain('BEGIN');
  });

  it('refuses a CSR whose SAN is not the verified pod, naming the check', async () => {
    const gateway = await clientAs('gateway');
    const req = { ...(await signRequest()), csrPem: await csr('spiffe://cluster.local/namespace/demo/podname/other') };
    await expect(gateway.sign(req)).rejects.toMatchObject({ kind: 'invalid_argument', code: 'CSR_SAN_MISMATCH' });
    await expect(gateway.sign({ ...req, csrPem: 'garbage' })).rejects.toMatchObject({ kind: 'invalid_argument', code: 'CSR_MALFORMED' });
    await expect(gateway.sign({ ...(await signRequest()), ttlSeconds: 59 })).rejects.toMatchObject({ kind: 'invalid_argument', message: expect.stringContaining('ttl_seconds') });
    await expect(gateway.getBundle({ serviceId: '../etc' })).rejects.toMatchObject({ kind: 'invalid_argument' });
    gateway.close();
    await eventually(() => expect(child.lines.some((l) => l['event'] === 'CSR_REJECTED' && l['code'] === 'CSR_SAN_MISMATCH')).toBe(true));
  });

  it('lets cert-injector read the bundle but not sign', async () => {
    const injector = await clientAs('cert-injector');
    await expect(injector.getBundle({ serviceId: 'dev' })).resolves.toMatchObject({ bundlePem: expect.stringContaining('BEGIN CERTIFICATE') });
    await expect(injector.sign(await signRequest())).rejects.toMatchObject({ kind: 'permission_denied' });
    injector.close();
  });

  it('refuses Sign and GetBundle for an authenticator not in policy, and creates no CA for it', async () => {
    const gateway = await clientAs('gateway');
    const injector = await clientAs('cert-injector');
    const refused = { kind: 'not_found', code: 'AUTHENTICATOR_NOT_FOUND' };
    for (let i = 0; i < 5; i++) await expect(gateway.getBundle({ serviceId: `random-${i}` })).rejects.toMatchObject(refused);
    await expect(gateway.sign({ ...(await signRequest()), serviceId: 'attacker' })).rejects.toMatchObject(refused);
    await expect(injector.getBundle({ serviceId: 'attacker' })).rejects.toMatchObject(refused);
    expect(readdirSync(caDir).filter((d) => d !== 'dev' && d !== 'west')).toEqual([]);
    expect(existsSync(join(caDir, 'attacker'))).toBe(false);
    await eventually(() => expect(child.lines.filter((l) => l['event'] === 'CA_AUTHENTICATOR_UNKNOWN' && l['service_id'] === 'attacker')).toHaveLength(2));
    expect(child.lines.filter((l) => l['event'] === 'CA_CREATED' && !['dev', 'west'].includes(l['service_id'] as string))).toEqual([]);

    // An authenticator added to policy gets its CA without a restart.
    policy.ids.push('added');
    await eventually(() => expect(gateway.getBundle({ serviceId: 'added' })).resolves.toMatchObject({ bundlePem: expect.stringContaining('BEGIN CERTIFICATE') }), 5000);
    expect(existsSync(join(caDir, 'added', 'ca.pem'))).toBe(true);
    gateway.close();
    injector.close();
  });

  it('refuses a request without a valid cluster, or naming another cluster than the authenticator serves', async () => {
    const gateway = await clientAs('gateway');
    const req = await signRequest();
    for (const cluster of ['', 'Prod_EU', 'a'.repeat(64)]) {
      await expect(gateway.sign({ ...req, cluster })).rejects.toMatchObject({ kind: 'invalid_argument', code: 'BAD_REQUEST', message: expect.stringContaining('cluster: exp=DNS label') });
    }
    // The gateway asking dev's CA (cluster default) for a leaf naming us: refused, so no CA vouches for a cluster it does not serve.
    await expect(gateway.sign({ ...req, cluster: 'us' })).rejects.toMatchObject({ kind: 'invalid_argument', code: 'CLUSTER_MISMATCH', message: expect.stringContaining('exp="default"') });
    gateway.close();
  });

  it("signs in the authenticator's cluster and trust domain, not PODID_TRUST_DOMAIN", async () => {
    const gateway = await clientAs('gateway');
    const spiffeId = 'spiffe://us.example/namespace/demo/podname/app-1';
    const res = await gateway.sign({ ...(await signRequest()), serviceId: 'west', csrPem: await csr(spiffeId), spiffeId, cluster: 'us' });
    expect(new X509Certificate(res.certificatePem).subjectAltName).toBe(`URI:${spiffeId}, URI:urn:podid:pod-uid:${UID}, URI:urn:podid:cluster:us`);
    // A cluster.local id is not west's pod.
    await expect(gateway.sign({ ...(await signRequest()), serviceId: 'west', cluster: 'us' })).rejects.toMatchObject({ kind: 'invalid_argument', message: expect.stringContaining('spiffe://us.example/') });
    gateway.close();
  });
});
