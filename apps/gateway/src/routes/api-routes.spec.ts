import { httpsCall } from '@podid/testkit';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

/** Conjur's header: base64 of the token JSON; the fake token issuer knows `{"t":"admin-token"}` and `{"t":"user-token"}`. */
const tokenHeader = (t: string) => ({ authorization: `Token token="${Buffer.from(JSON.stringify({ t })).toString('base64')}"` });

describe('gateway API routes', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ PODID_ISSUER: 'https://podid.example/' });
  });
  afterAll(() => t.stop());
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => httpsCall(t.url, { method, path, caPem: t.caPem, headers, body });

  it('lists authenticators in Conjur shape', async () => {
    const r = await call('GET', '/authenticators');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ installed: ['authn-k8s', 'authn-jwt'], configured: ['authn-k8s/dev', 'authn-jwt/jwt-dev'], enabled: ['authn-k8s/dev', 'authn-jwt/jwt-dev'] });
  });

  it('serves the JWKS and an OpenID configuration naming PODID_ISSUER', async () => {
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(JSON.parse(jwks.body)).toEqual({ keys: [] });
    const oidc = JSON.parse((await call('GET', '/.well-known/openid-configuration')).body);
    expect(oidc).toMatchObject({ issuer: 'https://podid.example', jwks_uri: 'https://podid.example/.well-known/jwks.json' });
  });

  it('introspect: 401 without a token, 403 without the grant, RFC 7662 answers with it', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await call('POST', '/tokens/introspect', form, 'token=user-token')).status).toBe(401);
    const denied = await call('POST', '/tokens/introspect', { ...form, ...tokenHeader('user-token') }, 'token=user-token');
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).error.code).toBe('forbidden');
    const ok = await call('POST', '/tokens/introspect', { ...form, ...tokenHeader('admin-token') }, 'token=user-token');
    expect(JSON.parse(ok.body)).toMatchObject({ active: true, sub: 'host/apps/demo', jti: 'jti-apps/demo', k8s: { pod: 'app-1', cluster: 'default' } });
    // The pod is checked in the cluster the token names.
    expect(t.fakes.calls.filter((c) => c.method === 'pod-verifier.checkPodLive').at(-1)!.req).toMatchObject({ pod: 'app-1', cluster: 'default' });
    const inactive = await call('POST', '/tokens/introspect', { ...form, authorization: 'Bearer a.b.c' }, 'token=whatever');
    expect(inactive.status).toBe(401);
    const dead = await call('POST', '/tokens/introspect', { ...form, ...tokenHeader('admin-token') }, 'token=nonsense');
    expect(JSON.parse(dead.body)).toEqual({ active: false });
  });

  it('revoke: a host revokes its own token without a grant; a host target needs the grant', async () => {
    const own = await call('POST', '/tokens/revoke', tokenHeader('user-token'), 'token=user-token');
    expect(own.status).toBe(200);
    expect(t.fakes.calls.filter((c) => c.method === 'token-issuer.revoke').at(-1)!.req).toMatchObject({ target: { $case: 'token', value: 'user-token' } });
    const host = await call('POST', '/tokens/revoke', { ...tokenHeader('user-token'), 'content-type': 'application/json' }, '{"host":"host/apps/other"}');
    expect(host.status).toBe(403);
    const admin = await call('POST', '/tokens/revoke', { ...tokenHeader('admin-token'), 'content-type': 'application/json' }, '{"pod_uid":"3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab"}');
    expect(admin.status).toBe(200);
    const bad = await call('POST', '/tokens/revoke', { ...tokenHeader('admin-token'), 'content-type': 'application/json' }, '{"jti":"a","host":"b"}');
    expect(bad.status).toBe(400);
    const xml = await call('POST', '/tokens/revoke', { ...tokenHeader('admin-token'), 'content-type': 'application/xml' }, '<a/>');
    expect(xml.status).toBe(415);
  });

  it('status: needs the status grant, then reports every check', async () => {
    expect((await call('GET', '/authn-k8s/dev/default/status', tokenHeader('user-token'))).status).toBe(403);
    const ok = await call('GET', '/authn-k8s/dev/default/status', tokenHeader('admin-token'));
    expect({ status: ok.status, body: JSON.parse(ok.body) }).toEqual({ status: 200, body: { status: 'ok' } });
    const missing = await call('GET', '/authn-k8s/prod/default/status', tokenHeader('admin-token'));
    expect(missing.status).toBe(503);
    expect(JSON.parse(missing.body).checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name)).toEqual(['ca', 'policy']);
  });

  it('health and readiness on the public port; metrics with their reason labels on the ops port only', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect(JSON.parse((await call('GET', '/readyz')).body)).toEqual({ status: 'ready' });
    // A refused certificate request: its reason label is what an outsider would read to probe pods and policy.
    expect((await call('POST', '/authn-k8s/dev/inject_client_cert', {}, 'garbage')).status).toBe(400);
    const pub = await call('GET', '/metrics');
    expect({ status: pub.status, code: JSON.parse(pub.body).error.code }).toEqual({ status: 404, code: 'not_found' });
    expect(pub.body).not.toContain('podid_');
    const ops = await (await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`)).text();
    expect(ops).toMatch(/podid_gateway_http_requests_total\{route="authenticators",status="200"\} \d+/);
    expect(ops).toMatch(/podid_gateway_certs_total\{result="refused",reason="CSR_\w+"\} [1-9]/);
  });
});
