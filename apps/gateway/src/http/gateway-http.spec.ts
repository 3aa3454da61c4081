import { writeFileSync, renameSync } from 'node:fs';
import { connect } from 'node:tls';
import fc from 'fast-check';
import { fcParams, startRedis, waitFor, type RedisHandle } from '@podid/testkit';
import { createCa, issueServiceCert } from '@podid/x509';
import { httpsCall } from '@podid/testkit';
import { makePodCsr } from '../testing/pod-cert';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

describe('gateway HTTP layer', () => {
  let t: TestGateway;
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis({ own: true });
    t = await startTestGateway({ PODID_RATE_LIMIT_IP: '1000/1m', PODID_TRUSTED_PROXIES: '10.9.0.0/16' }, redis);
  });
  afterAll(async () => {
    await t.stop();
    await redis.stop();
  });
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => httpsCall(t.url, { method, path, caPem: t.caPem, headers, body });

  it('answers unknown paths 404 and wrong methods 405, always with X-Request-Id and the error shape', async () => {
    const nf = await call('GET', '/nope', { 'x-request-id': 'abc-1' });
    expect({ status: nf.status, rid: nf.headers['x-request-id'], body: JSON.parse(nf.body) }).toEqual({
      status: 404,
      rid: 'abc-1',
      body: { error: { code: 'not_found', message: 'no such route', request_id: 'abc-1' } },
    });
    const m = await call('GET', '/authn-k8s/dev/inject_client_cert');
    expect(m.status).toBe(405);
    expect(m.headers['allow']).toBe('POST');
    const evil = await call('GET', '/nope', { 'x-request-id': 'a\tb' });
    expect(evil.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a malformed URL encoding with 400, never 500', async () => {
    for (const path of ['/authn-k8s/%E0%A4%A/inject_client_cert', '/authn-k8s/dev/default/%zz/authenticate', '/authn-jwt/dev/%ff/authenticate']) {
      const r = await call('POST', path, {}, 'x');
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
    }
  });

  it('stops reading an oversized chunked body at 16 KiB with 413', async () => {
    const r = await httpsCall(t.url, { method: 'POST', path: '/authn-k8s/dev/inject_client_cert', caPem: t.caPem, headers: { 'transfer-encoding': 'chunked' }, body: Buffer.alloc(64 * 1024, 65) }).catch((e: Error) => e);
    // The server may close while the client still writes; what it answered, if read, is 413.
    if (!(r instanceof Error)) expect(r.status).toBe(413);
    expect(t.logs.lines.some((l) => l['event'] === 'GATEWAY_BAD_REQUEST' && l['code'] === 'BODY_TOO_LARGE')).toBe(true);
  });

  it('accepts TLS 1.2+ only', async () => {
    const err = await new Promise<Error | undefined>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: t.gw.port, ca: t.caPem, servername: 'localhost', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => (s.end(), resolve(undefined)));
      s.on('error', resolve);
    });
    // Errors from node:tls come from another realm under jest, so check the message rather than instanceof.
    expect(err?.message).toMatch(/protocol|version|alert/i);
  });

  it('reloads the serving certificate when its files change, without a restart', async () => {
    const ca2 = await createCa({ commonName: 'rotated gateway CA', now: new Date(), ttlMs: 86_400_000 });
    const c2 = await issueServiceCert({ ca: ca2, service: 'gateway', now: new Date(), ttlMs: 86_400_000 });
    writeFileSync(`${t.keyFile}.new`, c2.keyPem);
    writeFileSync(`${t.certFile}.new`, c2.certPem);
    renameSync(`${t.keyFile}.new`, t.keyFile);
    renameSync(`${t.certFile}.new`, t.certFile);
    await waitFor(() => httpsCall(t.url, { path: '/healthz', caPem: ca2.certPem }).then((r) => r.status === 200), { timeoutMs: 8000, message: 'gateway serves the rotated certificate' });
    expect(t.logs.withEvent('GATEWAY_TLS_RELOADED').length).toBeGreaterThan(0);
    // Put the original back for the other tests.
    const orig = await issueServiceCert({ ca: t.servingCa, service: 'gateway', now: new Date(), ttlMs: 86_400_000 });
    writeFileSync(`${t.keyFile}.new`, orig.keyPem);
    writeFileSync(`${t.certFile}.new`, orig.certPem);
    renameSync(`${t.keyFile}.new`, t.keyFile);
    renameSync(`${t.certFile}.new`, t.certFile);
    await waitFor(() => call('GET', '/healthz').then((r) => r.status === 200, () => false), { timeoutMs: 8000, message: 'original certificate back' });
  });

  it('never answers a 5xx (but the designed 503s) or a stack trace to random paths, headers and bodies (property)', async () => {
    const seg = fc.oneof(
      fc.constantFrom('authn-k8s', 'authn-jwt', 'dev', 'jwt-dev', 'other', 'default', 'authenticate', 'inject_client_cert', 'status', 'tokens', 'revoke', 'introspect'),
      fc.constantFrom('authenticators', 'healthz', 'readyz', 'metrics', '.well-known', 'jwks.json', 'openid-configuration', 'host%2Fapps%2Fdemo', '%', '%zz', '%2F', '%00', '..', ''),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    // Most draws hit a real route (its parameters fuzzed), so the handlers run and not only the router's 404.
    const param = fc.oneof(fc.constantFrom('dev', 'jwt-dev', 'default', 'host%2Fapps%2Fdemo', 'apps.demo', 'admin'), seg);
    const routed = fc.oneof(
      fc.tuple(fc.constant('POST'), param).map(([m, a]) => [m, ['authn-k8s', a, 'inject_client_cert']] as const),
      fc.tuple(fc.constant('POST'), param, param, param).map(([m, a, b, c]) => [m, ['authn-k8s', a, b, c, 'authenticate']] as const),
      fc.tuple(fc.constant('POST'), param, param).map(([m, a, b]) => [m, ['authn-jwt', a, b, 'authenticate']] as const),
      fc.tuple(fc.constant('POST'), param, param, param).map(([m, a, b, c]) => [m, ['authn-jwt', a, b, c, 'authenticate']] as const),
      fc.tuple(fc.constant('GET'), param, param).map(([m, a, b]) => [m, ['authn-k8s', a, b, 'status']] as const),
      fc.constantFrom(['POST', ['tokens', 'revoke']] as const, ['POST', ['tokens', 'introspect']] as const),
      fc.constantFrom(...[['authenticators'], ['healthz'], ['readyz'], ['metrics'], ['.well-known', 'jwks.json'], ['.well-known', 'openid-configuration']].map((p) => ['GET', p] as const)),
    );
    const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const request = fc.oneof(
      { arbitrary: routed, weight: 3 },
      { arbitrary: fc.tuple(anyMethod, fc.oneof(routed.map(([, p]) => p), fc.array(seg, { minLength: 1, maxLength: 6 }))), weight: 1 },
    );
    const headerValue = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    // Tokens the fake token-issuer knows, so the property also reaches past authentication (status, introspect, revoke).
    const token = fc.constantFrom('admin-token', 'user-token', '{"t":"admin-token"}', '{', '{"t":1}').map((t) => `Token token="${Buffer.from(t.startsWith('{') ? t : JSON.stringify({ t })).toString('base64')}"`);
    const authorization = fc.oneof(headerValue, token, fc.constantFrom('Bearer admin-token', 'Bearer {', 'Token token="%%%"', 'Token token=""'));
    await fc.assert(
      fc.asyncProperty(
        request,
        fc.record({ 'content-type': fc.oneof(headerValue, fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain')), accept: headerValue, 'accept-encoding': headerValue, authorization, 'host-id-prefix': headerValue, 'x-ssl-client-certificate': headerValue, 'x-forwarded-for': headerValue }, { requiredKeys: [] }),
        fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('jwt=%zz', 'token=a.b.c', 'token=user-token', '{"jti":1}', '{"pod_uid":[]}', '{"host":"apps/demo"}', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n')),
        async ([method, segs], headers, body) => {
          const path = `/${segs.join('/')}`;
          const r = await call(method, path, headers as Record<string, string>, method === 'GET' || method === 'HEAD' ? undefined : body);
          expect(r.headers['x-request-id']).toBeDefined();
          // No stack frame, no source path, in any answer.
          expect(r.body).not.toMatch(/\bat .+[.:]\d+|\.(ts|js|mjs|cjs):\d+|\/(src|dist|node_modules)\/|[A-Z]:\\/);
          if (r.status < 500) return;
          // The only 5xx by design: 503 from /readyz and from the status self-check when a dependency (or an authenticator's CA) is missing,
          // always with its documented body. Every upstream and Redis are up here, so nothing else may be 5xx.
          expect({ path, status: r.status }).toEqual({ path, status: 503 });
          const b = JSON.parse(r.body) as { status?: string };
          if (/^\/readyz\/?$/.test(path)) expect(b.status).toBe('not ready');
          else {
            expect(path).toMatch(/^\/authn-k8s\/[^/]+\/[^/]+\/status\/?$/);
            expect(b.status).toBe('error');
          }
        },
      ),
      fcParams(200),
    );
  });

  it('falls back to in-memory rate limiting while Redis is down, reports not ready, and recovers', async () => {
    const csr = await makePodCsr({ cn: 'demo', namespace: 'demo', pod: 'app-1' });
    await redis.kill();
    const r = await call('POST', '/authn-k8s/dev/inject_client_cert', {}, csr.csrPem);
    expect(r.status).toBe(202);
    expect(t.logs.withEvent('RATE_LIMIT_FALLBACK').length).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`)).text()).toMatch(/podid_gateway_rate_limit_fallback_total [1-9]/);
    // Outsiders learn only "not ready"; which check fails is in the log.
    const ready = await call('GET', '/readyz');
    expect({ status: ready.status, body: JSON.parse(ready.body) }).toEqual({ status: 503, body: { status: 'not ready' } });
    expect(t.logs.withEvent('GATEWAY_NOT_READY').at(-1)).toMatchObject({ failing: ['redis'] });
    await redis.restart();
    await waitFor(() => call('GET', '/readyz').then((x) => x.status === 200), { timeoutMs: 10_000, message: 'ready again after Redis restart' });
  });
});

describe('gateway rate limits', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ PODID_RATE_LIMIT_IP: '3/1m' });
  });
  afterAll(() => t.stop());

  it('answers 429 with Retry-After once the per-IP limit is spent', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await httpsCall(t.url, { method: 'POST', path: '/authn-k8s/dev/inject_client_cert', caPem: t.caPem, body: 'garbage' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(last!.body).error.code).toBe('rate_limited');
  });
});
