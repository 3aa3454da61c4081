import { createLocalJWKSet, flattenedVerify } from 'jose';
import { POD, startE2eSuite, type Suite } from './support/e2e-suite';
import { httpsCall } from '@podid/testkit';

/** Service-account login (authn-jwt): TokenReview by pod-verifier, bindings, then a podid token. */
describe('e2e: authn-jwt authenticate', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startE2eSuite();
  }, 120_000);
  afterAll(() => suite?.stop());

  const login = (jwt: string, path = '/authn-jwt/jwt-dev/default/authenticate') =>
    httpsCall(suite.gatewayUrl, { method: 'POST', path, caPem: suite.gatewayCaPem, headers: { 'content-type': 'text/plain', 'user-agent': 'k8s' }, body: `jwt=${jwt}` });
  const saToken = (serviceAccount: string, audiences = ['podid']) => suite.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount, audiences, podName: POD.barePod, expirationSeconds: 600 });

  it('issues a token for a projected service-account token that matches the bindings', async () => {
    const r = await login(await saToken('demo-sa'));
    expect(r.status).toBe(200);
    const jwks = JSON.parse((await httpsCall(suite.gatewayUrl, { path: '/.well-known/jwks.json', caPem: suite.gatewayCaPem })).body);
    const claims = JSON.parse(new TextDecoder().decode((await flattenedVerify(JSON.parse(r.body), createLocalJWKSet(jwks))).payload));
    expect(claims).toMatchObject({ sub: 'host/jwt-apps/demo-sa', k8s: { namespace: 'demo', pod: POD.barePod, service_account: 'demo-sa', authenticator: 'authn-jwt/jwt-dev' } });
    expect(claims.exp - claims.iat).toBe(300);
  });

  it('refuses another audience, a service account outside the bindings and garbage with 401', async () => {
    for (const jwt of [await saToken('demo-sa', ['other']), await saToken('other-sa'), 'not-a-jwt']) {
      const r = await login(jwt);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
    }
  });
});
