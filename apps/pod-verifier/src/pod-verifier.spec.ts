import { PodVerifierService, TokenIssuerService, type Restrictions } from '@podid/contracts';
import { DependencyUnavailableError } from '@podid/errors';
import { createServiceClient, service, startGrpcServer, type GrpcServerHandle, type ServiceClient } from '@podid/grpc';
import { createLogger, LogCapture } from '@podid/logging';
import { freePort, makeTestPki, spawnNode, waitFor, writeTlsEnv, type ChildHandle, type TestPki, eventually } from '@podid/testkit';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOwner, applyPod, startSimCluster, type SimCluster } from './testing/sim-cluster';

const none: Restrictions = {
  namespace: '', namespaceLabelSelector: '', serviceAccount: '', pod: '', deployment: '', statefulSet: '', daemonSet: '', job: '', cronJob: '', podLabelSelector: '',
};

describe('pod-verifier over gRPC mTLS against the simulator (dist/main.js)', () => {
  let cluster: SimCluster;
  let child: ChildHandle;
  let client: ServiceClient<typeof PodVerifierService>;
  let issuer: GrpcServerHandle;
  const revoked: string[] = [];
  let failNextRevoke = true;
  const uids: Record<string, string> = {};
  let pki: TestPki;
  let grpcAddress: string;

  beforeAll(async () => {
    cluster = await startSimCluster();
    const { sim } = cluster;
    await sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { env: 'dev', team: 'a' } } });
    await sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'demo', name: 'demo-sa' } });
    const dep = await applyOwner(sim, 'Deployment', 'demo', 'web');
    const rs = await applyOwner(sim, 'ReplicaSet', 'demo', 'web-7f9', dep);
    uids['web'] = await applyPod(sim, 'demo', 'web-7f9-a', { serviceAccount: 'demo-sa', owner: rs, labels: { app: 'web' }, initContainers: ['init-auth'] });
    await applyPod(sim, 'demo', 'db-0', { owner: await applyOwner(sim, 'StatefulSet', 'demo', 'db') });
    await applyPod(sim, 'demo', 'agent-x', { owner: await applyOwner(sim, 'DaemonSet', 'demo', 'agent') });
    await applyPod(sim, 'demo', 'once-x', { owner: await applyOwner(sim, 'Job', 'demo', 'once') });
    const cron = await applyOwner(sim, 'CronJob', 'demo', 'nightly');
    await applyPod(sim, 'demo', 'nightly-1-x', { owner: await applyOwner(sim, 'Job', 'demo', 'nightly-1', cron) });
    await applyPod(sim, 'demo', 'bare');
    await applyPod(sim, 'demo', 'spoof', { owner: { ...rs, uid: 'forged-uid' } });
    await applyPod(sim, 'demo', 'done', { phase: 'Succeeded' });

    pki = await makeTestPki('pod-verifier');
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
            listLivePods: async () => ({ pods: [] }),
            async revoke(req) {
              if (failNextRevoke) {
                failNextRevoke = false;
                throw new DependencyUnavailableError('REDIS_DOWN', 'injected failure');
              }
              if (req.target?.$case === 'podUid') revoked.push(req.target.value);
              return {};
            },
          },
        }),
      ],
    });
    const [grpcPort, opsPort] = [await freePort(), await freePort()];
    child = spawnNode(join(__dirname, '../dist/main.js'), {
      ...writeTlsEnv(cluster.dir, 'pod-verifier', await pki.tls('pod-verifier')),
      KUBECONFIG: cluster.kubeconfigPath,
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
      PODID_TOKEN_ISSUER_ADDR: `127.0.0.1:${issuer.port}`,
    });
    await child.waitForEvent('SERVICE_READY');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200, { message: 'readyz 200 after informers synced' });
    grpcAddress = `127.0.0.1:${grpcPort}`;
    client = createServiceClient(PodVerifierService, { address: grpcAddress, tls: await pki.tls('gateway'), expectService: 'pod-verifier', deadlineMs: 5000 });
  });

  afterAll(async () => {
    client?.close();
    if (child) expect(await child.stop()).toBe(0);
    await issuer?.stop(100);
    await cluster?.sim.stop();
  });

  const verify = (pod: string, r: Partial<Restrictions> = {}, extra: { containerName?: string; expectedUid?: string } = {}) =>
    client.verifyPod({ cluster: '', namespace: 'demo', pod, restrictions: { ...none, ...r }, containerName: extra.containerName ?? 'authenticator', expectedUid: extra.expectedUid ?? '' });
  const codeOf = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { kind: string; code: string }) => `${e.kind}/${e.code}`);

  it('verifies a pod against every restriction and returns its identity', async () => {
    const res = await verify('web-7f9-a', {
      namespace: 'demo', namespaceLabelSelector: 'env=dev,team==a', serviceAccount: 'demo-sa', pod: 'web-7f9-a', deployment: 'web', podLabelSelector: 'app=web',
    }, { expectedUid: uids['web'] });
    expect(res).toEqual({ uid: uids['web'], serviceAccount: 'demo-sa', podIp: expect.stringMatching(/^10\.244\./) });
  });

  it.each([
    [{ namespace: 'prod' }, 'permission_denied/NAMESPACE_MISMATCH'],
    [{ namespaceLabelSelector: 'env=prod' }, 'permission_denied/NAMESPACE_LABELS_MISMATCH'],
    [{ serviceAccount: 'default' }, 'permission_denied/SERVICE_ACCOUNT_MISMATCH'],
    [{ serviceAccount: 'ghost-sa' }, 'permission_denied/SERVICE_ACCOUNT_MISMATCH'],
    [{ pod: 'web-7f9-b' }, 'permission_denied/POD_NAME_MISMATCH'],
    [{ deployment: 'api' }, 'permission_denied/OWNER_MISMATCH'],
    [{ statefulSet: 'web' }, 'permission_denied/OWNER_MISMATCH'],
    [{ podLabelSelector: 'app=api' }, 'permission_denied/POD_LABELS_MISMATCH'],
  ])('refuses web-7f9-a for %j with %s', async (r, expected) => {
    expect(await codeOf(verify('web-7f9-a', r))).toBe(expected);
  });

  it.each([
    ['db-0', { statefulSet: 'db' }],
    ['agent-x', { daemonSet: 'agent' }],
    ['once-x', { job: 'once' }],
    ['nightly-1-x', { cronJob: 'nightly' }],
    ['nightly-1-x', { job: 'nightly-1' }],
  ])('follows the owner chain of %s for %j, and refuses another name', async (pod, r) => {
    expect(await codeOf(verify(pod, r))).toBe('accepted');
    const wrong = Object.fromEntries(Object.keys(r).map((k) => [k, 'other']));
    expect(await codeOf(verify(pod, wrong))).toBe('permission_denied/OWNER_MISMATCH');
  });

  it('refuses owner restrictions for a bare pod, and a spoofed ownerReference uid', async () => {
    expect(await codeOf(verify('bare', {}))).toBe('accepted');
    expect(await codeOf(verify('bare', { deployment: 'web' }))).toBe('permission_denied/OWNER_MISMATCH');
    expect(await codeOf(verify('spoof', { deployment: 'web' }))).toBe('permission_denied/OWNER_MISMATCH');
    await eventually(() => expect(child.lines.find((l) => l['event'] === 'POD_REFUSED' && l['pod'] === 'spoof')?.['reason']).toContain('got="forged-uid"'));
  });

  it('finds the container in initContainers and refuses an unknown one', async () => {
    expect(await codeOf(verify('web-7f9-a', {}, { containerName: 'init-auth' }))).toBe('accepted');
    expect(await codeOf(verify('web-7f9-a', {}, { containerName: 'sidecar' }))).toBe('permission_denied/CONTAINER_NOT_FOUND');
  });

  it('refuses a missing pod, a terminated pod, and an old uid after the pod was recreated', async () => {
    expect(await codeOf(verify('ghost'))).toBe('not_found/POD_NOT_FOUND');
    expect(await codeOf(verify('done'))).toBe('failed_precondition/POD_TERMINATING');
    const old = await applyPod(cluster.sim, 'demo', 'phoenix');
    await cluster.sim.remove('Pod', 'demo', 'phoenix');
    const fresh = await applyPod(cluster.sim, 'demo', 'phoenix');
    expect(await codeOf(verify('phoenix', {}, { expectedUid: old }))).toBe('not_found/POD_UID_MISMATCH');
    expect((await verify('phoenix', {}, { expectedUid: fresh })).uid).toBe(fresh);
  });

  it('CheckPodLive answers from the cache alone: live only for the pod with that uid', async () => {
    expect(await client.checkPodLive({ cluster: '', namespace: 'demo', pod: 'web-7f9-a', podUid: uids['web']! })).toEqual({ live: true });
    expect(await client.checkPodLive({ cluster: '', namespace: 'demo', pod: 'web-7f9-a', podUid: 'an-old-uid' })).toEqual({ live: false });
    expect(await client.checkPodLive({ cluster: '', namespace: 'demo', pod: 'never-existed', podUid: 'u' })).toEqual({ live: false });
    expect(child.lines.some((l) => l['event'] === 'K8S_CACHE_MISS' && l['name'] === 'never-existed')).toBe(false);
    expect(await codeOf(client.checkPodLive({ cluster: '', namespace: 'demo', pod: '', podUid: 'u' }))).toMatch(/^invalid_argument\//);
    const other = createServiceClient(PodVerifierService, { address: grpcAddress, tls: await pki.tls('cert-injector'), expectService: 'pod-verifier', deadlineMs: 2000 });
    await expect(other.checkPodLive({ cluster: '', namespace: 'demo', pod: 'web-7f9-a', podUid: uids['web']! })).rejects.toMatchObject({ kind: 'permission_denied' });
    other.close();
  });

  it('ExplainPod reports every check of a pod over gRPC, and only the gateway may ask', async () => {
    const r = await client.explainPod({ cluster: '', namespace: 'demo', pod: 'web-7f9-a', restrictions: { ...none, deployment: 'api', podLabelSelector: 'app=db' }, containerName: 'app' });
    expect(r.uid).toBe(uids['web']);
    expect(r.checks.filter((c) => !c.ok).map((c) => [c.name, c.code])).toEqual([
      ['owners', 'OWNER_MISMATCH'],
      ['pod-labels', 'POD_LABELS_MISMATCH'],
    ]);
    expect(await client.explainPod({ cluster: '', namespace: 'demo', pod: 'ghost', restrictions: none, containerName: 'app' })).toEqual({ uid: '', checks: [expect.objectContaining({ name: 'exists', ok: false, code: 'POD_NOT_FOUND' })] });
    const other = createServiceClient(PodVerifierService, { address: grpcAddress, tls: await pki.tls('cert-injector'), expectService: 'pod-verifier', deadlineMs: 2000 });
    await expect(other.explainPod({ cluster: '', namespace: 'demo', pod: 'web-7f9-a', restrictions: none, containerName: 'app' })).rejects.toMatchObject({ kind: 'permission_denied' });
    other.close();
  });

  it('refuses callers other than the gateway with PERMISSION_DENIED', async () => {
    const other = createServiceClient(PodVerifierService, { address: grpcAddress, tls: await pki.tls('cert-injector'), expectService: 'pod-verifier', deadlineMs: 2000 });
    await expect(other.verifyPod({ cluster: '', namespace: 'demo', pod: 'bare', restrictions: none, containerName: 'app', expectedUid: '' })).rejects.toMatchObject({ kind: 'permission_denied' });
    other.close();
  });

  it('GetStatus reports the API reachable, every permission granted, the client certificate expiry and synced caches', async () => {
    const s = await client.getStatus({ cluster: '' });
    expect(s).toMatchObject({ reachable: true, error: '', credentialSource: 'kubeconfig-client-cert', synced: true });
    expect(s.permissions).toHaveLength(28);
    expect(s.permissions.filter((p) => !p.allowed)).toEqual([]);
    expect(s.permissions).toContainEqual({ verb: 'watch', group: 'batch', resource: 'cronjobs', subresource: '', allowed: true });
    const certData = readFileSync(cluster.kubeconfigPath, 'utf8').match(/client-certificate-data: (\S+)/)![1]!;
    const notAfter = new X509Certificate(Buffer.from(certData, 'base64')).validTo;
    expect(s.clientCertNotAfter).toBe(Math.floor(Date.parse(notAfter) / 1000));
    const other = createServiceClient(PodVerifierService, { address: grpcAddress, tls: await pki.tls('cert-injector'), expectService: 'pod-verifier', deadlineMs: 2000 });
    await expect(other.getStatus({ cluster: '' })).rejects.toMatchObject({ kind: 'permission_denied' });
    other.close();
  });

  describe('ReviewToken (TokenReview)', () => {
    const token = (podName: string, audiences = ['podid'], expirationSeconds = 600) =>
      cluster.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences, expirationSeconds, podName });

    it('returns the verified facts of a pod-bound token', async () => {
      const t = await token('web-7f9-a');
      const res = await client.reviewToken({ cluster: '', token: t, audience: 'podid', maxTokenAgeSeconds: 0 });
      expect(res).toMatchObject({ namespace: 'demo', serviceAccount: 'demo-sa', podName: 'web-7f9-a', podUid: uids['web'] });
      expect(res.expiresAt).toBeGreaterThan(Date.now() / 1000 + 500);
      expect(JSON.stringify(child.lines)).not.toContain(t.split('.')[2]);
    });

    it('refuses another audience, a malformed token, and a token older than allowed', async () => {
      expect(await codeOf(client.reviewToken({ cluster: '', token: await token('web-7f9-a', ['vault']), audience: 'podid', maxTokenAgeSeconds: 0 }))).toBe('unauthenticated/SA_TOKEN_AUDIENCE');
      expect(await codeOf(client.reviewToken({ cluster: '', token: 'abc.def', audience: 'podid', maxTokenAgeSeconds: 0 }))).toBe('unauthenticated/SA_TOKEN_MALFORMED');
      const t = await token('web-7f9-a');
      await waitFor(() => codeOf(client.reviewToken({ cluster: '', token: t, audience: 'podid', maxTokenAgeSeconds: 1 })).then((c) => c === 'unauthenticated/SA_TOKEN_TOO_OLD'), {
        timeoutMs: 5000,
        message: 'token older than 1s',
      });
    });

    it('refuses the token of a deleted pod, and revokes that pod\'s access tokens (with retry)', async () => {
      const uid = await applyPod(cluster.sim, 'demo', 'short-lived', { serviceAccount: 'demo-sa' });
      const t = await token('short-lived');
      expect((await client.reviewToken({ cluster: '', token: t, audience: 'podid', maxTokenAgeSeconds: 0 })).podUid).toBe(uid);
      await cluster.sim.remove('Pod', 'demo', 'short-lived');
      expect(await codeOf(client.reviewToken({ cluster: '', token: t, audience: 'podid', maxTokenAgeSeconds: 0 }))).toBe('unauthenticated/SA_TOKEN_POD_GONE');
      await waitFor(() => revoked.includes(uid), { timeoutMs: 10_000, message: 'Revoke({podUid}) reached token-issuer' });
      const line = await waitFor(() => child.lines.find((l) => l['event'] === 'POD_DELETED_TOKENS_REVOKED' && l['pod_uid'] === uid), { message: 'revocation logged' });
      expect(line).toMatchObject({ namespace: 'demo', pod: 'short-lived' });
      // The first Revoke of this run failed on purpose: some deletion needed a second attempt.
      expect(failNextRevoke).toBe(false);
      await eventually(() => expect(child.lines.some((l) => l['event'] === 'POD_DELETED_TOKENS_REVOKED' && l['attempts'] === 2)).toBe(true));
    });
  });

  it('keeps its cache right while the simulator cuts watches and expires their resourceVersions (relists)', async () => {
    // startSimCluster cuts every watch within 3-6 s and keeps 2 s of history: a pod informer whose last event is
    // older than other resources' newer ones resumes with 410 Gone, and lists again.
    const lists = () => cluster.sim.accessLog.filter((e) => e.user === 'pod-verifier' && e.resource === 'pods' && e.verb === 'list').length;
    const before = lists();
    const uid = await applyPod(cluster.sim, 'demo', 'during-relists');
    await eventually(async () => expect((await verify('during-relists', {}, { expectedUid: uid })).uid).toBe(uid), 20_000);
    await cluster.sim.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'demo', name: 'moves-the-resource-version' } });
    await waitFor(() => lists() > before, { timeoutMs: 30_000, message: 'a relist of pods after an expired resourceVersion' });
    expect((await verify('during-relists', {}, { expectedUid: uid })).uid).toBe(uid);
    await cluster.sim.remove('Pod', 'demo', 'during-relists');
    await eventually(async () => expect(await codeOf(verify('during-relists'))).toBe('not_found/POD_NOT_FOUND'), 20_000);
  }, 90_000);
});
