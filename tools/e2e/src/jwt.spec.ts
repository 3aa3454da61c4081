import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, flattenedVerify, generateKeyPair, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { httpsCall, waitFor, type HttpsAnswer, eventually } from '@podid/testkit';
import { FIXTURES, servedJwks, startE2eSuite, type Suite } from './support/e2e-suite';

const JWT = join(FIXTURES, 'jwt');
const SERVICE = 'k8s-jwt';
const APP_UID = '3f0e9a52-7c1d-4b8e-9a60-1d2c3b4a5e01';

/**
 * Service-account login (authn-jwt, docs/architecture.md section 2): pod-verifier reviews the
 * projected token (TokenReview), the gateway matches the authenticator's
 * bindings, and only then issues a podid token. Each refusal is a 401 with
 * no token, and the audit line with the same request id names the reason.
 */
describe('e2e: authn-jwt authenticate', () => {
  let suite: Suite;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  beforeAll(async () => {
    suite = await startE2eSuite({ policyPath: join(JWT, 'policy.yaml'), manifests: [join(JWT, 'cluster.yaml')] });
    jwks = createLocalJWKSet(await servedJwks(suite));
  }, 120_000);
  afterAll(() => suite?.stop());

  const saToken = (o: { pod?: string; namespace?: string; serviceAccount?: string; audiences?: string[]; expirationSeconds?: number } = {}) =>
    suite.sim.createServiceAccountToken({
      namespace: o.namespace ?? 'jwt-demo',
      serviceAccount: o.serviceAccount ?? 'app-sa',
      audiences: o.audiences ?? ['podid'],
      podName: o.pod ?? 'app-pod',
      expirationSeconds: o.expirationSeconds ?? 600,
    });

  /** POST the Conjur client's body; `login` is the URL-encoded host login, when one is named. */
  const login = async (jwt: string, o: { login?: string; contentType?: string } = {}): Promise<HttpsAnswer & { requestId: string }> => {
    const requestId = randomUUID();
    const path = `/authn-jwt/${SERVICE}/default/${o.login ? `${encodeURIComponent(o.login)}/` : ''}authenticate`;
    const body = o.contentType === 'application/x-www-form-urlencoded' ? `jwt=${encodeURIComponent(jwt)}` : `jwt=${jwt}`;
    const r = await httpsCall(suite.gatewayUrl, { method: 'POST', path, caPem: suite.gatewayCaPem, headers: { 'content-type': o.contentType ?? 'text/plain', 'x-request-id': requestId }, body });
    return { ...r, requestId };
  };

  const claimsOf = async (r: HttpsAnswer) => JSON.parse(new TextDecoder().decode((await flattenedVerify(JSON.parse(r.body), jwks)).payload)) as JWTPayload & { k8s: Record<string, string> };

  /** 401, Conjur's error body and no token; the gateway's audit line for this request names `code`. */
  const expectRefused = async (r: HttpsAnswer & { requestId: string }, code: string, reason?: RegExp) => {
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'authentication_failed', request_id: r.requestId });
    expect(r.body).not.toMatch(/"protected"|eyJ/);
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_AUTHENTICATE_JWT' && l['request_id'] === r.requestId), {
      timeoutMs: 2000,
      message: `audit line for request ${r.requestId}`,
    });
    expect(audit).toMatchObject({ result: 'failure', code });
    if (reason) expect(String(audit['reason'])).toMatch(reason);
  };

  it('issues a podid token bound to the pod, in both body encodings, verifiable with the served JWKS', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await login(await saToken(), { contentType });
      expect(r.status).toBe(200);
      const claims = await claimsOf(r);
      expect(claims).toMatchObject({
        sub: 'host/authn-jwt/k8s-jwt/app-sa',
        iss: suite.gatewayUrl,
        k8s: { namespace: 'jwt-demo', service_account: 'app-sa', pod: 'app-pod', pod_uid: APP_UID, authenticator: `authn-jwt/${SERVICE}` },
      });
      expect(claims.exp! - claims.iat!).toBe(300);
    }
    const compact = await httpsCall(suite.gatewayUrl, {
      method: 'POST',
      path: `/authn-jwt/${SERVICE}/default/authenticate`,
      caPem: suite.gatewayCaPem,
      headers: { 'content-type': 'text/plain', accept: 'application/jwt' },
      body: `jwt=${await saToken()}`,
    });
    const { payload } = await jwtVerify(compact.body, jwks, { issuer: suite.gatewayUrl });
    expect(payload['k8s']).toMatchObject({ pod_uid: APP_UID });
  });

  it('logs in as a named host whose restrictions the live pod meets, and refuses another pod for it', async () => {
    const r = await login(await saToken({ pod: 'named-pod' }), { login: 'host/jwt/named-app' });
    expect(r.status).toBe(200);
    expect(await claimsOf(r)).toMatchObject({ sub: 'host/jwt/named-app', k8s: { pod: 'named-pod' } });
    await expectRefused(await login(await saToken({ pod: 'app-pod' }), { login: 'host/jwt/named-app' }), 'POD_NAME_MISMATCH');
  });

  it("refuses a token naming another service account's unrestricted host, and lets each token be its own", async () => {
    const peer = await saToken({ serviceAccount: 'peer-sa', pod: 'peer-pod' });
    await expectRefused(await login(peer, { login: 'host/authn-jwt/k8s-jwt/app-sa' }), 'AUTHN_JWT_HOST_UNBOUND', /host "authn-jwt\/k8s-jwt\/app-sa".*exp="authn-jwt\/k8s-jwt\/peer-sa"/);
    await expectRefused(await login(await saToken(), { login: 'host/authn-jwt/k8s-jwt/peer-sa' }), 'AUTHN_JWT_HOST_UNBOUND');
    const unbound = suite.logs('gateway').filter((l) => l['event'] === 'AUTHN_JWT_HOST_UNBOUND');
    expect(unbound.length).toBeGreaterThanOrEqual(2);
    for (const [jwt, host] of [
      [await saToken(), 'authn-jwt/k8s-jwt/app-sa'],
      [peer, 'authn-jwt/k8s-jwt/peer-sa'],
    ] as const) {
      for (const named of [undefined, `host/${host}`]) {
        const r = await login(jwt, { login: named });
        expect(r.status).toBe(200);
        expect(await claimsOf(r)).toMatchObject({ sub: `host/${host}` });
      }
    }
  });

  it('refuses a token whose pod does not meet the restrictions a named host declares', async () => {
    const r = await login(await saToken({ serviceAccount: 'peer-sa', pod: 'peer-pod' }), { login: 'host/jwt/peer-app' });
    expect(r.status).toBe(200);
    expect(await claimsOf(r)).toMatchObject({ sub: 'host/jwt/peer-app', k8s: { service_account: 'peer-sa', pod: 'peer-pod' } });
    await expectRefused(await login(await saToken(), { login: 'host/jwt/peer-app' }), 'SERVICE_ACCOUNT_MISMATCH', /exp="peer-sa" got="app-sa"/);
  });

  it('refuses the token of a deleted pod', async () => {
    await suite.sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gone-pod', namespace: 'jwt-demo' },
      spec: { serviceAccountName: 'app-sa', containers: [{ name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running' },
    });
    const jwt = await saToken({ pod: 'gone-pod' });
    expect((await login(jwt)).status).toBe(200);
    await suite.sim.remove('Pod', 'jwt-demo', 'gone-pod');
    await expectRefused(await login(jwt), 'SA_TOKEN_POD_GONE', /jwt-demo\/gone-pod/);
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(await login(await saToken({ audiences: ['vault'] })), 'SA_TOKEN_AUDIENCE', /exp="podid" got=\["vault"\]/);
  });

  it('refuses an expired token', async () => {
    const jwt = await saToken({ expirationSeconds: 1 });
    const exp = decodeJwt(jwt).exp!;
    await waitFor(() => Date.now() / 1000 > exp + 1, { timeoutMs: 5000, message: 'the token has expired' });
    await expectRefused(await login(jwt), 'SA_TOKEN_EXPIRED', /expired/);
  });

  it('refuses a token with the same claims signed by a key the cluster does not know', async () => {
    const real = await saToken();
    const { privateKey } = await generateKeyPair('ES256');
    const header = { alg: 'ES256', kid: decodeProtectedHeader(real).kid };
    const claims = decodeJwt(real);
    const forged = await new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
    const otherIssuer = await new SignJWT({ ...claims, iss: 'https://issuer.attacker.example' }).setProtectedHeader(header).sign(privateKey);
    for (const jwt of [forged, otherIssuer]) await expectRefused(await login(jwt), 'SA_TOKEN_INVALID');
  });

  it('refuses a namespace and a service account outside the bindings', async () => {
    await expectRefused(await login(await saToken({ namespace: 'jwt-other', pod: 'other-pod' })), 'AUTHN_JWT_BINDING_MISMATCH', /^namespace: .*got="jwt-other"/);
    await expectRefused(await login(await saToken({ serviceAccount: 'stranger-sa', pod: 'stranger-pod' })), 'AUTHN_JWT_BINDING_MISMATCH', /^service account: .*got="stranger-sa"/);
  });

  it('refuses malformed tokens, and never logs token material', async () => {
    for (const jwt of ['not-a-jwt', 'a.b.c', `${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`]) await expectRefused(await login(jwt), 'SA_TOKEN_MALFORMED');
    const lines = (['gateway', 'pod-verifier'] as const).flatMap((s) => suite.logs(s).map((l) => JSON.stringify(l)));
    expect(lines.filter((l) => /eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\./.test(l))).toEqual([]);
    // pod-verifier's own line carries the exact code too.
    await eventually(() => expect(suite.logs('pod-verifier').some((l) => l['event'] === 'SA_TOKEN_REFUSED' && l['code'] === 'SA_TOKEN_EXPIRED')).toBe(true));
  });

  // Last: it restarts the gateway with a small host limit.
  it('a token naming a host it is not bound to spends no host bucket, so the host itself still logs in', async () => {
    const HOST_LIMIT = 3;
    await suite.restart('gateway', { PODID_RATE_LIMIT_IP: '1000/1m', PODID_RATE_LIMIT_POD: '1000/1m', PODID_RATE_LIMIT_HOST: `${HOST_LIMIT}/1m` });
    const redis = new Redis(suite.redisUrl);
    try {
      // Start from a full bucket: the tests above logged in as app-sa within this window.
      const keys = await redis.keys('*host:authn-jwt/k8s-jwt/app-sa');
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    const peer = await saToken({ serviceAccount: 'peer-sa', pod: 'peer-pod' });
    for (let i = 0; i < HOST_LIMIT + 2; i++) await expectRefused(await login(peer, { login: 'host/authn-jwt/k8s-jwt/app-sa' }), 'AUTHN_JWT_HOST_UNBOUND');
    const own = await saToken();
    const statuses: number[] = [];
    for (let i = 0; i < HOST_LIMIT + 1; i++) statuses.push((await login(own, { login: 'host/authn-jwt/k8s-jwt/app-sa' })).status);
    // The bound token gets the whole bucket, and the limit still holds for it.
    expect(statuses).toEqual([...Array<number>(HOST_LIMIT).fill(200), 429]);
  });
});
