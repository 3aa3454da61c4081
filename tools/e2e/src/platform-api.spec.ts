import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { platformV1 } from '@podid/contracts';
import { authorizationOf, createPlatformClient, PlatformCallError, toPlatformCallError, type PlatformClient, type PlatformClientOptions } from '@podid/platform-client';
import { waitFor } from '@podid/testkit';
import { HOST, POD, startE2eSuite, type Suite } from './support/e2e-suite';
import { leakedMaterial } from './support/log-leaks';
import { authenticate, certificateLogin } from './support/pod-login';

const OTHER_HOST = 'conjur/authn-k8s/other/apps/demo-pod';

/** The error a call fails with; fails the test if it succeeds. */
async function failure(p: Promise<unknown>): Promise<PlatformCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PlatformCallError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** The platform gRPC API against the whole suite, over real TLS gRPC (docs/api.md, Platform gRPC API). */
describe('e2e: platform gRPC API', () => {
  let suite: Suite;
  let adminCert: { certPem: string; keyPem: string };
  let adminToken: string;
  let appToken: string;
  const clients: PlatformClient[] = [];
  const client = (o: Omit<PlatformClientOptions, 'server' | 'caPem'>) => {
    const c = createPlatformClient({ server: suite.platformAddr, caPem: suite.gatewayCaPem, ...o });
    clients.push(c);
    return c;
  };
  const asAdminCert = () => client({ cert: { ...adminCert, authenticator: 'dev', host: HOST.admin } });

  beforeAll(async () => {
    suite = await startE2eSuite({ env: { gateway: { PODID_RATE_LIMIT_PLATFORM: '100/1m', PODID_PLATFORM_AUDIT_BUFFER: '20', PODID_PLATFORM_AUDIT_STALL: '1s', PODID_PLATFORM_AUDIT_RECHECK: '500ms' } } });
    adminCert = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    adminToken = (await authenticate(suite, { hostId: HOST.admin, cert: adminCert.certPem, key: adminCert.keyPem })).body;
    const app = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    appToken = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
  }, 150_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await suite?.stop();
  });

  it('introspects a token for a client-certificate caller and for a token caller (RFC 7662, with pod liveness)', async () => {
    for (const c of [asAdminCert(), client({ token: adminToken })]) {
      const r = await c.introspect({ token: appToken });
      expect(r).toMatchObject({ active: true, sub: `host/${HOST.deployment}`, tokenType: 'access_token', k8s: { namespace: 'demo', pod: POD.deployment } });
      expect(await c.introspect({ token: 'not-a-token' })).toMatchObject({ active: false, sub: '' });
    }
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_PLATFORM_CALL' && l['method'] === 'Introspect' && l['via'] === 'cert'), { timeoutMs: 3000, message: 'platform e2e wait 1' });
    expect(audit).toMatchObject({ caller: HOST.admin, result: 'success' });
  });

  it('refuses a caller without the grant: PERMISSION_DENIED, PRIVILEGE_MISSING, audit-logged with the caller', async () => {
    const e = await failure(client({ token: appToken }).introspect({ token: appToken }));
    expect(e).toMatchObject({ grpcCode: status.PERMISSION_DENIED, reason: 'PRIVILEGE_MISSING' });
    expect(e.requestId).toBeTruthy();
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_PLATFORM_CALL' && l['request_id'] === e.requestId), { timeoutMs: 3000, message: 'platform e2e wait 2' });
    expect(audit).toMatchObject({ caller: HOST.deployment, via: 'token', method: 'Introspect', result: 'failure', code: 'PRIVILEGE_MISSING' });
    // Counted on the ops port, by RPC and stable code.
    const metrics = await (await fetch(`http://127.0.0.1:${suite.services.get('gateway')!.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/podid_gateway_platform_calls_total\{method="Introspect",code="PRIVILEGE_MISSING"\} [1-9]/);
    expect(metrics).toMatch(/podid_gateway_platform_calls_total\{method="Introspect",code="OK"\} [1-9]/);
  });

  it('refuses a caller with no identity, and a certificate presented for another host', async () => {
    expect(await failure(client({}).listAuthenticators({}))).toMatchObject({ grpcCode: status.UNAUTHENTICATED, reason: 'PLATFORM_CALLER_MISSING' });
    const wrongHost = client({ cert: { ...adminCert, authenticator: 'dev', host: HOST.deployment } });
    expect(await failure(wrongHost.listAuthenticators({}))).toMatchObject({ grpcCode: status.UNAUTHENTICATED, reason: 'AUTHN_CN_MISMATCH' });
    const wrongAuthenticator = client({ cert: { ...adminCert, authenticator: 'other', host: HOST.admin } });
    expect((await failure(wrongAuthenticator.listAuthenticators({}))).grpcCode).toBe(status.UNAUTHENTICATED);
  });

  it('names the bad field of a request (INVALID_ARGUMENT, INVALID_FIELD) and refuses an oversize message', async () => {
    const admin = asAdminCert();
    expect(await failure(admin.introspect({ token: '' }))).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, reason: 'INVALID_FIELD', field: 'token' });
    expect(await failure(admin.revoke({ target: { $case: 'podUid', value: 'NOT-A-UID' } }))).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, field: 'pod_uid' });
    expect(await failure(admin.revoke({ target: undefined }))).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, field: 'target' });
    expect(await failure(admin.explainLogin({ authenticator: 'dev', host: HOST.deployment, namespace: '', pod: 'x' }))).toMatchObject({ field: 'namespace' });
    expect(await failure(admin.getAuthenticator({ name: 'dev' }))).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, field: 'name' });
    // Beyond the 64 KiB receive limit: grpc-js refuses it before any handler runs.
    const big = await failure(admin.introspect({ token: 'x'.repeat(70 * 1024) }));
    expect(big.grpcCode).toBe(status.RESOURCE_EXHAUSTED);
    // The server is still fine.
    expect((await admin.listAuthenticators({})).authenticators.map((a) => `${a.type}/${a.id}`)).toContain('authn-k8s/dev');
  });

  it('serves authenticators with CA bundle and JWKS, and the status checks', async () => {
    const admin = client({ token: adminToken });
    const a = await admin.getAuthenticator({ name: 'authn-k8s/dev' });
    expect(a.authenticator).toMatchObject({ type: 'authn-k8s', id: 'dev', enabled: true });
    expect(a.caBundlePem).toContain('-----BEGIN CERTIFICATE-----');
    expect(JSON.parse(a.jwksJson).keys.length).toBeGreaterThan(0);
    expect(await failure(admin.getAuthenticator({ name: 'authn-k8s/nope' }))).toMatchObject({ grpcCode: status.NOT_FOUND, reason: 'AUTHENTICATOR_NOT_FOUND' });
    const s = await admin.getStatus({ authenticator: 'dev' });
    expect(s.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['ca', 'policy', 'redis', 'redis-persistence', 'kubernetes-permissions']));
    expect(s.checks.find((c) => c.name === 'redis')).toMatchObject({ ok: true });
  });

  it('explains a login check by check without signing: a pod that passes, one that fails with code and hint', async () => {
    const admin = asAdminCert();
    const ok = await admin.explainLogin({ authenticator: 'dev', host: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    expect(ok.allowed).toBe(true);
    expect(ok.checks.map((c) => [c.name, c.outcome])).toEqual([
      ['authenticator', 'pass'],
      ['host', 'pass'],
      ['container', 'pass'],
      ...['exists', 'not-terminating', 'namespace', 'namespace-labels', 'service-account', 'pod-name', 'owners', 'pod-labels', 'container'].map((n) => [`pod/${n}`, 'pass']),
      ['revocation', 'pass'],
      ['ca', 'pass'],
    ]);
    const wrong = await admin.explainLogin({ authenticator: 'dev', host: HOST.deployment, namespace: 'demo', pod: POD.statefulSet });
    expect(wrong.allowed).toBe(false);
    const pod = wrong.checks.find((c) => c.name === 'pod/owners')!;
    expect(pod).toMatchObject({ outcome: 'fail', code: 'OWNER_MISMATCH' });
    expect(pod.hint).toMatch(/owner/i);
    expect(wrong.checks.slice(-2).map((c) => c.outcome)).toEqual(['skipped', 'skipped']);
    const noHost = await admin.explainLogin({ authenticator: 'dev', host: 'no/such/host', namespace: 'demo', pod: POD.deployment });
    expect(noHost.checks.slice(0, 2).map((c) => [c.name, c.outcome, c.code])).toEqual([
      ['authenticator', 'pass', ''],
      ['host', 'fail', 'HOST_NOT_FOUND'],
    ]);
    const container = await admin.explainLogin({ authenticator: 'dev', host: HOST.deployment, namespace: 'demo', pod: POD.deployment, container: 'app' });
    expect(container.checks.find((c) => c.name === 'container')).toMatchObject({ outcome: 'fail', code: 'CONTAINER_MISMATCH' });
    // Nothing was written into the pod: explain never signs or injects.
    expect(suite.logs('ca-signer').filter((l) => l['event'] === 'CERT_ISSUED' && String(l['request_id']) === ok.podUid)).toEqual([]);
  });

  it("a caller of another authenticator cannot revoke another host's tokens without the grant; a granted caller can, and says what it revoked", async () => {
    const other = await certificateLogin(suite, { serviceId: 'other', hostId: OTHER_HOST, namespace: 'demo', pod: POD.barePod });
    const asOther = client({ cert: { ...other, authenticator: 'other', host: OTHER_HOST } });
    // The certificate caller is authenticated (PERMISSION_DENIED, not UNAUTHENTICATED) but holds no revoke grant.
    expect(await failure(asOther.revoke({ target: { $case: 'hostId', value: HOST.statefulSet } }))).toMatchObject({ grpcCode: status.PERMISSION_DENIED, reason: 'PRIVILEGE_MISSING' });
    const db = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
    const dbToken = (await authenticate(suite, { hostId: HOST.statefulSet, cert: db.certPem, key: db.keyPem })).body;
    const admin = asAdminCert();
    expect((await admin.introspect({ token: dbToken })).active).toBe(true);
    expect(await admin.revoke({ target: { $case: 'hostId', value: `host/${HOST.statefulSet}` } })).toEqual({ targetKind: 'host_id', target: HOST.statefulSet });
    expect((await admin.introspect({ token: dbToken })).active).toBe(false);
  });

  it('a revoked token, and the certificate of a revoked pod, can no longer call', async () => {
    const admin = asAdminCert();
    // A second admin token, revoked by jti: the token caller is refused at once.
    const second = (await authenticate(suite, { hostId: HOST.admin, cert: adminCert.certPem, key: adminCert.keyPem })).body;
    const asSecond = client({ token: second });
    await asSecond.listAuthenticators({});
    const { jti } = await admin.introspect({ token: second });
    expect(await admin.revoke({ target: { $case: 'jti', value: jti } })).toEqual({ targetKind: 'jti', target: jti });
    expect(await failure(asSecond.listAuthenticators({}))).toMatchObject({ grpcCode: status.UNAUTHENTICATED, reason: 'TOKEN_INACTIVE' });
    // The bare pod's host, granted nothing, still authenticates by certificate until its pod uid is revoked.
    const bare = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    const asBare = client({ cert: { ...bare, authenticator: 'dev', host: HOST.barePod } });
    expect((await failure(asBare.listAuthenticators({}))).reason).toBe('PRIVILEGE_MISSING');
    const uid = (await admin.explainLogin({ authenticator: 'dev', host: HOST.barePod, namespace: 'demo', pod: POD.barePod })).podUid;
    await admin.revoke({ target: { $case: 'podUid', value: uid } });
    expect(await failure(asBare.listAuthenticators({}))).toMatchObject({ grpcCode: status.UNAUTHENTICATED, reason: 'REVOKED' });
  });

  it("a deleted pod's certificate and token can no longer call", async () => {
    const pod = 'platform-tool';
    const uid = randomUUID();
    await suite.sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace: 'demo', uid },
      spec: { serviceAccountName: 'demo-sa', containers: [{ name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running' },
    });
    const c = await waitFor(() => certificateLogin(suite, { hostId: HOST.anyDemoSa, namespace: 'demo', pod }).catch(() => undefined), { timeoutMs: 20_000, message: 'login from the new pod' });
    const token = (await authenticate(suite, { hostId: HOST.anyDemoSa, cert: c.certPem, key: c.keyPem })).body;
    const byCert = client({ cert: { ...c, authenticator: 'dev', host: HOST.anyDemoSa } });
    const byToken = client({ token });
    // Alive: both authenticate (and lack the grant).
    for (const k of [byCert, byToken]) expect((await failure(k.listAuthenticators({}))).reason).toBe('PRIVILEGE_MISSING');
    await suite.sim.remove('Pod', 'demo', pod);
    await waitFor(async () => (await failure(byToken.listAuthenticators({}))).grpcCode === status.UNAUTHENTICATED, { timeoutMs: 10_000, message: 'token caller refused after the delete' });
    // Inactive either way: revoked by pod-verifier's delete handler (TOKEN_INACTIVE), or not yet and its pod gone (TOKEN_POD_GONE).
    expect((await failure(byToken.listAuthenticators({}))).reason).toMatch(/^TOKEN_(INACTIVE|POD_GONE)$/);
    expect(await failure(byCert.listAuthenticators({}))).toMatchObject({ grpcCode: status.UNAUTHENTICATED, reason: 'POD_NOT_FOUND' });
    // pod-verifier's revocation of the deleted pod reaches the audit stream (written by token-issuer).
    const seen: Array<Record<string, unknown>> = [];
    const w = asAdminCert().watchAudit({ afterId: '0-0' }, (e) => e.code === 'TOKEN_REVOKED' && seen.push(JSON.parse(e.fieldsJson)));
    try {
      await waitFor(() => seen.find((f) => f['caller'] === 'pod-verifier' && f['target'] === 'pod' && f['value'] === uid), { timeoutMs: 10_000, message: 'TOKEN_REVOKED of the deleted pod in the stream' });
    } finally {
      w.cancel();
      await w.done;
    }
  });

  it('streams audit events, resumable from an event id', async () => {
    const admin = client({ token: adminToken });
    const seen: Array<{ id: string; code: string; fields: Record<string, unknown> }> = [];
    const w = admin.watchAudit({}, (e) => seen.push({ id: e.id, code: e.code, fields: JSON.parse(e.fieldsJson) }));
    // Wait until the stream is live (its own admission is audited in the stream once it ends; a call made now is seen).
    await waitFor(async () => {
      await admin.listAuthenticators({});
      return seen.some((e) => e.code === 'AUDIT_PLATFORM_CALL' && e.fields['method'] === 'ListAuthenticators');
    }, { timeoutMs: 10_000, message: 'platform e2e wait 3' });
    const login = await authenticate(suite, { hostId: HOST.admin, cert: adminCert.certPem, key: adminCert.keyPem });
    expect(login.status).toBe(200);
    const event = await waitFor(() => seen.find((e) => e.code === 'AUDIT_AUTHENTICATE' && e.fields['host_id'] === HOST.admin), { timeoutMs: 5000, message: 'platform e2e wait 4' });
    expect(JSON.stringify(seen)).not.toMatch(/eyJ|"protected"/);
    w.cancel();
    await w.done;
    // Resume from just before the login: the login comes first.
    const before = seen[seen.indexOf(event) - 1]!.id;
    const resumed: string[] = [];
    const r = admin.watchAudit({ afterId: before }, (e) => resumed.push(e.id));
    await waitFor(() => resumed.length > 0, { timeoutMs: 5000, message: 'platform e2e wait 5' });
    r.cancel();
    await r.done;
    expect(resumed[0]).toBe(event.id);
    expect(await failure(admin.watchAudit({ afterId: 'yesterday' }, () => undefined).done)).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, field: 'after_id' });
    // 20 digits, past 2^64: Redis would refuse the XREAD (found by fuzz.spec.ts; it was UNAVAILABLE).
    expect(await failure(admin.watchAudit({ afterId: '99999999999999999999-0' }, () => undefined).done)).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, field: 'after_id' });
  });

  it('ends a WatchAudit stream once its token is revoked (UNAUTHENTICATED)', async () => {
    const token = (await authenticate(suite, { hostId: HOST.admin, cert: adminCert.certPem, key: adminCert.keyPem })).body;
    const watcher = client({ token });
    let events = 0;
    const w = watcher.watchAudit({}, () => events++);
    const admin = asAdminCert();
    // Live: the stream delivers.
    await waitFor(async () => (await admin.listAuthenticators({}), events > 0), { timeoutMs: 10_000, message: 'the stream delivers' });
    const { jti } = await admin.introspect({ token });
    await admin.revoke({ target: { $case: 'jti', value: jti } });
    expect(await failure(w.done)).toMatchObject({ grpcCode: status.UNAUTHENTICATED, reason: 'TOKEN_INACTIVE' });
  });

  it('drops a WatchAudit client that stops reading with RESOURCE_EXHAUSTED (AUDIT_CLIENT_SLOW), after what it buffered', async () => {
    // History larger than the client's HTTP/2 window, in the gateway's own record format.
    const redis = new Redis(suite.redisUrl);
    try {
      const pipe = redis.pipeline();
      for (let i = 0; i < 300; i++) pipe.xadd('podid:audit', '*', 'code', 'AUDIT_TEST_PADDING', 'result', 'success', 'fields', JSON.stringify({ pad: 'x'.repeat(4000) }));
      await pipe.exec();
    } finally {
      redis.disconnect();
    }
    const raw = new platformV1.PlatformServiceClient(suite.platformAddr, credentials.createSsl(Buffer.from(suite.gatewayCaPem)));
    try {
      const md = new Metadata();
      md.set('authorization', authorizationOf(adminToken));
      const call = raw.watchAudit({ afterId: '0-0' }, md);
      let received = 0;
      const ended = new Promise<ServiceError | undefined>((resolve) => {
        call.on('error', (e: ServiceError) => resolve(e));
        call.on('end', () => resolve(undefined));
      });
      call.on('data', () => received++);
      call.pause();
      await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'PLATFORM_AUDIT_CLIENT_DROPPED'), { timeoutMs: 10_000, message: 'the slow client dropped' });
      call.resume();
      const err = await ended;
      expect(err).toBeDefined();
      expect(toPlatformCallError(err!)).toMatchObject({ grpcCode: status.RESOURCE_EXHAUSTED, reason: 'AUDIT_CLIENT_SLOW' });
      // It got what was buffered, a bounded number of events, not the whole history.
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(300);
    } finally {
      raw.close();
    }
  });

  it('rate-limits a flood from one caller with RESOURCE_EXHAUSTED and RetryInfo', async () => {
    // The app host holds no grant: its calls are refused, but they still count, so it cannot flood the upstreams either.
    const c = client({ token: appToken });
    let limited: PlatformCallError | undefined;
    for (let i = 0; i < 150 && !limited; i++) {
      const e = await failure(c.listAuthenticators({}));
      if (e.grpcCode === status.RESOURCE_EXHAUSTED) limited = e;
      else expect(e.reason).toBe('PRIVILEGE_MISSING');
    }
    expect(limited).toMatchObject({ reason: 'RATE_LIMITED' });
    expect(limited!.retryDelaySeconds).toBeGreaterThanOrEqual(1);
  });

  it('logged no token, key or certificate material in any service, through all of the above', () => {
    expect(leakedMaterial(suite)).toEqual([]);
  });
});
