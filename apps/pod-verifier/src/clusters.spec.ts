import { PodVerifierService, TokenIssuerService, type Restrictions } from '@podid/contracts';
import { createServiceClient, service, startGrpcServer, type GrpcServerHandle, type ServiceClient } from '@podid/grpc';
import { createLogger, LogCapture } from '@podid/logging';
import { eventually, freePort, makeTestPki, spawnNode, tmpDir, waitFor, writeTlsEnv, type ChildHandle, type TestPki } from '@podid/testkit';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPod, startSimCluster, type SimCluster } from './testing/sim-cluster';

const none: Restrictions = {
  namespace: '', namespaceLabelSelector: '', serviceAccount: '', pod: '', deployment: '', statefulSet: '', daemonSet: '', job: '', cronJob: '', podLabelSelector: '',
};

/** A kubeconfig with cluster `from`'s client certificate, aimed at `to`'s API server (trusting `to`'s CA). */
function crossedKubeconfig(from: SimCluster, to: SimCluster): string {
  return readFileSync(from.kubeconfigPath, 'utf8')
    .replace(from.sim.url, to.sim.url)
    .replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${Buffer.from(to.sim.caPem).toString('base64')}`);
}

describe('pod-verifier serving several clusters (dist/main.js, one simulator per cluster)', () => {
  let a: SimCluster;
  let b: SimCluster;
  let c: SimCluster;
  let pki: TestPki;
  let child: ChildHandle;
  let client: ServiceClient<typeof PodVerifierService>;
  let issuer: GrpcServerHandle;
  let opsPort: number;
  let clustersFile: string;
  let crossedPath: string;
  const listedFor: string[] = [];
  const revoked: string[] = [];
  const uid: Record<string, string> = {};
  let bStopped = false;

  const entry = (name: string, kubeconfig: string) => `  - name: ${name}\n    kubeconfig: ${kubeconfig}\n`;
  const writeClusters = (...entries: string[]) => writeFileSync(clustersFile, `clusters:\n${entries.join('')}`);

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startSimCluster(), startSimCluster(), startSimCluster()]);
    // The same namespace and pod name in each cluster; only the uid differs.
    for (const [name, cl] of [['a', a], ['b', b], ['c', c]] as const) {
      await cl.sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
      await cl.sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'demo', name: 'sa' } });
      uid[name] = await applyPod(cl.sim, 'demo', 'web', { serviceAccount: 'sa' });
    }
    const dir = tmpDir('podid-pv-clusters-');
    crossedPath = join(dir, 'crossed-kubeconfig');
    writeFileSync(crossedPath, crossedKubeconfig(a, b), { mode: 0o600 });
    clustersFile = join(dir, 'clusters.yaml');
    writeClusters(entry('a', a.kubeconfigPath), entry('b', b.kubeconfigPath), entry('crossed', crossedPath));

    pki = await makeTestPki('pv-clusters');
    // A token-issuer that ignores the cluster filter: pod-verifier must still never revoke another cluster's pod.
    issuer = await startGrpcServer({
      port: 0,
      tls: await pki.tls('token-issuer'),
      log: createLogger({ service: 'token-issuer', destination: new LogCapture() }),
      services: [
        service({
          name: 'authn.v1.TokenIssuer',
          definition: TokenIssuerService,
          allow: { issue: [], introspect: [], revoke: ['pod-verifier'], getJwks: [], listLivePods: ['pod-verifier'] },
          handlers: {
            issue: () => Promise.reject(new Error('unused')),
            introspect: () => Promise.reject(new Error('unused')),
            getJwks: () => Promise.reject(new Error('unused')),
            async listLivePods(req) {
              listedFor.push(req.cluster);
              const expiresAt = Math.floor(Date.now() / 1000) + 600;
              return { pods: [{ namespace: 'demo', podUid: 'gone-from-a', expiresAt, cluster: 'a' }, { namespace: 'demo', podUid: uid['b']!, expiresAt, cluster: 'b' }] };
            },
            async revoke(req) {
              if (req.target?.$case === 'podUid') revoked.push(req.target.value);
              return {};
            },
          },
        }),
      ],
    });
    const grpcPort = await freePort();
    opsPort = await freePort();
    child = spawnNode(join(__dirname, '../dist/main.js'), {
      ...writeTlsEnv(dir, 'pod-verifier', await pki.tls('pod-verifier')),
      PODID_CLUSTERS_FILE: clustersFile,
      PODID_CLUSTERS_POLL_MS: '200',
      PODID_CLUSTER_SYNC_GRACE_MS: '3000',
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
      PODID_TOKEN_ISSUER_ADDR: `127.0.0.1:${issuer.port}`,
    });
    expect(await child.waitForEvent('SERVICE_READY')).toMatchObject({ clusters_file: clustersFile, clusters: ['a', 'b', 'crossed'] });
    client = createServiceClient(PodVerifierService, { address: `127.0.0.1:${grpcPort}`, tls: await pki.tls('gateway'), expectService: 'pod-verifier', deadlineMs: 5000 });
    await eventually(async () => expect((await client.getStatus({ cluster: 'a' })).synced && (await client.getStatus({ cluster: 'b' })).synced).toBe(true), 20_000);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    if (child) expect(await child.stop()).toBe(0);
    await issuer?.stop(100);
    await Promise.all([a, bStopped ? undefined : b, c].map((cl) => cl?.sim.stop()));
  });

  const verify = (cluster: string, pod = 'web', expectedUid = '') => client.verifyPod({ cluster, namespace: 'demo', pod, restrictions: none, containerName: 'app', expectedUid });
  const failure = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { kind: string; code: string; message: string }) => `${e.kind}/${e.code}: ${e.message}`);

  it('answers each request from the cluster it names: the same namespace and pod name have each cluster\'s uid', async () => {
    expect((await verify('a')).uid).toBe(uid['a']);
    expect((await verify('b')).uid).toBe(uid['b']);
    expect(await failure(verify('b', 'web', uid['a']))).toMatch(/^not_found\/POD_UID_MISMATCH/);
    expect(await client.checkPodLive({ cluster: 'a', namespace: 'demo', pod: 'web', podUid: uid['a']! })).toEqual({ live: true });
    expect(await client.checkPodLive({ cluster: 'b', namespace: 'demo', pod: 'web', podUid: uid['a']! })).toEqual({ live: false });
    expect((await client.explainPod({ cluster: 'b', namespace: 'demo', pod: 'web', restrictions: none, containerName: 'app' })).uid).toBe(uid['b']);
  });

  it('reviews a service-account token only in its own cluster', async () => {
    const token = await a.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'sa', audiences: ['podid'], podName: 'web' });
    expect(await client.reviewToken({ cluster: 'a', token, audience: 'podid', maxTokenAgeSeconds: 0 })).toMatchObject({ podUid: uid['a'] });
    expect(await failure(client.reviewToken({ cluster: 'b', token, audience: 'podid', maxTokenAgeSeconds: 0 }))).toMatch(/^unauthenticated\//);
  });

  it('refuses an unknown cluster, and a request naming none among several, with UNAVAILABLE naming them', async () => {
    expect(await failure(verify('zz'))).toBe('unavailable/K8S_UNAVAILABLE: pod-verifier: cluster "zz" is not declared (declared: a, b, crossed)');
    expect(await failure(verify(''))).toBe('unavailable/K8S_UNAVAILABLE: pod-verifier: the request names no cluster and 3 are declared (a, b, crossed)');
    expect(await failure(verify('A\n'))).toBe('invalid_argument/BAD_REQUEST: cluster: exp=a DNS label (lowercase a-z, 0-9, "-", at most 63)');
    expect(await failure(client.getStatus({ cluster: 'zz' }))).toMatch(/^unavailable\/K8S_UNAVAILABLE: pod-verifier: cluster "zz"/);
  });

  it('never serves a cluster from another cluster\'s API server: cluster A\'s credential against B is refused', async () => {
    expect(await failure(verify('crossed'))).toMatch(/^unavailable\/K8S_UNAVAILABLE: pod-verifier: cluster "crossed": Kubernetes API rejected our credentials \(401\)/);
    expect(await failure(client.checkPodLive({ cluster: 'crossed', namespace: 'demo', pod: 'web', podUid: uid['b']! }))).toBe(
      'unavailable/K8S_UNAVAILABLE: pod-verifier: cluster "crossed": pod cache not synced yet',
    );
    expect(await client.getStatus({ cluster: 'crossed' })).toMatchObject({ synced: false });
  });

  it('stays ready after the grace with one cluster that never syncs, and reconciles each cluster against its own pods', async () => {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200, { timeoutMs: 15_000, message: 'readyz 200 with "crossed" unsynced' });
    await waitFor(() => revoked.includes('gone-from-a'), { timeoutMs: 10_000, message: 'cluster a revoked its absent pod' });
    expect(listedFor).toEqual(expect.arrayContaining(['a', 'b']));
    expect(revoked).not.toContain(uid['b']);
  });

  it('labels the API timer and the client certificate expiry by cluster', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    for (const name of ['a', 'b', 'crossed']) expect(metrics).toMatch(new RegExp(`^podid_k8s_client_cert_expiry_seconds\\{cluster="${name}"\\} \\d+$`, 'm'));
    expect(metrics.match(/^# TYPE podid_k8s_client_cert_expiry_seconds gauge$/gm)).toHaveLength(1);
    expect(metrics).toMatch(/podid_k8s_api_request_seconds_count\{cluster="crossed",operation="get pods",result="error"\} [1-9]/);
  });

  it('opens a cluster added to the file and closes one removed, without a restart', async () => {
    writeClusters(entry('a', a.kubeconfigPath), entry('b', b.kubeconfigPath), entry('crossed', crossedPath), entry('c', c.kubeconfigPath));
    await eventually(async () => expect((await verify('c')).uid).toBe(uid['c']), 15_000);
    expect(child.lines.find((l) => l['event'] === 'CLUSTER_ADDED' && l['cluster'] === 'c')).toBeDefined();
    writeClusters(entry('a', a.kubeconfigPath), entry('b', b.kubeconfigPath), entry('crossed', crossedPath));
    await eventually(async () => expect(await failure(verify('c'))).toBe('unavailable/K8S_UNAVAILABLE: pod-verifier: cluster "c" is not declared (declared: a, b, crossed)'), 15_000);
    expect(child.lines.find((l) => l['event'] === 'CLUSTER_REMOVED' && l['cluster'] === 'c')).toBeDefined();
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).not.toContain('podid_k8s_client_cert_expiry_seconds{cluster="c"}');
    expect((await verify('a')).uid).toBe(uid['a']);
  });

  it('fails only the requests of a cluster whose API server is down, and stays ready', async () => {
    const token = await b.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'sa', audiences: ['podid'], podName: 'web' });
    bStopped = true;
    await b.sim.stop();
    expect(await failure(verify('b', 'not-cached'))).toMatch(/^unavailable\/K8S_UNAVAILABLE: pod-verifier: cluster "b": Kubernetes API unreachable on "get pods"/);
    expect(await failure(client.reviewToken({ cluster: 'b', token, audience: 'podid', maxTokenAgeSeconds: 0 }))).toMatch(/^unavailable\/K8S_UNAVAILABLE: pod-verifier: cluster "b": /);
    expect(await client.getStatus({ cluster: 'b' })).toMatchObject({ reachable: false, error: expect.stringContaining('GET /version failed') });
    expect((await verify('a')).uid).toBe(uid['a']);
    expect(await client.getStatus({ cluster: 'a' })).toMatchObject({ reachable: true });
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
  });
});
