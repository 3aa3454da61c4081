import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { parseDocument } from 'yaml';
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '@podid/x509';
import { adminKubeconfig, kubectl, kubectlOk, repoRoot, tierRoot, until } from './support/tier';
import { applyOverlay, gateway, ns, waitAvailable, waitForLog } from './support/podid';

const run = promisify(execFile);
/** The node's address (tools/cluster/README.md): pods reach this machine there, so the simulator listens on it. */
const NODE_IP = '10.200.0.1';
const SIM_NS = 'far';
const SIM_POD = 'far-app';
const SIM_UID = '5ec0d0c1-0000-4000-8000-00000000fa01';
const HOST = 'conjur/authn-k8s/sim-cluster/apps/far-app';
const CREDENTIALS_DIR = '/var/run/podid/clusters';

/** The simulated second cluster's objects: one pod whose authenticator container the tier writes into by exec. */
const SIM_MANIFEST = `apiVersion: v1
kind: Namespace
metadata: { name: ${SIM_NS} }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: far-sa, namespace: ${SIM_NS} }
---
apiVersion: v1
kind: Pod
metadata: { name: ${SIM_POD}, namespace: ${SIM_NS}, uid: ${SIM_UID} }
spec:
  serviceAccountName: far-sa
  containers: [{ name: app, image: busybox }, { name: authenticator, image: podid/authn-client }]
status: { phase: Running }
`;

/** The tier policy with every authenticator on the real cluster (`home`), plus one on the simulated one. */
function policyWithClusters(): string {
  const doc = parseDocument(readFileSync(path.join(tierRoot, 'deploy/tier/policy.yaml'), 'utf8'));
  const policy = doc.toJSON() as { authenticators: Array<Record<string, unknown>>; hosts: Array<Record<string, unknown>> };
  for (const a of policy.authenticators) a['cluster'] = 'home';
  policy.authenticators.push({ type: 'authn-k8s', id: 'sim-cluster', cluster: 'sim', tokenTtl: '2m' });
  policy.hosts.push({ id: HOST, authenticators: ['sim-cluster'], annotations: { 'authn-k8s/namespace': SIM_NS, 'authn-k8s/service-account': 'far-sa' } });
  return JSON.stringify(policy, null, 2);
}

/**
 * An overlay on the tier's install that adds deploy/components/clusters with the real cluster and the simulator.
 * Two layers: kustomize runs a layer's own generators before its components, so the replacing generators sit in an
 * outer layer, over a fully built inner one.
 */
export function clustersOverlay(dir: string): string {
  const inner = path.join(dir, 'with-clusters');
  mkdirSync(inner, { recursive: true });
  const rel = (from: string, p: string) => path.relative(from, p);
  writeFileSync(
    path.join(inner, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ${rel(inner, path.join(tierRoot, 'deploy/tier'))}
components:
  - ${rel(inner, path.join(repoRoot, 'deploy/components/clusters'))}
`,
  );
  writeFileSync(path.join(dir, 'clusters.yaml'), `clusters:\n  - name: home\n    inCluster: true\n  - name: sim\n    kubeconfig: ${CREDENTIALS_DIR}/sim.kubeconfig\n`);
  writeFileSync(path.join(dir, 'policy.yaml'), policyWithClusters());
  writeFileSync(
    path.join(dir, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - with-clusters
configMapGenerator:
  - name: podid-clusters
    namespace: ${ns}
    behavior: replace
    files: [clusters.yaml]
    options: { disableNameSuffixHash: true }
  - name: podid-policy
    namespace: ${ns}
    behavior: replace
    files: [policy.yaml]
# ca-signer may read only the CA Secrets it is given (docs/operator-guide.md): the new authenticator's too.
patches:
  - target: { kind: Role, name: podid-ca-signer }
    patch: |-
      - op: add
        path: /rules/0/resourceNames/-
        value: podid-ca-sim-cluster
`,
  );
  return dir;
}

// Issue 17: the real cluster plus a simulated second one, served by one podid running in the real one.
describe('a second cluster, simulated beside the real one', () => {
  let sim: Simulator;
  const work = mkdtempSync(path.join(tmpdir(), 'podid-tier-clusters-'));

  beforeAll(async () => {
    sim = await startSimulator({ stateDir: path.join(work, 'sim'), host: NODE_IP, manifests: [path.join(repoRoot, 'deploy/base/rbac.yaml')], rbac: true, images: {} });
    for (const obj of parseAllYaml(SIM_MANIFEST)) await sim.apply(obj as object);
    // One credential per connecting service, each its own service account in the simulator (bound by deploy/base/rbac.yaml).
    for (const service of ['pod-verifier', 'cert-injector']) {
      const kubeconfig = sim.kubeconfigYaml({ user: `system:serviceaccount:podid:${service}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:podid', 'system:authenticated'], auth: 'cert' });
      const file = path.join(work, `${service}.kubeconfig`);
      writeFileSync(file, kubeconfig, { mode: 0o600 });
      await kubectl(['-n', ns, 'delete', 'secret', `podid-cluster-credentials-${service}`, '--ignore-not-found']);
      await kubectlOk(['-n', ns, 'create', 'secret', 'generic', `podid-cluster-credentials-${service}`, `--from-file=sim.kubeconfig=${file}`]);
    }
    // The new authenticator's CA, as an operator makes it: `podid secrets bootstrap` leaves the existing Secrets alone.
    await run('npx', ['tsx', 'tools/cli/src/main.ts', 'secrets', 'bootstrap', '--namespace', ns, '--authenticator', 'sim-cluster', '--gateway-host', 'gateway.podid.svc'], {
      cwd: repoRoot,
      env: { ...process.env, KUBECONFIG: adminKubeconfig },
      timeout: 120_000,
    });
    await applyOverlay(clustersOverlay(work));
    // Restarted, so that they read this run's credential Secrets now rather than at kubelet's next sync of the mount.
    await kubectlOk(['-n', ns, 'rollout', 'restart', 'deployment/pod-verifier', 'deployment/cert-injector']);
    for (const d of ['policy', 'pod-verifier', 'cert-injector']) await kubectlOk(['-n', ns, 'rollout', 'status', `deployment/${d}`, '--timeout=240s'], { timeoutMs: 250_000 });
    await waitAvailable();
    await waitForLog('pod-verifier', { event: 'CLUSTER_ADDED', cluster: 'sim' });
  });

  afterAll(async () => {
    await sim?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const simCertPath = () => path.join(sim.podRoot(SIM_NS, SIM_POD, 'authenticator'), 'etc/conjur/ssl/client.pem');

  const injectAndTake = async () => {
    rmSync(simCertPath(), { force: true });
    const keys = await generateKeyPair('ec-p256');
    const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: 'apps.far-app', sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/${SIM_NS}/podname/${SIM_POD}` }] });
    const answer = await gateway('POST', '/authn-k8s/sim-cluster/inject_client_cert', { headers: { 'content-type': 'text/plain', 'host-id-prefix': 'host.conjur.authn-k8s.sim-cluster' }, body: csrPem });
    return { answer, keyPem: await exportPrivateKeyPem(keys.privateKey) };
  };

  it('writes the certificate into the simulated cluster\'s pod by exec through its API, and logs it in from there', async () => {
    // A sidecar retries a 503 (the simulator's execs are slow on a loaded node); anything else fails at once.
    const { answer, keyPem } = await until(
      'a 202 from sim-cluster',
      async () => {
        const r = await injectAndTake();
        if (r.answer.status !== 503) return r;
        return undefined;
      },
      90_000,
      3000,
    );
    expect(answer.status).toBe(202);
    const certPem = await until('the certificate in the simulated pod', async () => (existsSync(simCertPath()) ? readFileSync(simCertPath(), 'utf8') : undefined), 30_000, 250);
    const leaf = new X509Certificate(certPem.split(/(?<=-----END CERTIFICATE-----)/)[0]!);
    expect(leaf.subjectAltName).toContain('URI:urn:podid:cluster:sim');
    expect(leaf.subjectAltName).toContain(`URI:urn:podid:pod-uid:${SIM_UID}`);
    const r = await gateway('POST', `/authn-k8s/sim-cluster/default/${encodeURIComponent(`host/${HOST}`)}/authenticate`, {
      headers: { 'content-type': 'text/plain', accept: 'application/jwt' },
      cert: certPem,
      key: keyPem,
    });
    expect(r.status).toBe(200);
    expect(decodeJwt(r.body)['k8s']).toMatchObject({ cluster: 'sim', namespace: SIM_NS, pod: SIM_POD, pod_uid: SIM_UID });
    // The real cluster's authenticator does not take it: another cluster, another CA.
    const cross = await gateway('POST', `/authn-k8s/dev-cluster/default/${encodeURIComponent(`host/${HOST}`)}/authenticate`, { headers: { 'content-type': 'text/plain' }, cert: certPem, key: keyPem });
    expect(cross.status).toBe(401);
  });

  it('keeps serving the real cluster while the simulated one is down, and answers 503 k8s_unavailable for it', async () => {
    await sim.stop();
    // Until the cache is given up as stale (60 s) a pod check still passes, and the exec fails, or, on a loaded node,
    // runs out of the login's time (503 upstream_deadline_exceeded); then pod-verifier itself answers k8s_unavailable.
    const { answer } = await until(
      'sim-cluster answering 503 k8s_unavailable',
      async () => {
        const r = await injectAndTake();
        return r.answer.status === 503 && JSON.parse(r.answer.body).error?.code === 'k8s_unavailable' ? r : undefined;
      },
      120_000,
      3000,
    );
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'k8s_unavailable' });
    const ready = await gateway('GET', '/readyz');
    expect(ready.status).toBe(200);
  });
});

function parseAllYaml(text: string): unknown[] {
  return text.split(/^---$/m).map((d) => parseDocument(d).toJSON() as unknown);
}
