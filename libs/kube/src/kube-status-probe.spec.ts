import { KubeConfig } from '@kubernetes/client-node';
import { tmpDir } from '@podid/testkit';
import { x509 } from '@podid/x509';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { readKubeClientCert } from './kube-client-cert';
import { KubeStatusProbe } from './kube-status-probe';
import { requiredPermissions } from './required-permissions';
import { startSimCluster, type SimCluster } from './sim-cluster.fixture';

const kcOf = (yaml: string) => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

describe('KubeStatusProbe and readKubeClientCert against the simulator', () => {
  let cluster: SimCluster;
  beforeAll(async () => {
    cluster = await startSimCluster();
  });
  afterAll(() => cluster?.stop());

  it('reports every permission pod-verifier needs as granted, with the certificate notAfter, and caches the reviews', async () => {
    let now = 1_000_000;
    const probe = new KubeStatusProbe({ kc: cluster.kc, source: 'kubeconfig-client-cert', now: () => now });
    cluster.sim.clearAccessLog();
    const s = await probe.status();
    expect(s).toMatchObject({ reachable: true, credentialSource: 'kubeconfig-client-cert' });
    expect(s.error).toBeUndefined();
    expect(s.permissions).toHaveLength(requiredPermissions().length);
    expect(s.permissions.filter((p) => !p.allowed)).toEqual([]);
    const pem = Buffer.from(cluster.kc.getCurrentUser()!.certData!, 'base64').toString('utf8');
    expect(s.clientCertNotAfter).toEqual(new x509.X509Certificate(pem).notAfter);
    const reviews = () => cluster.sim.accessLog.filter((e) => e.resource === 'selfsubjectaccessreviews').length;
    expect(reviews()).toBe(requiredPermissions().length);
    now += 10_000;
    await Promise.all([probe.status(), probe.status()]);
    expect(reviews()).toBe(requiredPermissions().length);
    now += 30_000;
    await probe.status();
    expect(reviews()).toBe(2 * requiredPermissions().length);
  });

  it('names what a user without the RBAC lacks', async () => {
    const kc = kcOf(cluster.sim.kubeconfigYaml({ user: 'nobody', auth: 'token' }));
    const s = await new KubeStatusProbe({ kc, source: 'kubeconfig-token' }).status();
    expect(s.reachable).toBe(true);
    expect(s.clientCertNotAfter).toBeUndefined();
    expect(s.permissions.find((p) => p.verb === 'watch' && p.resource === 'pods')).toMatchObject({ group: '', allowed: false });
    expect(s.permissions.some((p) => p.allowed)).toBe(false);
  });

  it('reports an unreachable API server, and one that does not answer in time', async () => {
    const dead = kcOf(cluster.kubeconfigYaml.replace(cluster.sim.url, 'https://127.0.0.1:1'));
    const down = await new KubeStatusProbe({ kc: dead, source: 'kubeconfig-client-cert' }).status();
    expect(down).toMatchObject({ reachable: false, permissions: [], error: 'GET /version failed: ECONNREFUSED' });
    expect(down.clientCertNotAfter).toBeInstanceOf(Date);
    // Accepts TCP but never answers the TLS handshake.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const hung = kcOf(cluster.kubeconfigYaml.replace(cluster.sim.url, `https://127.0.0.1:${port}`));
      const t = Date.now();
      const s = await new KubeStatusProbe({ kc: hung, source: 'kubeconfig-client-cert', timeoutMs: 300 }).status();
      expect(s).toMatchObject({ reachable: false, error: 'GET /version failed: timed out' });
      expect(Date.now() - t).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });

  it('reads the client certificate from a file named by the kubeconfig, and refuses a bad one', () => {
    const dir = tmpDir('podid-kube-cert-');
    const user = cluster.kc.getCurrentUser()!;
    const certFile = join(dir, 'client.crt');
    writeFileSync(certFile, Buffer.from(user.certData!, 'base64'));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [cluster.kc.getCurrentCluster()!],
      users: [{ name: 'u', certFile, keyData: user.keyData }],
      contexts: [{ name: 'c', cluster: cluster.kc.getCurrentCluster()!.name, user: 'u' }],
      currentContext: 'c',
    });
    expect(readKubeClientCert(kc)).toMatchObject({ subjectCn: 'pod-verifier', notAfter: expect.any(Date), serial: expect.stringMatching(/^[0-9a-f]+$/i) });
    writeFileSync(certFile, 'not a certificate');
    expect(() => readKubeClientCert(kc)).toThrow(`client-certificate file ${JSON.stringify(certFile)}: not a PEM certificate`);
    expect(readKubeClientCert(kcOf(cluster.sim.kubeconfigYaml({ user: 'x', auth: 'token' })))).toBeUndefined();
  });
});
