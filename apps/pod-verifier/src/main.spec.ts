import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { PodVerifierService } from '@podid/contracts';
import { createServiceClient } from '@podid/grpc';
import { freePort, makeTestPki, spawnNode, waitFor, writeTlsEnv, type TestPki, eventually } from '@podid/testkit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPod, startSimCluster, type SimCluster } from './testing/sim-cluster';

const MAIN = join(__dirname, '../dist/main.js');

describe('pod-verifier process lifecycle', () => {
  let cluster: SimCluster;
  let pki: TestPki;
  let tlsEnv: Record<string, string>;

  beforeAll(async () => {
    cluster = await startSimCluster();
    pki = await makeTestPki('pv-main');
    tlsEnv = writeTlsEnv(cluster.dir, 'pod-verifier', await pki.tls('pod-verifier'));
  });
  afterAll(() => cluster?.sim.stop());

  const envWith = async (extra: Record<string, string> = {}) => {
    const [grpc, ops] = [await freePort(), await freePort()];
    const env = { ...tlsEnv, KUBECONFIG: cluster.kubeconfigPath, PODID_GRPC_HOST: '127.0.0.1', PODID_GRPC_PORT: String(grpc), PODID_OPS_HOST: '127.0.0.1', PODID_OPS_PORT: String(ops), ...extra };
    return { env, grpc, ops };
  };

  it('starts, serves health and readiness, and exits 0 on SIGTERM', async () => {
    const { env, grpc, ops } = await envWith({ PODID_SA_TOKEN_ISSUER: cluster.sim.serviceAccountIssuer, PODID_K8S_CERT_WARN_DAYS: '365' });
    const child = spawnNode(MAIN, env);
    try {
      const ready = await child.waitForEvent('SERVICE_READY');
      expect(ready).toMatchObject({ grpc_port: grpc, ops_port: ops, kube_credentials: 'kubeconfig-client-cert', token_review: 'local-jwks' });
      expect((await fetch(`http://127.0.0.1:${ops}/healthz`)).status).toBe(200);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${ops}/readyz`)).status === 200, { message: 'readyz after informers synced' });
      const tls = await pki.tls('gateway');
      const Health = makeGenericClientConstructor(healthService, 'Health');
      const health = new Health(`127.0.0.1:${grpc}`, credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem)), {
        'grpc.ssl_target_name_override': 'pod-verifier',
      }) as unknown as Client & { check: (req: object, cb: (err: Error | null, res: { status: string }) => void) => void };
      const res = await new Promise<{ status: string }>((resolve, reject) =>
        health.check({ service: 'authn.v1.PodVerifier' }, (err, r) => (err ? reject(err) : resolve(r))),
      );
      expect(res.status).toBe('SERVING');
      health.close();
      // Local JWKS mode end to end: a projected token of a live pod is accepted.
      await cluster.sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'jwks' } });
      await cluster.sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'jwks', name: 'sa' } });
      const uid = await applyPod(cluster.sim, 'jwks', 'p1', { serviceAccount: 'sa' });
      const token = await cluster.sim.createServiceAccountToken({ namespace: 'jwks', serviceAccount: 'sa', audiences: ['podid'], podName: 'p1' });
      const pv = createServiceClient(PodVerifierService, { address: `127.0.0.1:${grpc}`, tls, expectService: 'pod-verifier', deadlineMs: 5000 });
      await expect(pv.reviewToken({ cluster: '', token, audience: 'podid', maxTokenAgeSeconds: 0 })).resolves.toMatchObject({ podUid: uid, serviceAccount: 'sa' });
      pv.close();
      await eventually(() => expect(child.lines.some((l) => l['event'] === 'SA_JWKS_REFRESHED')).toBe(true));
      // The simulator's client certificate lives a year: a year's threshold warns, with the expiry on /metrics.
      await eventually(() => expect(child.lines.find((l) => l['event'] === 'K8S_CLIENT_CERT_EXPIRING')).toMatchObject({ level: 'warn', subject_cn: 'pod-verifier', days_left: expect.any(Number) }));
      const metrics = await (await fetch(`http://127.0.0.1:${ops}/metrics`)).text();
      const left = Number(/^podid_k8s_client_cert_expiry_seconds\{cluster="default"\} (\S+)$/m.exec(metrics)?.[1]);
      expect(left).toBeGreaterThan(300 * 86_400);
      expect(left).toBeLessThan(366 * 86_400);
    } finally {
      expect(await child.stop('SIGTERM')).toBe(0);
    }
    expect(child.lines.some((l) => l['event'] === 'SERVICE_STOPPED')).toBe(true);
  });

  it('stays not ready while the Kubernetes API is unreachable', async () => {
    const dead = join(cluster.dir, 'dead-kubeconfig');
    writeFileSync(dead, cluster.sim.kubeconfigYaml({ user: 'pod-verifier' }).replace(cluster.sim.url, 'https://127.0.0.1:1'));
    const { env, ops } = await envWith({ KUBECONFIG: dead });
    const child = spawnNode(MAIN, env);
    try {
      await child.waitForEvent('SERVICE_READY');
      await child.waitForEvent('K8S_INFORMER_ERROR');
      expect((await fetch(`http://127.0.0.1:${ops}/readyz`)).status).toBe(503);
    } finally {
      expect(await child.stop('SIGTERM')).toBe(0);
    }
  });

  it('exits 1 naming the cause when a clusters file meets PODID_SA_TOKEN_ISSUER, or the one cluster cannot open', async () => {
    const clusters = join(cluster.dir, 'clusters.yaml');
    writeFileSync(clusters, `clusters:\n  - name: a\n    kubeconfig: ${cluster.kubeconfigPath}\n`);
    const cases: Array<[Record<string, string>, string]> = [
      [{ PODID_CLUSTERS_FILE: clusters, PODID_SA_TOKEN_ISSUER: cluster.sim.serviceAccountIssuer }, 'PODID_SA_TOKEN_ISSUER cannot be used with PODID_CLUSTERS_FILE'],
      [{ KUBECONFIG: join(cluster.dir, 'missing-kubeconfig') }, 'cluster "default": KUBECONFIG='],
    ];
    for (const [extra, message] of cases) {
      const child = spawnNode(MAIN, (await envWith(extra)).env);
      expect(await new Promise((resolve) => child.child.once('exit', resolve))).toBe(1);
      expect(child.lines.find((l) => l['event'] === 'SERVICE_FAILED')?.['err']).toMatchObject({ message: expect.stringContaining(message) });
    }
  });

  it.each([
    ['PODID_SA_TOKEN_ISSUER', 'http://plain.example'],
    ['PODID_K8S_CERT_WARN_DAYS', '400'],
  ])('exits 78 with one stderr line naming a bad %s', async (name, value) => {
    const { env } = await envWith({ [name]: value });
    const child = spawnNode(MAIN, env);
    expect(await new Promise((resolve) => child.child.once('exit', resolve))).toBe(78);
    const lines = child.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${name}="${value}"`);
  });
});
