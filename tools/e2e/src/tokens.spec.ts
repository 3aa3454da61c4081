import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Suite } from './support/e2e-suite';
import { waitFor } from '@podid/testkit';
import { HOST, POD, startE2eSuite } from './support/e2e-suite';
import { httpsCall } from '@podid/testkit';
import { authenticate, certificateLogin, tokenAuthorization } from './support/pod-login';

/** Revocation across replicas (DESIGN.md 8.3) and Redis fail-closed behaviour (DESIGN.md 7). */
describe('e2e: tokens, revocation and Redis outages', () => {
  let suite: Suite;
  let extra: { url: string; stop(): Promise<void> };
  let admin: string;
  let app: { certPem: string; keyPem: string };
  beforeAll(async () => {
    suite = await startE2eSuite();
    extra = await suite.startExtraGateway();
    const a = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    admin = (await authenticate(suite, { hostId: HOST.admin, cert: a.certPem, key: a.keyPem })).body;
    app = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
  }, 150_000);
  afterAll(async () => {
    await extra?.stop();
    await suite?.stop();
  });

  const introspect = (url: string, token: string) =>
    httpsCall(url, { method: 'POST', path: '/tokens/introspect', caPem: suite.gatewayCaPem, headers: { 'content-type': 'application/x-www-form-urlencoded', ...tokenAuthorization(admin) }, body: `token=${encodeURIComponent(token)}` });

  it('a revoked token is inactive on both gateway replicas', async () => {
    const token = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
    for (const url of [suite.gatewayUrl, extra.url]) expect(JSON.parse((await introspect(url, token)).body)).toMatchObject({ active: true, sub: `host/${HOST.deployment}` });
    // The host revokes its own token, without any grant, on replica 1.
    const rv = await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/tokens/revoke', caPem: suite.gatewayCaPem, headers: { 'content-type': 'application/x-www-form-urlencoded', ...tokenAuthorization(token) }, body: `token=${encodeURIComponent(token)}` });
    expect(rv.status).toBe(200);
    for (const url of [suite.gatewayUrl, extra.url]) expect(JSON.parse((await introspect(url, token)).body)).toEqual({ active: false });
  });

  it('answers 403 to a host without the grant, and 401 without a token', async () => {
    const token = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
    const r = await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/tokens/introspect', caPem: suite.gatewayCaPem, headers: tokenAuthorization(token), body: 'token=x' });
    expect(r.status).toBe(403);
    expect((await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/tokens/introspect', caPem: suite.gatewayCaPem, body: 'token=x' })).status).toBe(401);
  });

  /** The token re-signed with token-issuer's own key (from the suite's state dir), with `aud` changed. */
  const withAudience = (tokenJson: string, aud: string): string => {
    const t = JSON.parse(tokenJson) as { protected: string; payload: string };
    const { kid } = JSON.parse(Buffer.from(t.protected, 'base64url').toString('utf8')) as { kid: string };
    const stored = JSON.parse(readFileSync(join(suite.stateDir, 'token-keys', 'token-signing-keys.json'), 'utf8')) as { privateKeys: Record<string, string> };
    const payload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(t.payload, 'base64url').toString('utf8')), aud })).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${t.protected}.${payload}`), { key: createPrivateKey(stored.privateKeys[kid]!), dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return JSON.stringify({ protected: t.protected, payload, signature });
  };

  it("refuses as a caller a podid-signed token for another audience (401, TOKEN_AUDIENCE)", async () => {
    const status = (token: string) => httpsCall(suite.gatewayUrl, { path: '/authn-k8s/dev/default/status', caPem: suite.gatewayCaPem, headers: tokenAuthorization(token) });
    // The re-signing itself is sound: the same token with podid's audience is accepted.
    expect((await status(withAudience(admin, 'podid'))).status).toBe(200);
    const other = withAudience(admin, 'https://some-other-service');
    expect((await status(other)).status).toBe(401);
    await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'TOKEN_CALLER_INVALID' && l['code'] === 'TOKEN_AUDIENCE'), { timeoutMs: 5000, message: 'gateway logs TOKEN_AUDIENCE' });
    // Introspect still reports it (any audience podid issued), for its pod is alive.
    expect(JSON.parse((await introspect(suite.gatewayUrl, other)).body)).toMatchObject({ active: true, aud: 'https://some-other-service' });
  });

  it('status needs the grant and reports ok', async () => {
    const r = await httpsCall(suite.gatewayUrl, { path: '/authn-k8s/dev/default/status', caPem: suite.gatewayCaPem, headers: tokenAuthorization(admin) });
    expect({ status: r.status, body: JSON.parse(r.body) }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('Redis down: authenticate answers 503 (fail closed), nothing crashes, and it recovers', async () => {
    await suite.redis!.kill();
    const down = await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem });
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).error.code).toBe('redis_unavailable');
    expect((await httpsCall(suite.gatewayUrl, { path: '/readyz', caPem: suite.gatewayCaPem })).status).toBe(503);
    await suite.redis!.restart();
    await waitFor(async () => (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).status === 200, { timeoutMs: 15_000, message: 'authenticate recovers after Redis restarts' });
    for (const s of ['gateway', 'token-issuer'] as const) expect(suite.services.get(s)!.running).toBe(true);
  });
});
