import * as jose from 'jose';
import { TokenIssuerService, type IssueRequest } from '@podid/contracts';
import { createServiceClient, type ServiceClient } from '@podid/grpc';
import { spawnNode, startRedis, waitFor, type ChildHandle, type RedisHandle, type TestPki } from '@podid/testkit';
import { appEnv, MAIN } from './app-env.fixture';

type Client = ServiceClient<typeof TokenIssuerService>;
const k8s = { namespace: 'demo', pod: 'app-1', podUid: 'uid-1', serviceAccount: 'demo-sa', authenticator: 'authn-k8s/dev', cluster: 'prod-eu' };
const issueReq = (over: Partial<IssueRequest> = {}): IssueRequest => ({ hostId: 'conjur/authn-k8s/dev/apps/demo', k8s, ttlSeconds: 480, audience: '', ...over });

describe('token-issuer over gRPC mTLS (spawned dist/main.js, real redis-server)', () => {
  let redis: RedisHandle;
  let app: ChildHandle;
  let env: Record<string, string>;
  let pki: TestPki;
  let address: string;
  let gateway: Client;

  const start = async () => {
    app = spawnNode(MAIN, env);
    await app.waitForEvent('SERVICE_READY');
    gateway = createServiceClient(TokenIssuerService, { address, tls: await pki.tls('gateway'), expectService: 'token-issuer', deadlineMs: 3000 });
  };

  beforeAll(async () => {
    redis = await startRedis({ own: true });
    const e = await appEnv(redis.url);
    [env, pki, address] = [e.env, e.pki, `127.0.0.1:${e.grpcPort}`];
    await start();
  });
  afterAll(async () => {
    gateway.close();
    await app.stop();
    await redis.stop();
  });

  const keySet = async () => jose.createLocalJWKSet(JSON.parse((await gateway.getJwks({})).jwksJson) as jose.JSONWebKeySet);

  it('issues a token that jose verifies with the served JWKS, in both forms', async () => {
    const t = await gateway.issue(issueReq());
    const jwks = await keySet();
    const { payload, protectedHeader } = await jose.jwtVerify(t.compact, jwks, { issuer: 'https://127.0.0.1:8443', audience: 'podid' });
    expect(payload).toMatchObject({ sub: 'host/conjur/authn-k8s/dev/apps/demo', jti: t.jti, exp: t.expiresAt, k8s: { pod_uid: 'uid-1', service_account: 'demo-sa', cluster: 'prod-eu' } });
    expect(payload.exp! - payload.iat!).toBe(480);
    expect(protectedHeader.kid).toBe(await jose.calculateJwkThumbprint(JSON.parse((await gateway.getJwks({})).jwksJson).keys[0]));
    await jose.flattenedVerify(JSON.parse(t.flattenedJson) as jose.FlattenedJWSInput, jwks);
    expect(JSON.stringify(app.lines)).not.toContain(t.compact.split('.')[2]);
  });

  it('puts the cluster in k8s.cluster, shows it at introspect, and refuses a token request without one', async () => {
    const t = await gateway.issue(issueReq());
    const payload = JSON.parse(Buffer.from(t.compact.split('.')[1]!, 'base64url').toString('utf8')) as { k8s: Record<string, string> };
    expect(payload.k8s['cluster']).toBe('prod-eu');
    expect((await gateway.introspect({ token: t.compact, requireIssuerAudience: false })).k8s).toEqual(k8s);
    for (const cluster of ['', 'Prod.EU']) {
      await expect(gateway.issue(issueReq({ k8s: { ...k8s, cluster } }))).rejects.toMatchObject({ kind: 'invalid_argument', code: 'BAD_REQUEST', message: expect.stringContaining('k8s.cluster: exp=DNS label') });
    }
    await waitFor(() => app.lines.find((l) => l['event'] === 'TOKEN_ISSUED' && l['jti'] === t.jti && l['cluster'] === 'prod-eu'), { timeoutMs: 5000, message: 'TOKEN_ISSUED with the cluster' });
  });

  it('introspects, then revokes by jti and by token', async () => {
    const [a, b] = [await gateway.issue(issueReq()), await gateway.issue(issueReq())];
    expect(await gateway.introspect({ token: a.flattenedJson, requireIssuerAudience: false })).toMatchObject({ active: true, jti: a.jti, sub: 'host/conjur/authn-k8s/dev/apps/demo', k8s });
    await gateway.revoke({ target: { $case: 'jti', value: a.jti }, expiresAt: a.expiresAt });
    await gateway.revoke({ target: { $case: 'token', value: b.compact }, expiresAt: 0 });
    expect(await gateway.introspect({ token: a.compact, requireIssuerAudience: false })).toEqual(expect.objectContaining({ active: false, sub: '' }));
    expect((await gateway.introspect({ token: b.flattenedJson, requireIssuerAudience: false })).active).toBe(false);
    expect((await gateway.introspect({ token: 'garbage', requireIssuerAudience: false })).active).toBe(false);
  });

  it('keeps a jti revocation for the longest token lifetime, whatever exp the caller gives', async () => {
    const [past, none] = [await gateway.issue(issueReq()), await gateway.issue(issueReq())];
    // A caller-supplied exp in the past used to store nothing and leave the token active.
    await gateway.revoke({ target: { $case: 'jti', value: past.jti }, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await gateway.revoke({ target: { $case: 'jti', value: none.jti }, expiresAt: 0 });
    expect((await gateway.introspect({ token: past.compact, requireIssuerAudience: false })).active).toBe(false);
    expect((await gateway.introspect({ token: none.compact, requireIssuerAudience: false })).active).toBe(false);
  });

  it('with require_issuer_audience, a token for another audience is inactive', async () => {
    const other = await gateway.issue(issueReq({ audience: 'someone-else' }));
    const own = await gateway.issue(issueReq());
    expect((await gateway.introspect({ token: other.compact, requireIssuerAudience: false })).active).toBe(true);
    expect(await gateway.introspect({ token: other.compact, requireIssuerAudience: true })).toMatchObject({ active: false, aud: '', inactiveReason: 'audience' });
    expect((await gateway.introspect({ token: own.compact, requireIssuerAudience: true })).active).toBe(true);
    await waitFor(() => app.lines.find((l) => l['event'] === 'TOKEN_INTROSPECT_INACTIVE' && l['reason'] === 'audience'), { timeoutMs: 5000, message: 'audience refusal logged' });
  });

  it('lists the pods holding unexpired tokens, to pod-verifier only', async () => {
    const t = await gateway.issue(issueReq({ k8s: { ...k8s, namespace: 'live-ns', podUid: 'uid-live' } }));
    const us = await gateway.issue(issueReq({ k8s: { ...k8s, namespace: 'live-ns', podUid: 'uid-us', cluster: 'prod-us' } }));
    const podVerifier = createServiceClient(TokenIssuerService, { address, tls: await pki.tls('pod-verifier'), expectService: 'token-issuer' });
    try {
      const { pods } = await podVerifier.listLivePods({ cluster: 'prod-eu' });
      expect(pods).toContainEqual({ namespace: 'live-ns', podUid: 'uid-live', expiresAt: t.expiresAt, cluster: 'prod-eu' });
      // Each cluster's sweep sees only its own pods: prod-eu's never revokes prod-us's pod for not finding it.
      expect(pods.every((p) => p.cluster === 'prod-eu')).toBe(true);
      expect((await podVerifier.listLivePods({ cluster: 'prod-us' })).pods).toEqual([{ namespace: 'live-ns', podUid: 'uid-us', expiresAt: us.expiresAt, cluster: 'prod-us' }]);
      expect((await podVerifier.listLivePods({ cluster: '' })).pods).toEqual([]);
      await expect(podVerifier.listLivePods({ cluster: 'Bad/Name' })).rejects.toMatchObject({ kind: 'invalid_argument', code: 'BAD_REQUEST' });
      await expect(gateway.listLivePods({ cluster: 'prod-eu' })).rejects.toMatchObject({ kind: 'permission_denied' });
    } finally {
      podVerifier.close();
    }
  });

  it('revokes a pod uid and a host: their tokens die and Issue is refused', async () => {
    const podTok = await gateway.issue(issueReq({ k8s: { ...k8s, podUid: 'uid-gone' } }));
    await gateway.revoke({ target: { $case: 'podUid', value: 'uid-gone' }, expiresAt: 0 });
    expect((await gateway.introspect({ token: podTok.compact, requireIssuerAudience: false })).active).toBe(false);
    await expect(gateway.issue(issueReq({ k8s: { ...k8s, podUid: 'uid-gone' } }))).rejects.toMatchObject({ kind: 'permission_denied', code: 'REVOKED' });
    await gateway.revoke({ target: { $case: 'hostId', value: 'apps/banned' }, expiresAt: 0 });
    await expect(gateway.issue(issueReq({ hostId: 'apps/banned' }))).rejects.toMatchObject({ kind: 'permission_denied', code: 'REVOKED' });
    expect((await gateway.issue(issueReq({ hostId: 'apps/other' }))).jti).toBeTruthy();
  });

  it('refuses callers that are not on the allow-list', async () => {
    const podVerifier = createServiceClient(TokenIssuerService, { address, tls: await pki.tls('pod-verifier'), expectService: 'token-issuer' });
    await expect(podVerifier.issue(issueReq())).rejects.toMatchObject({ kind: 'permission_denied' });
    expect((await podVerifier.getJwks({})).issuer).toBe('https://127.0.0.1:8443');
    podVerifier.close();
  });

  it('fails closed while Redis is down and heals when it returns', async () => {
    const tok = await gateway.issue(issueReq());
    await redis.kill();
    const t0 = Date.now();
    await expect(gateway.issue(issueReq())).rejects.toMatchObject({ kind: 'unavailable', code: 'REDIS_UNAVAILABLE' });
    await expect(gateway.introspect({ token: tok.compact, requireIssuerAudience: false })).rejects.toMatchObject({ kind: 'unavailable' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await gateway.getJwks({})).jwksJson).toContain('"ES256"');
    await redis.restart();
    await waitFor(() => gateway.introspect({ token: tok.compact, requireIssuerAudience: false }).then((r) => r.active), { timeoutMs: 10_000, message: 'introspect works after Redis restart' });
  });

  it('keeps its signing keys across a restart: old tokens stay valid', async () => {
    const before = await gateway.issue(issueReq());
    const kid = jose.decodeProtectedHeader(before.compact).kid;
    gateway.close();
    expect(await app.stop()).toBe(0);
    await start();
    expect(jose.decodeProtectedHeader((await gateway.issue(issueReq())).compact).kid).toBe(kid);
    expect((await gateway.introspect({ token: before.compact, requireIssuerAudience: false })).active).toBe(true);
  });
});
