import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { POD_VERIFIER_RULES } from '@podid/kube';
import { httpsCall, waitFor } from '@podid/testkit';
import { createCa } from '@podid/x509';
import { FIXTURES, HOST, POD, startE2eSuite, type ServiceName, type Suite } from './support/e2e-suite';
import { authenticate, certificateLogin, injectCsr, podCsr, splitHostId, tokenAuthorization } from './support/pod-login';

const RBAC_FILE = join(__dirname, '../../../deploy/base/rbac.yaml');
const PODID_SA = 'system:serviceaccount:podid:';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** One permission: `verb group/resource`, and the one object it is limited to (resourceNames), if any. */
interface Perm {
  verb: string;
  resource: string;
  name?: string;
}

const permText = (p: Perm) => `${p.verb} ${p.resource}${p.name ? ` ${p.name}` : ''}`;
const covers = (grant: Perm, use: Perm) => grant.verb === use.verb && grant.resource === use.resource && (grant.name === undefined || grant.name === use.name);

/** The rules deploy/base/rbac.yaml grants each podid service account, one Perm per verb, resource and resource name. */
function grantedByDeploy(): Map<string, Perm[]> {
  const docs = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string }; rules?: Rule[]; roleRef?: { name: string }; subjects?: Array<{ kind: string; name: string; namespace?: string }> });
  const roles = new Map(docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role').map((d) => [d.metadata.name, d.rules ?? []]));
  const out = new Map<string, Perm[]>();
  for (const b of docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding')) {
    for (const s of b.subjects ?? []) {
      const perms = out.get(`${PODID_SA}${s.name}`) ?? [];
      for (const r of roles.get(b.roleRef!.name) ?? [])
        for (const g of r.apiGroups)
          for (const res of r.resources)
            for (const verb of r.verbs) for (const name of r.resourceNames ?? [undefined]) perms.push({ verb, resource: `${g}/${res}`, ...(name ? { name } : {}) });
      out.set(`${PODID_SA}${s.name}`, perms);
    }
  }
  return out;
}

/**
 * Grants that no test run can use, each with its reason. Nothing else may go unused.
 * - `get namespaces`: a pod's namespace exists before the pod, so the namespace informer has it unless it lags;
 *   that cache-miss read cannot be provoked reliably, and the grant is what it needs on a lagging cache.
 */
const UNUSABLE: Record<string, string[]> = {
  [`${PODID_SA}pod-verifier`]: ['get /namespaces'],
};

function metricsOf(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => want.every((w) => l.includes(w)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Operations (issue "Deploy with Kustomize, status, metrics"): least-privilege RBAC, metrics, status failure modes. */
describe('e2e: operations', () => {
  let suite: Suite;
  let adminToken: string;
  const status = async (serviceId = 'dev') => {
    const r = await httpsCall(suite.gatewayUrl, { path: `/authn-k8s/${serviceId}/default/status`, caPem: suite.gatewayCaPem, headers: tokenAuthorization(adminToken) });
    return { status: r.status, body: JSON.parse(r.body) as { status?: string; checks?: Array<{ name: string; ok: boolean; code?: string; hint?: string }>; error?: { code: string } } };
  };
  const failed = async (serviceId = 'dev') => (await status(serviceId)).body.checks?.filter((c) => !c.ok).map((c) => c.code);

  beforeAll(async () => {
    suite = await startE2eSuite();
    const a = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    adminToken = (await authenticate(suite, { hostId: HOST.admin, cert: a.certPem, key: a.keyPem })).body;
  }, 150_000);
  afterAll(() => suite?.stop());

  it("pod-verifier's own list of needed permissions (GetStatus, tests) is the ClusterRole deploy/ grants", () => {
    const role = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string }; rules: Rule[] }).find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'podid-pod-verifier');
    expect(role?.rules).toEqual(POD_VERIFIER_RULES);
  });

  it('every service serves /metrics, and the counters move after a login', async () => {
    const ports = Object.fromEntries([...suite.services].map(([n, s]) => [n, s.opsPort])) as Record<ServiceName, number>;
    // Not on the public port: the reason labels would tell an outsider which pods and hosts exist.
    expect((await httpsCall(suite.gatewayUrl, { path: '/metrics', caPem: suite.gatewayCaPem })).status).toBe(404);
    const before = await metricsOf(ports.gateway);
    const app = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
    expect((await authenticate(suite, { hostId: HOST.statefulSet, cert: app.certPem, key: app.keyPem })).status).toBe(200);
    const after = await metricsOf(ports.gateway);
    expect(sample(after, 'podid_gateway_certs_total', { result: 'issued' })).toBe(sample(before, 'podid_gateway_certs_total', { result: 'issued' }) + 1);
    expect(sample(after, 'podid_gateway_tokens_issued_total')).toBe(sample(before, 'podid_gateway_tokens_issued_total') + 1);
    expect(sample(after, 'podid_gateway_http_requests_total', { route: 'authn-k8s/inject_client_cert', status: '202' })).toBeGreaterThan(0);
    const issued = await metricsOf(ports['token-issuer']);
    expect(sample(issued, 'podid_grpc_server_handled_total', { method: '/authn.v1.TokenIssuer/Issue', code: 'OK' })).toBeGreaterThan(0);
    const signer = await metricsOf(ports['ca-signer']);
    expect(sample(signer, 'podid_grpc_server_handled_total', { method: '/authn.v1.CaSigner/Sign', code: 'OK' })).toBeGreaterThan(0);
    expect(sample(signer, 'podid_ca_not_after_seconds', { authenticator: 'dev' })).toBeGreaterThan(Date.now() / 1000);
    expect(after).toContain('podid_redis_errors_total');
    expect(issued).toContain('podid_redis_errors_total');
    const injector = await metricsOf(ports['cert-injector']);
    expect(sample(injector, 'podid_cert_inject_duration_seconds_count')).toBeGreaterThan(0);
    for (const name of ['policy', 'pod-verifier'] as const) expect(await metricsOf(ports[name])).toContain('podid_grpc_server_handled_total');
    // A service-account login makes pod-verifier call TokenReview, which is timed.
    const jwt = await suite.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences: ['podid'], podName: POD.deployment });
    await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/authn-jwt/jwt-dev/default/authenticate', caPem: suite.gatewayCaPem, headers: { 'content-type': 'text/plain' }, body: `jwt=${jwt}` });
    expect(await metricsOf(ports['pod-verifier'])).toMatch(/podid_k8s_api_request_seconds_count\{cluster="default",operation="create tokenreviews",result="ok"\} [1-9]/);
  });

  it('status is ok when everything is up, and needs the status grant', async () => {
    expect(await status()).toEqual({ status: 200, body: { status: 'ok' } });
    const app = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    const token = (await authenticate(suite, { hostId: HOST.barePod, cert: app.certPem, key: app.keyPem })).body;
    const r = await httpsCall(suite.gatewayUrl, { path: '/authn-k8s/dev/default/status', caPem: suite.gatewayCaPem, headers: tokenAuthorization(token) });
    expect(r.status).toBe(403);
  });

  it('status fails closed with redis_unavailable while Redis is down, then recovers', async () => {
    // The caller's token cannot be checked for revocation without Redis, so status itself answers 503 (docs/security-model.md, invariant 3).
    await suite.redis!.kill();
    try {
      await waitFor(async () => (await status()).body.error?.code === 'redis_unavailable', { timeoutMs: 15_000, message: 'redis_unavailable from status' });
    } finally {
      await suite.redis!.restart();
    }
    await waitFor(async () => (await status()).status === 200, { timeoutMs: 15_000, message: 'status ok after Redis is back' });
  });

  it('status names a missing CA and an expiring CA', async () => {
    const caDir = join(suite.stateDir, 'ca-status-test');
    mkdirSync(join(caDir, 'other'), { recursive: true });
    const soon = await createCa({ commonName: 'expiring', now: new Date(), ttlMs: 10 * 86_400_000 });
    writeFileSync(join(caDir, 'other', 'ca.pem'), soon.certPem);
    writeFileSync(join(caDir, 'other', 'ca-key.pem'), soon.keyPem, { mode: 0o600 });
    await suite.restart('ca-signer', { PODID_CA_DIR: caDir, PODID_CA_CREATE: 'false' });
    try {
      expect(await failed('dev')).toEqual(['CA_NOT_FOUND']);
      expect(await failed('other')).toEqual(['CA_EXPIRING']);
      expect((await status('other')).body.checks?.find((c) => c.code === 'CA_EXPIRING')?.hint).toMatch(/expires in [0-9]+ days/);
    } finally {
      await suite.restart('ca-signer', { PODID_CA_DIR: join(suite.stateDir, 'ca'), PODID_CA_CREATE: 'true' });
    }
  });

  it('status names a missing Kubernetes permission, and fails closed while the API server was never reached', async () => {
    const role = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string }; rules: Rule[] }).find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'podid-pod-verifier')!;
    const withoutCronJobs = { ...role, rules: role.rules.map((r) => (r.apiGroups.includes('batch') ? { ...r, resources: ['jobs'] } : r)) };
    await suite.sim.apply(withoutCronJobs);
    await suite.restart('pod-verifier', {}, { until: 'live' });
    try {
      await waitFor(async () => (await failed())?.includes('KUBERNETES_PERMISSION_MISSING'), { timeoutMs: 20_000, message: 'KUBERNETES_PERMISSION_MISSING' });
      expect((await status()).body.checks?.find((c) => c.code === 'KUBERNETES_PERMISSION_MISSING')?.hint).toContain('batch/cronjobs');
    } finally {
      await suite.sim.apply(role);
    }
    const kubeconfig = join(suite.stateDir, 'kubeconfigs', 'pod-verifier.yaml');
    const broken = join(suite.stateDir, 'kubeconfigs', 'unreachable.yaml');
    writeFileSync(broken, readFileSync(kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:9'), { mode: 0o600 });
    await suite.restart('pod-verifier', { KUBECONFIG: broken }, { until: 'live' });
    try {
      // The caller's pod cannot be confirmed alive from a cache that never synced: status itself fails closed (docs/api.md).
      await waitFor(async () => (await status()).body.error?.code === 'k8s_unavailable', { timeoutMs: 20_000, message: 'k8s_unavailable from status' });
    } finally {
      await suite.restart('pod-verifier', { KUBECONFIG: kubeconfig });
    }
    await waitFor(async () => (await status()).status === 200, { timeoutMs: 20_000, message: 'status ok after pod-verifier is back' });
  });

  it('status answers 503 naming the policy service when it is down', async () => {
    await suite.stopService('policy');
    try {
      const r = await status();
      expect(r.status).toBe(503);
      expect(r.body.error?.code).toBe('policy_unavailable');
    } finally {
      await suite.startService('policy');
    }
  });
});

/**
 * Least privilege: every service that talks to Kubernetes, ca-signer on its Secret CA source and token-issuer on
 * its Secret key store (as deployed), runs every path it has to the API server; what it asked for must be
 * exactly what deploy/base/rbac.yaml grants, resource names included.
 */
describe('e2e: least-privilege RBAC', () => {
  let suite: Suite;
  const SECRET_CA_SERVICE = 'dev-cluster';
  const HOSTS = {
    secretCa: `conjur/authn-k8s/${SECRET_CA_SERVICE}/apps/demo-app`,
    secretCaBarePod: `conjur/authn-k8s/${SECRET_CA_SERVICE}/apps/demo-pod`,
    ownerWalk: `conjur/authn-k8s/${SECRET_CA_SERVICE}/apps/rbac-owner-walk`,
    ghostSa: `conjur/authn-k8s/${SECRET_CA_SERVICE}/apps/rbac-ghost-sa`,
  };

  beforeAll(async () => {
    suite = await startE2eSuite();
    // A policy with the authenticator whose CA Secret the Role names, and hosts that make pod-verifier read past its cache.
    const policy = parse(readFileSync(join(FIXTURES, 'policy.yaml'), 'utf8')) as { authenticators: unknown[]; hosts: unknown[] };
    policy.authenticators.push({ type: 'authn-k8s', id: SECRET_CA_SERVICE, enabled: true, certTtl: '1h', tokenTtl: '8m' });
    policy.hosts.push(
      { id: HOSTS.secretCa, authenticators: [SECRET_CA_SERVICE], annotations: { 'authn-k8s/namespace': 'demo', 'authn-k8s/deployment': 'demo-app' } },
      { id: HOSTS.secretCaBarePod, authenticators: [SECRET_CA_SERVICE], annotations: { 'authn-k8s/namespace': 'demo', 'authn-k8s/pod': POD.barePod } },
      { id: HOSTS.ownerWalk, authenticators: [SECRET_CA_SERVICE], annotations: { 'authn-k8s/namespace': 'demo', 'authn-k8s/deployment': 'no-such-deployment' } },
      { id: HOSTS.ghostSa, authenticators: [SECRET_CA_SERVICE], annotations: { 'authn-k8s/namespace': 'demo', 'authn-k8s/service-account': 'no-such-sa' } },
    );
    const policyFile = join(suite.stateDir, 'rbac-policy.yaml');
    writeFileSync(policyFile, stringify(policy));
    await suite.restart('policy', { PODID_POLICY: policyFile });

    const ca = await createCa({ commonName: `${SECRET_CA_SERVICE} CA`, now: new Date(), ttlMs: 86_400_000 });
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    await suite.sim.apply({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: `podid-ca-${SECRET_CA_SERVICE}`, namespace: 'podid' }, data: { 'tls.crt': b64(ca.certPem), 'tls.key': b64(ca.keyPem) } });
    // The key Secret exists empty, as deploy/ creates it: token-issuer reads it and fills it with update.
    await suite.sim.apply({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'podid-token-keys', namespace: 'podid' } });
    const kubeconfig = (service: string) => {
      const file = join(suite.stateDir, 'kubeconfigs', `${service}.yaml`);
      writeFileSync(file, suite.sim.kubeconfigYaml({ user: `${PODID_SA}${service}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:podid', 'system:authenticated'], auth: 'token' }), { mode: 0o600 });
      return file;
    };
    await suite.restart('ca-signer', { PODID_CA_DIR: '', PODID_CA_CREATE: 'false', PODID_CA_SECRET_NAMESPACE: 'podid', KUBECONFIG: kubeconfig('ca-signer') });
    await suite.restart('token-issuer', { PODID_TOKEN_KEYS_DIR: '', PODID_TOKEN_KEYS_SECRET_NAMESPACE: 'podid', KUBECONFIG: kubeconfig('token-issuer') });
    await suite.restart('gateway');
  }, 180_000);
  afterAll(() => suite?.stop());

  /** Pods whose owners are not in the cluster: the owner walk must read each owner kind from the API server. */
  async function applyOrphans(): Promise<string[]> {
    const owner = (kind: string, name: string, n: number) => [{ apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, name, uid: `0e5f8a42-4b90-4a87-9e95-6c4c0adf4f${String(n).padStart(2, '0')}`, controller: true }];
    const pod = (name: string, ownerReferences: unknown) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'demo', ownerReferences },
      spec: { serviceAccountName: 'demo-sa', containers: [{ name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running' },
    });
    await suite.sim.apply({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rbac-rs', namespace: 'demo', uid: '0e5f8a42-4b90-4a87-9e95-6c4c0adf4f10', ownerReferences: owner('Deployment', 'gone-deployment', 11) }, spec: { selector: { matchLabels: { app: 'x' } } } });
    await suite.sim.apply({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'rbac-job', namespace: 'demo', uid: '0e5f8a42-4b90-4a87-9e95-6c4c0adf4f20', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'gone-cronjob', uid: '0e5f8a42-4b90-4a87-9e95-6c4c0adf4f21', controller: true }] }, spec: { template: { spec: { containers: [{ name: 'x', image: 'busybox' }], restartPolicy: 'Never' } } } });
    const pods = {
      'orphan-of-replicaset': owner('ReplicaSet', 'gone-replicaset', 1),
      'orphan-of-deployment': [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rbac-rs', uid: '0e5f8a42-4b90-4a87-9e95-6c4c0adf4f10', controller: true }],
      'orphan-of-statefulset': owner('StatefulSet', 'gone-statefulset', 2),
      'orphan-of-daemonset': owner('DaemonSet', 'gone-daemonset', 3),
      'orphan-of-job': owner('Job', 'gone-job', 4),
      'orphan-of-cronjob': [{ apiVersion: 'batch/v1', kind: 'Job', name: 'rbac-job', uid: '0e5f8a42-4b90-4a87-9e95-6c4c0adf4f20', controller: true }],
    };
    for (const [name, refs] of Object.entries(pods)) await suite.sim.apply(pod(name, refs));
    return Object.keys(pods);
  }

  it('RBAC in deploy/ is exactly what the services used against the API server, resource names included', async () => {
    // Certificate login and authenticate on the Secret CA (ca-signer get), tokens from the Secret key store (token-issuer get, update).
    const app = await certificateLogin(suite, { serviceId: SECRET_CA_SERVICE, hostId: HOSTS.secretCa, namespace: 'demo', pod: POD.deployment });
    expect((await authenticate(suite, { serviceId: SECRET_CA_SERVICE, hostId: HOSTS.secretCa, cert: app.certPem, key: app.keyPem })).status).toBe(200);
    // TokenReview (authn-jwt), exec (every inject), a fresh pod read after a recreate, and reads past the cache.
    const jwt = await suite.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences: ['podid'], podName: POD.deployment });
    const jwtLogin = await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/authn-jwt/jwt-dev/default/authenticate', caPem: suite.gatewayCaPem, headers: { 'content-type': 'text/plain' }, body: `jwt=${jwt}` });
    expect(jwtLogin.status).toBe(200);
    const bare = await certificateLogin(suite, { serviceId: SECRET_CA_SERVICE, hostId: HOSTS.secretCaBarePod, namespace: 'demo', pod: POD.barePod });
    await suite.sim.remove('Pod', 'demo', POD.barePod);
    await suite.sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD.barePod, namespace: 'demo', uid: '8c3d6c20-2f7e-4e65-9c73-4a2a8abd2dff', labels: { app: 'demo-pod' } },
      spec: { serviceAccountName: 'demo-sa', containers: [{ name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running' },
    });
    expect((await authenticate(suite, { serviceId: SECRET_CA_SERVICE, hostId: HOSTS.secretCaBarePod, cert: bare.certPem, key: bare.keyPem })).status).toBe(401);
    for (const pod of [...(await applyOrphans()), 'no-such-pod']) {
      const { csrPem } = await podCsr({ cn: splitHostId(HOSTS.ownerWalk).cn, namespace: 'demo', pod });
      expect((await injectCsr(suite, { serviceId: SECRET_CA_SERVICE, hostId: HOSTS.ownerWalk, csrPem })).status).toBe(401);
    }
    const { csrPem } = await podCsr({ cn: splitHostId(HOSTS.ghostSa).cn, namespace: 'demo', pod: POD.deployment });
    expect((await injectCsr(suite, { serviceId: SECRET_CA_SERVICE, hostId: HOSTS.ghostSa, csrPem })).status).toBe(401);

    const granted = grantedByDeploy();
    const used = new Map<string, Perm[]>();
    for (const e of suite.sim.accessLog.filter((l) => l.user.startsWith(PODID_SA))) {
      const use: Perm = { verb: e.verb, resource: `${e.apiGroup}/${e.subresource ? `${e.resource}/${e.subresource}` : e.resource}`, ...(e.name ? { name: e.name } : {}) };
      expect({ user: e.user, use: permText(use), allowed: e.allowed }).toEqual({ user: e.user, use: permText(use), allowed: true });
      // Every authenticated user may review its own access (system:basic-user); GetStatus uses that.
      if (use.resource === 'authorization.k8s.io/selfsubjectaccessreviews') continue;
      used.set(e.user, [...(used.get(e.user) ?? []), use]);
    }
    // Every bound service account was exercised, and nothing else asked.
    expect([...used.keys()].sort()).toEqual([...granted.keys()].sort());
    const problems = [];
    for (const [user, grants] of granted) {
      const uses = used.get(user) ?? [];
      const missing = [...new Set(uses.filter((u) => !grants.some((g) => covers(g, u))).map(permText))];
      const unused = grants.filter((g) => !uses.some((u) => covers(g, u))).map(permText).filter((p) => !(UNUSABLE[user] ?? []).includes(p));
      // A Secret grant must name its Secret: otherwise it reads every Secret in the namespace.
      const unnamedSecrets = grants.filter((g) => g.resource === '/secrets' && !g.name).map(permText);
      if (missing.length + unused.length + unnamedSecrets.length > 0) problems.push({ user, missing, unused, unnamedSecrets });
    }
    expect(problems).toEqual([]);
  });
});
