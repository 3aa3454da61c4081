import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { POD_VERIFIER_RULES } from '@podid/kube';
import { httpsCall, waitFor } from '@podid/testkit';
import { createCa } from '@podid/x509';
import { HOST, POD, startE2eSuite, type ServiceName, type Suite } from './support/e2e-suite';
import { authenticate, certificateLogin, tokenAuthorization } from './support/pod-login';

const RBAC_FILE = join(__dirname, '../../../deploy/base/rbac.yaml');
const PODID_SA = 'system:serviceaccount:podid:';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The rules deploy/base/rbac.yaml grants each podid service account, as `verb group/resource` strings. */
function grantedByDeploy(): Map<string, Set<string>> {
  const docs = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string }; rules?: Rule[]; roleRef?: { name: string }; subjects?: Array<{ kind: string; name: string; namespace?: string }> });
  const roles = new Map(docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role').map((d) => [d.metadata.name, d.rules ?? []]));
  const out = new Map<string, Set<string>>();
  for (const b of docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding')) {
    for (const s of b.subjects ?? []) {
      const user = `${PODID_SA}${s.name}`;
      const set = out.get(user) ?? new Set<string>();
      for (const r of roles.get(b.roleRef!.name) ?? []) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) set.add(`${v} ${g}/${res}`);
      out.set(user, set);
    }
  }
  return out;
}

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

  it('RBAC in deploy/ is exactly what the services used against the API server', async () => {
    // Exercise every Kubernetes path: informers (list/watch), a fresh read after a pod recreate, exec, and TokenReview.
    const app = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    expect((await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).status).toBe(200);
    const jwt = await suite.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences: ['podid'], podName: POD.deployment });
    await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/authn-jwt/jwt-dev/default/authenticate', caPem: suite.gatewayCaPem, headers: { 'content-type': 'text/plain' }, body: `jwt=${jwt}` });

    const granted = grantedByDeploy();
    const used = new Map<string, Set<string>>();
    for (const e of suite.sim.accessLog.filter((l) => l.user.startsWith(PODID_SA))) {
      expect({ ...e, allowed: e.allowed }).toMatchObject({ allowed: true });
      const res = e.subresource ? `${e.resource}/${e.subresource}` : e.resource;
      // Every authenticated user may review its own access (system:basic-user); GetStatus uses that.
      if (res === 'selfsubjectaccessreviews') continue;
      const set = used.get(e.user) ?? new Set<string>();
      set.add(`${e.verb} ${e.apiGroup}/${res}`);
      used.set(e.user, set);
    }
    for (const [user, perms] of used) {
      const missing = [...perms].filter((p) => !granted.get(user)?.has(p));
      expect({ user, missing }).toEqual({ user, missing: [] });
    }
    // Granted but never used: only reads that happen on a cache miss, and `get` on pods/exec,
    // which API servers before KEP-4006 check instead of `create`.
    const unusedAllowed = (p: string) => p.startsWith('get ') && !p.endsWith('/secrets');
    for (const user of [`${PODID_SA}pod-verifier`, `${PODID_SA}cert-injector`]) {
      const unused = [...(granted.get(user) ?? [])].filter((p) => !used.get(user)?.has(p) && !unusedAllowed(p));
      expect({ user, unused }).toEqual({ user, unused: [] });
    }
  });

  it("pod-verifier's own list of needed permissions (GetStatus, tests) is the ClusterRole deploy/ grants", () => {
    const role = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string }; rules: Rule[] }).find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'podid-pod-verifier');
    expect(role?.rules).toEqual(POD_VERIFIER_RULES);
  });

  it('every service serves /metrics, and the counters move after a login', async () => {
    const ports = Object.fromEntries([...suite.services].map(([n, s]) => [n, s.opsPort])) as Record<ServiceName, number>;
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
    expect(await metricsOf(ports['pod-verifier'])).toMatch(/podid_k8s_api_request_seconds_count\{operation="create tokenreviews",result="ok"\} [1-9]/);
  });

  it('status is ok when everything is up, and needs the status grant', async () => {
    expect(await status()).toEqual({ status: 200, body: { status: 'ok' } });
    const app = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    const token = (await authenticate(suite, { hostId: HOST.barePod, cert: app.certPem, key: app.keyPem })).body;
    const r = await httpsCall(suite.gatewayUrl, { path: '/authn-k8s/dev/default/status', caPem: suite.gatewayCaPem, headers: tokenAuthorization(token) });
    expect(r.status).toBe(403);
  });

  it('status fails closed with redis_unavailable while Redis is down, then recovers', async () => {
    // The caller's token cannot be checked for revocation without Redis, so status itself answers 503 (DESIGN.md 7).
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
      expect(r.body.error?.code).toBe('dependency_unavailable');
    } finally {
      await suite.startService('policy');
    }
  });
});
