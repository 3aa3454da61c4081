import type { InjectRequest } from '@podid/contracts';
import { FAKE_POD_UID } from '../testing/fake-upstreams';
import { httpsCall } from '@podid/testkit';
import { makePodCsr } from '../testing/pod-cert';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const LOGIN = encodeURIComponent('host/conjur/authn-k8s/dev/apps/demo');

describe('gateway login routes over real HTTPS (fake upstreams over real gRPC mTLS)', () => {
  let t: TestGateway;
  let csr: { csrPem: string; keyPem: string };
  beforeAll(async () => {
    t = await startTestGateway();
    csr = await makePodCsr({ cn: 'demo', namespace: 'demo', pod: 'app-1' });
  });
  afterAll(() => t.stop());

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}, cert?: { certPem: string; keyPem: string }) =>
    httpsCall(t.url, { method: 'POST', path, caPem: t.caPem, body, headers: { 'content-type': 'text/plain', ...headers }, cert: cert?.certPem, key: cert?.keyPem });

  const inject = async () => {
    const from = t.fakes.calls.length;
    const r = await post('/authn-k8s/dev/inject_client_cert', csr.csrPem, { 'host-id-prefix': 'host.conjur.authn-k8s.dev.apps' });
    const call = t.fakes.calls.slice(from).find((c) => c.method === 'cert-injector.inject');
    return { r, calls: t.fakes.calls.slice(from), injected: call?.req as InjectRequest | undefined };
  };

  it('inject_client_cert: checks, signs, injects into the SAN pod, then answers 202 with an empty body', async () => {
    const { r, calls, injected } = await inject();
    expect(r.status).toBe(202);
    expect(r.body).toBe('');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls.map((c) => c.method)).toEqual(['policy.resolve', 'pod-verifier.verifyPod', 'ca-signer.sign', 'cert-injector.inject']);
    expect(calls[0]!.req).toMatchObject({ serviceId: 'dev', hostId: 'conjur/authn-k8s/dev/apps/demo' });
    expect(injected).toMatchObject({ namespace: 'demo', pod: 'app-1', container: 'authenticator', podUid: FAKE_POD_UID, cluster: 'default' });
    const audit = t.logs.withEvent('AUDIT_INJECT_CLIENT_CERT').at(-1)!;
    expect(audit).toMatchObject({ result: 'success', request_id: r.headers['x-request-id'], namespace: 'demo', pod: 'app-1', host_id: 'conjur/authn-k8s/dev/apps/demo' });
    expect(t.logs.text).not.toContain('BEGIN');
  });

  it('refuses garbage, empty and tampered CSRs with 400 and oversized ones with 413, before any upstream call', async () => {
    const from = t.fakes.calls.length;
    const tampered = csr.csrPem.replace(/(-----BEGIN CERTIFICATE REQUEST-----\n)(.{10})(.)/, (_m, a: string, b: string, c: string) => `${a}${b}${c === 'A' ? 'B' : 'A'}`);
    const lines = csr.csrPem.trim().split('\n');
    const sigTampered = [...lines.slice(0, -2), lines.at(-2)!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')).replace(/^(.)/, (c) => (c === 'Q' ? 'R' : 'Q')), lines.at(-1)].join('\n');
    for (const body of ['garbage', '', tampered, sigTampered]) {
      const r = await post('/authn-k8s/dev/inject_client_cert', body);
      expect({ status: r.status, code: JSON.parse(r.body).error.code }).toEqual({ status: 400, code: expect.stringMatching(/^csr_/) });
    }
    const big = await post('/authn-k8s/dev/inject_client_cert', 'A'.repeat(16 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(t.fakes.calls.length).toBe(from);
  });

  it('answers a policy refusal with the generic 401, and logs the exact check under the same request id', async () => {
    const other = await makePodCsr({ cn: 'unknown', namespace: 'demo', pod: 'app-1' });
    const from = t.fakes.calls.length;
    const r = await post('/authn-k8s/dev/inject_client_cert', other.csrPem, { 'x-request-id': 'req-unknown-host' });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'authentication_failed', message: expect.any(String), request_id: 'req-unknown-host' } });
    expect(JSON.parse(r.body).error.message).not.toMatch(/unknown|HOST_NOT_FOUND|policy/);
    expect(t.fakes.calls.slice(from).map((c) => c.method)).toEqual(['policy.resolve']);
    expect(t.logs.withEvent('AUDIT_INJECT_CLIENT_CERT').at(-1)).toMatchObject({ result: 'failure', code: 'HOST_NOT_FOUND', request_id: 'req-unknown-host' });
    expect(t.logs.withEvent('AUTHN_UPSTREAM_DENIED').at(-1)).toMatchObject({ upstream_code: 'HOST_NOT_FOUND', request_id: 'req-unknown-host' });
  });

  it('answers within the login budget: a slow pod check leaves the injection only what remains of 9 s, then 503', async () => {
    const { verifyPod } = t.fakes.handlers.podVerifier;
    const { inject: injectOk } = t.fakes.handlers.certInjector;
    let injectorHeldMs = -1;
    const { podVerifier, certInjector } = t.fakes.handlers;
    Object.assign(podVerifier, { verifyPod: async (...a: Parameters<typeof verifyPod>) => (await new Promise((r) => setTimeout(r, 3000)), verifyPod(...a)) });
    Object.assign(certInjector, {
      inject: (_req: unknown, ctx: Parameters<typeof injectOk>[1]) =>
        new Promise((_resolve, reject) => {
          const since = Date.now();
          ctx.signal.addEventListener('abort', () => ((injectorHeldMs = Date.now() - since), reject(new Error('aborted'))));
        }),
    });
    try {
      const started = Date.now();
      const { r } = await inject();
      const took = Date.now() - started;
      expect(r.status).toBe(503);
      expect(took).toBeGreaterThan(8500); // timers may fire a little early
      expect(took).toBeLessThan(10_000 + 2000); // the client's 10 s, plus slack for a loaded machine
      // The injector saw a deadline of what was left (about 6 s), not its own 9 s.
      expect(injectorHeldMs).toBeGreaterThan(0);
      expect(injectorHeldMs).toBeLessThan(9000 - 3000 + 500);
    } finally {
      Object.assign(podVerifier, { verifyPod });
      Object.assign(certInjector, { inject: injectOk });
    }
  }, 30_000);

  it('authenticate: mTLS with the injected certificate returns the token in each representation', async () => {
    const { injected } = await inject();
    const cert = { certPem: injected!.certificatePem, keyPem: csr.keyPem };
    const path = `/authn-k8s/dev/default/${LOGIN}/authenticate`;
    const json = await post(path, '', {}, cert);
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(Object.keys(JSON.parse(json.body))).toEqual(['protected', 'payload', 'signature']);
    const compact = await post(path, '', { accept: 'application/jwt' }, cert);
    expect(compact.body.split('.')).toHaveLength(3);
    const b64 = await post(path, '', { 'accept-encoding': 'gzip, base64' }, cert);
    expect(b64.headers['content-encoding']).toBe('base64');
    expect(JSON.parse(Buffer.from(b64.body, 'base64').toString())).toEqual(JSON.parse(json.body));
    const issue = t.fakes.calls.filter((c) => c.method === 'token-issuer.issue').at(-1)!.req;
    expect(issue).toMatchObject({ hostId: 'conjur/authn-k8s/dev/apps/demo', k8s: { namespace: 'demo', pod: 'app-1', podUid: FAKE_POD_UID, serviceAccount: 'demo-sa', authenticator: 'authn-k8s/dev', cluster: 'default' } });
    const verify = t.fakes.calls.filter((c) => c.method === 'pod-verifier.verifyPod').at(-1)!.req;
    expect(verify).toMatchObject({ expectedUid: FAKE_POD_UID, cluster: 'default' });
  });

  it('authenticate refuses: no cert, another login, wrong account, forged proxy header (401) and a malformed login (400)', async () => {
    const { injected } = await inject();
    const cert = { certPem: injected!.certificatePem, keyPem: csr.keyPem };
    const cases: Array<[string, Record<string, string>, typeof cert | undefined, number, string]> = [
      [`/authn-k8s/dev/default/${LOGIN}/authenticate`, {}, undefined, 401, 'AUTHN_CERT_MISSING'],
      [`/authn-k8s/dev/default/${encodeURIComponent('host/conjur/authn-k8s/dev/apps/other')}/authenticate`, {}, cert, 401, 'AUTHN_CN_MISMATCH'],
      [`/authn-k8s/dev/other-account/${LOGIN}/authenticate`, {}, cert, 401, 'AUTHN_ACCOUNT_MISMATCH'],
      [`/authn-k8s/dev/default/${LOGIN}/authenticate`, { 'x-ssl-client-certificate': encodeURIComponent(injected!.certificatePem) }, undefined, 401, 'AUTHN_CERT_MISSING'],
      ['/authn-k8s/dev/default/host%2Fa%zz/authenticate', {}, cert, 400, 'LOGIN_MALFORMED'],
    ];
    for (const [path, headers, c, status, code] of cases) {
      const r = await post(path, '', headers, c);
      expect({ path, status: r.status }).toEqual({ path, status });
      const rid = r.headers['x-request-id'];
      if (status === 401) {
        expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
        expect(t.logs.lines.find((l) => l['event'] === 'AUDIT_AUTHENTICATE' && l['request_id'] === rid)).toMatchObject({ result: 'failure', code });
      } else expect(JSON.parse(r.body).error.code).toBe(code.toLowerCase());
    }
    expect(t.logs.withEvent('AUTHN_FORGED_PROXY_HEADER').length).toBeGreaterThan(0);
  });

  it('authn-jwt: a reviewed token matching the bindings gets a token; others 401; JSON bodies 415', async () => {
    const ok = await post('/authn-jwt/jwt-dev/default/authenticate', 'jwt=good-sa-token');
    expect(ok.status).toBe(200);
    expect(t.fakes.calls.filter((c) => c.method === 'policy.resolve').at(-1)!.req).toMatchObject({ serviceId: 'jwt-dev', type: 2, hostId: 'jwt-apps/demo-sa' });
    const withLogin = await post(`/authn-jwt/jwt-dev/default/${encodeURIComponent('host/named')}/authenticate`, 'jwt=good-sa-token');
    expect(withLogin.status).toBe(200);
    expect(t.fakes.calls.filter((c) => c.method === 'policy.resolve').at(-1)!.req).toMatchObject({ hostId: 'named' });
    expect((await post('/authn-jwt/jwt-dev/default/authenticate', 'jwt=bad')).status).toBe(401);
    expect((await post('/authn-jwt/nope/default/authenticate', 'jwt=good-sa-token')).status).toBe(401);
    expect((await post('/authn-jwt/jwt-dev/default/authenticate', '{"jwt":"x"}', { 'content-type': 'application/json' })).status).toBe(415);
  });
});
