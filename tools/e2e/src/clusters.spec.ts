import { X509Certificate, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { httpsCall, waitFor, type HttpsAnswer } from '@podid/testkit';
import { FIXTURES, startE2eSuite, type Suite } from './support/e2e-suite';
import { CLIENT_PEM, podCsr, splitHostId } from './support/pod-login';

const DIR = join(FIXTURES, 'clusters');
const UID = { east: '0e1a5c7e-0000-4000-8000-0000000000e1', west: '0e1a5c7e-0000-4000-8000-0000000000f1' } as const;
type ClusterName = keyof typeof UID;

/**
 * Many clusters, one podid (docs/clusters.md): two simulated clusters, east and west, each with a pod `shared/twin`
 * of the same namespace, name and service account. Each authenticator serves one cluster; nothing of one cluster
 * may log in through the other's.
 */
describe('e2e: many clusters', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startE2eSuite({
      policyPath: join(DIR, 'policy.yaml'),
      clusters: [
        { name: 'east', manifests: [join(DIR, 'east.yaml')] },
        { name: 'west', manifests: [join(DIR, 'west.yaml')] },
      ],
      env: { policy: { PODID_CLUSTERS_POLL_MS: '300' }, 'pod-verifier': { PODID_CLUSTERS_POLL_MS: '300' }, 'cert-injector': { PODID_CLUSTERS_POLL_MS: '300' } },
    });
  }, 180_000);
  afterAll(() => suite?.stop());

  const pemPath = (cluster: ClusterName, pod: string) => join(suite.sims.get(cluster)!.podRoot('shared', pod, 'authenticator'), CLIENT_PEM);

  const inject = async (serviceId: string, hostId: string, pod: string) => {
    const { prefix, cn } = splitHostId(hostId);
    const { csrPem, keyPem } = await podCsr({ cn, namespace: 'shared', pod });
    const answer = await httpsCall(suite.gatewayUrl, {
      method: 'POST',
      path: `/authn-k8s/${serviceId}/inject_client_cert`,
      caPem: suite.gatewayCaPem,
      headers: { 'content-type': 'text/plain', 'host-id-prefix': prefix, 'x-request-id': randomUUID() },
      body: csrPem,
    });
    return { answer, keyPem };
  };

  /** The certificate login through `serviceId`, reading the certificate from `cluster`'s pod, where it must land. */
  const certificateLogin = async (serviceId: string, cluster: ClusterName, pod = 'twin', hostId = 'apps/twin') => {
    for (const c of ['east', 'west'] as const) rmSync(pemPath(c, pod), { force: true });
    const { answer, keyPem } = await inject(serviceId, hostId, pod);
    expect(answer.status).toBe(202);
    const certPem = await waitFor(() => (existsSync(pemPath(cluster, pod)) ? readFileSync(pemPath(cluster, pod), 'utf8') : undefined), { timeoutMs: 5000, message: `${cluster}'s ${pod} certificate` });
    return { certPem, keyPem };
  };

  const authenticate = (serviceId: string, login: { certPem: string; keyPem: string }, hostId = 'apps/twin'): Promise<HttpsAnswer & { requestId: string }> => {
    const requestId = randomUUID();
    return httpsCall(suite.gatewayUrl, {
      method: 'POST',
      path: `/authn-k8s/${serviceId}/default/${encodeURIComponent(`host/${hostId}`)}/authenticate`,
      caPem: suite.gatewayCaPem,
      cert: login.certPem,
      key: login.keyPem,
      headers: { 'content-type': 'text/plain', accept: 'application/jwt', 'x-request-id': requestId },
    }).then((r) => ({ ...r, requestId }));
  };

  const jwtLogin = async (serviceId: string, token: string) =>
    httpsCall(suite.gatewayUrl, { method: 'POST', path: `/authn-jwt/${serviceId}/default/authenticate`, caPem: suite.gatewayCaPem, headers: { 'content-type': 'text/plain', accept: 'application/jwt' }, body: `jwt=${token}` });

  const saToken = (cluster: ClusterName) =>
    suite.sims.get(cluster)!.createServiceAccountToken({ namespace: 'shared', serviceAccount: 'app-sa', audiences: ['podid'], podName: 'twin', expirationSeconds: 600 });

  it('writes each authenticator\'s certificate into its own cluster\'s pod, naming the cluster, and its token says so', async () => {
    for (const cluster of ['east', 'west'] as const) {
      const other = cluster === 'east' ? 'west' : 'east';
      const login = await certificateLogin(`${cluster}-k8s`, cluster);
      expect(existsSync(pemPath(other, 'twin'))).toBe(false);
      const leaf = new X509Certificate(login.certPem.split(/(?<=-----END CERTIFICATE-----)/)[0]!);
      expect(leaf.subjectAltName).toContain(`URI:urn:podid:cluster:${cluster}`);
      expect(leaf.subjectAltName).toContain(`URI:urn:podid:pod-uid:${UID[cluster]}`);
      const r = await authenticate(`${cluster}-k8s`, login);
      expect(r.status).toBe(200);
      expect(decodeJwt(r.body)['k8s']).toMatchObject({ cluster, namespace: 'shared', pod: 'twin', pod_uid: UID[cluster] });
    }
  });

  it('refuses one cluster\'s certificate at the other\'s authenticator, though namespace, pod and host are the same', async () => {
    const east = await certificateLogin('east-k8s', 'east');
    const r = await authenticate('west-k8s', east);
    expect(r.status).toBe(401);
    expect(r.body).not.toMatch(/eyJ/);
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_AUTHENTICATE' && l['request_id'] === r.requestId), { timeoutMs: 2000, message: 'audit line' });
    expect(audit).toMatchObject({ result: 'failure' });
  });

  it('delivers a CSR that names a pod only the other cluster has to nobody', async () => {
    rmSync(pemPath('east', 'only-east'), { force: true });
    // apps/only-east is east-k8s's only; through west-k8s the host does not resolve, and west has no such pod either.
    const { answer } = await inject('west-k8s', 'apps/only-east', 'only-east');
    expect(answer.status).toBe(401);
    expect(existsSync(pemPath('east', 'only-east'))).toBe(false);
  });

  it('refuses one cluster\'s service-account token at the other\'s authn-jwt authenticator', async () => {
    const east = await saToken('east');
    const ok = await jwtLogin('east-jwt', east);
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body)['k8s']).toMatchObject({ cluster: 'east', pod_uid: UID.east });
    expect((await jwtLogin('west-jwt', east)).status).toBe(401);
  });

  it('drops a cluster removed from the clusters file and takes it back when it returns, without a restart', async () => {
    const files = ['pod-verifier', 'cert-injector'].map((s) => join(suite.stateDir, `clusters.${s}.yaml`));
    const saved = files.map((f) => readFileSync(f, 'utf8'));
    const withoutWest = saved.map((t) => t.replace(/ {2}- name: west\n(?: {4}.*\n)+/, ''));
    expect(withoutWest[0]).not.toContain('west');
    files.forEach((f, i) => writeFileSync(f, withoutWest[i]!));
    try {
      await waitFor(() => suite.logs('pod-verifier').some((l) => l['event'] === 'CLUSTER_REMOVED' && l['cluster'] === 'west'), { timeoutMs: 5000, message: 'west removed' });
      const { answer } = await inject('west-k8s', 'apps/twin', 'twin');
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body).error).toMatchObject({ code: 'k8s_unavailable' });
      expect(existsSync(pemPath('west', 'twin'))).toBe(false);
      // east is untouched.
      await certificateLogin('east-k8s', 'east');
    } finally {
      files.forEach((f, i) => writeFileSync(f, saved[i]!));
    }
    await waitFor(() => suite.logs('pod-verifier').filter((l) => l['event'] === 'CLUSTER_ADDED' && l['cluster'] === 'west').length >= 2, { timeoutMs: 5000, message: 'west back' });
    const back = await waitFor(async () => ((await inject('west-k8s', 'apps/twin', 'twin')).answer.status === 202 ? true : undefined), { timeoutMs: 15_000, message: 'west serving again' });
    expect(back).toBe(true);
  });

  it('never serves a cluster from another cluster\'s credential', async () => {
    // west's entry, for both services, points at a kubeconfig holding east's client certificate with west's server.
    const files = ['pod-verifier', 'cert-injector'].map((s) => join(suite.stateDir, `clusters.${s}.yaml`));
    const saved = files.map((f) => readFileSync(f, 'utf8'));
    const westServer = suite.sims.get('west')!.url;
    try {
      files.forEach((f, i) => {
        const eastPath = /- name: east\n {4}kubeconfig: (\S+)/.exec(saved[i]!)![1]!;
        const forged = join(suite.stateDir, `forged-${i}.kubeconfig`);
        writeFileSync(forged, readFileSync(eastPath, 'utf8').replace(/server: \S+/, `server: ${westServer}`), { mode: 0o600 });
        writeFileSync(f, saved[i]!.replace(/(- name: west\n {4}kubeconfig: )\S+/, `$1${forged}`));
      });
      await waitFor(() => suite.logs('pod-verifier').filter((l) => l['event'] === 'CLUSTER_ADDED' && l['cluster'] === 'west').length >= 3, { timeoutMs: 5000, message: 'west reopened' });
      for (const c of ['east', 'west'] as const) rmSync(pemPath(c, 'twin'), { force: true });
      const { answer } = await inject('west-k8s', 'apps/twin', 'twin');
      expect(answer.status).toBe(503);
      expect(existsSync(pemPath('west', 'twin'))).toBe(false);
      expect(existsSync(pemPath('east', 'twin'))).toBe(false);
    } finally {
      files.forEach((f, i) => writeFileSync(f, saved[i]!));
    }
  });

  it('keeps serving one cluster while the other is down', async () => {
    await suite.sims.get('west')!.stop();
    const { answer } = await inject('west-k8s', 'apps/twin', 'twin');
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'k8s_unavailable' });
    const east = await certificateLogin('east-k8s', 'east');
    expect((await authenticate('east-k8s', east)).status).toBe(200);
  });
});
