import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CertInjectorService } from '@podid/contracts';
import { createServiceClient, type ServiceClient } from '@podid/grpc';
import { eventually, freePort, makeTestPki, spawnNode, tmpDir, waitFor, writeTlsEnv, type ChildHandle } from '@podid/testkit';
import { makeTestLeaf } from './testing/make-test-leaf';
import { NS, startSimCluster, type SimCluster } from './testing/sim-cluster';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const clientPem = (c: SimCluster) => join(c.sim.podRoot(NS, 'web', 'authenticator'), 'etc/conjur/ssl/client.pem');

describe('cert-injector serving several clusters (dist/main.js, one simulator per cluster)', () => {
  let a: SimCluster;
  let b: SimCluster;
  let c: SimCluster;
  let bStopped = false;
  let child: ChildHandle;
  let client: ServiceClient<typeof CertInjectorService>;
  let opsPort: number;
  let clustersFile: string;
  const kubeconfig: Record<string, string> = {};
  const uid: Record<string, string> = {};

  const entry = (name: string, trustDomain?: string) => `  - name: ${name}\n    kubeconfig: ${kubeconfig[name]}\n${trustDomain ? `    trustDomain: ${trustDomain}\n` : ''}`;
  const base = () => [entry('a'), entry('b', 'b.example'), entry('crossed')];
  const writeClusters = (entries: string[]) => writeFileSync(clustersFile, `clusters:\n${entries.join('')}`);
  const leaf = async (cluster: string, trustDomain = 'cluster.local', podUid?: string) => (await makeTestLeaf({ namespace: NS, pod: 'web', podUid, cluster, trustDomain })).certPem;
  const inject = (cluster: string, certificatePem: string) => client.inject({ cluster, namespace: NS, pod: 'web', container: 'authenticator', certificatePem, podUid: '' });
  const failure = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { kind: string; code: string; message: string }) => `${e.kind}/${e.code}: ${e.message}`);

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" in apps/cert-injector first`);
    [a, b, c] = await Promise.all([startSimCluster([]), startSimCluster([]), startSimCluster([])]);
    // The same namespace and pod name in every cluster.
    for (const [name, cl] of [['a', a], ['b', b], ['c', c]] as const) uid[name] = await cl.addPod('web');
    const dir = tmpDir('podid-ci-clusters-');
    for (const [name, cl] of [['a', a], ['b', b], ['c', c]] as const) {
      kubeconfig[name] = join(dir, `${name}.kubeconfig`);
      writeFileSync(kubeconfig[name]!, cl.injectorYaml, { mode: 0o600 });
    }
    // Cluster a's client certificate aimed at b's API server, trusting b's CA.
    kubeconfig['crossed'] = join(dir, 'crossed.kubeconfig');
    writeFileSync(
      kubeconfig['crossed']!,
      a.injectorYaml.replace(a.sim.url, b.sim.url).replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${Buffer.from(b.sim.caPem).toString('base64')}`),
      { mode: 0o600 },
    );
    clustersFile = join(dir, 'clusters.yaml');
    writeClusters(base());
    const pki = await makeTestPki('ci-clusters');
    const grpcPort = await freePort();
    opsPort = await freePort();
    child = spawnNode(MAIN, {
      ...writeTlsEnv(dir, 'cert-injector', await pki.tls('cert-injector')),
      PODID_CLUSTERS_FILE: clustersFile,
      PODID_CLUSTERS_POLL_MS: '200',
      PODID_CLUSTER_SYNC_GRACE_MS: '3000',
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
    });
    await child.waitForEvent('SERVICE_READY').catch((e: Error) => {
      throw new Error(`${e.message}\n${child.lines.map((l) => JSON.stringify(l)).join('\n').slice(-3000)}`);
    });
    expect(child.lines.find((l) => l['event'] === 'SERVICE_READY')).toMatchObject({ clusters_file: clustersFile, clusters: ['a', 'b', 'crossed'] });
    client = createServiceClient(CertInjectorService, { address: `127.0.0.1:${grpcPort}`, tls: await pki.tls('gateway'), expectService: 'cert-injector', deadlineMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    if (child) expect(await child.stop()).toBe(0);
    await Promise.all([a, bStopped ? undefined : b, c].map((cl) => cl?.stop()));
  });

  it('execs only in the cluster the request names, with a leaf of that cluster', async () => {
    mkdirSync(dirname(clientPem(b)), { recursive: true });
    writeFileSync(clientPem(b), 'b before\n');
    const pem = await leaf('a', 'cluster.local', uid['a']);
    expect(await client.inject({ cluster: 'a', namespace: NS, pod: 'web', container: 'authenticator', certificatePem: pem, podUid: uid['a']! })).toMatchObject({ path: '/etc/conjur/ssl/client.pem' });
    expect(readFileSync(clientPem(a), 'utf8')).toBe(pem);
    expect(readFileSync(clientPem(b), 'utf8')).toBe('b before\n');
    const inB = await leaf('b', 'b.example');
    await inject('b', inB);
    expect(readFileSync(clientPem(b), 'utf8')).toBe(inB);
    expect(readFileSync(clientPem(a), 'utf8')).toBe(pem);
  });

  it('refuses a leaf naming another cluster, none, or another trust domain than the cluster\'s, and writes nothing', async () => {
    const before = readFileSync(clientPem(a), 'utf8');
    expect(await failure(inject('a', await leaf('b')))).toBe('invalid_argument/CERT_TARGET_MISMATCH: SAN cluster mismatch: exp="a" got="b"');
    const noCluster = (await makeTestLeaf({ namespace: NS, pod: 'web', uris: [`spiffe://cluster.local/namespace/${NS}/podname/web`] })).certPem;
    expect(await failure(inject('a', noCluster))).toBe('invalid_argument/CERT_TARGET_MISMATCH: leaf SAN: exp=one urn:podid:cluster:<name> got=0');
    expect(await failure(inject('b', await leaf('b', 'cluster.local')))).toMatch(/^invalid_argument\/CERT_TARGET_MISMATCH: leaf SAN: wrong trust domain/);
    expect(readFileSync(clientPem(a), 'utf8')).toBe(before);
    expect(child.lines.filter((l) => l['event'] === 'CERT_TARGET_MISMATCH').map((l) => l['cluster'])).toEqual(['a', 'a', 'b']);
  });

  it('refuses an unknown cluster, and none named among several, with UNAVAILABLE naming them', async () => {
    expect(await failure(inject('zz', await leaf('zz')))).toBe('unavailable/K8S_UNAVAILABLE: cert-injector: cluster "zz" is not declared (declared: a, b, crossed)');
    expect(await failure(inject('', await leaf('a')))).toBe('unavailable/K8S_UNAVAILABLE: cert-injector: the request names no cluster and 3 are declared (a, b, crossed)');
  });

  it('never execs through another cluster\'s API server: cluster a\'s credential against b is refused', async () => {
    const before = readFileSync(clientPem(b), 'utf8');
    expect(await failure(inject('crossed', await leaf('crossed')))).toBe(
      'unavailable/K8S_UNAVAILABLE: cert-injector: cluster "crossed": Kubernetes API rejected our credentials (401) on "create pods/exec"',
    );
    expect(readFileSync(clientPem(b), 'utf8')).toBe(before);
  });

  it('is ready, and labels the client certificate expiry by cluster in one gauge', async () => {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200, { timeoutMs: 15_000, message: '/readyz 200' });
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    for (const name of ['a', 'b', 'crossed']) expect(metrics).toMatch(new RegExp(`^podid_k8s_client_cert_expiry_seconds\\{cluster="${name}"\\} \\d+$`, 'm'));
    expect(metrics.match(/^# TYPE podid_k8s_client_cert_expiry_seconds gauge$/gm)).toHaveLength(1);
  });

  it('opens a cluster added to the file and closes one removed, without a restart', async () => {
    writeClusters([...base(), entry('c')]);
    const pem = await leaf('c');
    await eventually(async () => expect(await failure(inject('c', pem))).toBe('accepted'), 15_000);
    expect(readFileSync(clientPem(c), 'utf8')).toBe(pem);
    writeClusters(base());
    await eventually(async () => expect(await failure(inject('c', pem))).toBe('unavailable/K8S_UNAVAILABLE: cert-injector: cluster "c" is not declared (declared: a, b, crossed)'), 15_000);
    expect(child.lines.some((l) => l['event'] === 'CLUSTER_REMOVED' && l['cluster'] === 'c')).toBe(true);
  });

  it('fails only the injections of a cluster whose API server is down, and stays ready', async () => {
    bStopped = true;
    await b.stop();
    expect(await failure(inject('b', await leaf('b', 'b.example')))).toMatch(/^unavailable\/K8S_UNAVAILABLE: cert-injector: cluster "b": Kubernetes API unavailable for exec/);
    const pem = await leaf('a');
    await inject('a', pem);
    expect(readFileSync(clientPem(a), 'utf8')).toBe(pem);
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
  });
});
