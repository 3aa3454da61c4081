import { X509Certificate } from 'node:crypto';
import type { CertInjectorService, InjectRequest, IssueRequest, PolicyService, ReviewTokenRequest, SignRequest, VerifyPodRequest } from '@podid/contracts';
import { DependencyUnavailableError } from '@podid/errors';
import type { Handlers } from '@podid/grpc';
import { httpsCall } from '@podid/testkit';
import { FAKE_POD_UID } from '../testing/fake-upstreams';
import { forgePodCert, makePodCert, makePodCsr } from '../testing/pod-cert';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const LOGIN = encodeURIComponent('host/conjur/authn-k8s/dev/apps/demo');
const CN = 'host.conjur.authn-k8s.dev.apps.demo';
const AUTHENTICATE = `/authn-k8s/dev/default/${LOGIN}/authenticate`;
const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID_URN = `urn:podid:pod-uid:${FAKE_POD_UID}`;

describe('gateway logins are bound to the cluster of the authenticator (fake upstreams over real gRPC mTLS)', () => {
  let t: TestGateway;
  let resolve: Handlers<typeof PolicyService>['resolve'];
  let listAuthenticators: Handlers<typeof PolicyService>['listAuthenticators'];
  beforeAll(async () => {
    t = await startTestGateway();
    ({ resolve, listAuthenticators } = t.fakes.handlers.policy);
  });
  afterAll(() => t.stop());
  afterEach(() => Object.assign(t.fakes.handlers.policy, { resolve, listAuthenticators }));

  /** Policy binds every authenticator to `cluster` in `trustDomain` (an empty cluster: a policy service from before clusters). */
  const scope = (cluster: string, trustDomain = 'cluster.local') => {
    Object.assign(t.fakes.handlers.policy, {
      resolve: async (...a: Parameters<typeof resolve>) => {
        const r = await resolve(...a);
        return { ...r, authenticator: { ...r.authenticator!, cluster, trustDomain } };
      },
      listAuthenticators: async (...a: Parameters<typeof listAuthenticators>) => {
        const r = await listAuthenticators(...a);
        return { ...r, authenticators: r.authenticators.map((x) => ({ ...x, cluster, trustDomain })) };
      },
    });
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}, cert?: { certPem: string; keyPem: string }) =>
    httpsCall(t.url, { method: 'POST', path, caPem: t.caPem, body, headers: { 'content-type': 'text/plain', ...headers }, cert: cert?.certPem, key: cert?.keyPem });
  const since = (from: number, method: string) => t.fakes.calls.slice(from).filter((c) => c.method === method).map((c) => c.req);
  const auditOf = (rid: string | string[] | undefined, event = 'AUDIT_AUTHENTICATE') => t.logs.lines.find((l) => l['event'] === event && l['request_id'] === rid);
  const inject = async (trustDomain = 'cluster.local') => {
    const csr = await makePodCsr({ cn: 'demo', namespace: 'demo', pod: 'app-1', trustDomain });
    const from = t.fakes.calls.length;
    const r = await post('/authn-k8s/dev/inject_client_cert', csr.csrPem, { 'host-id-prefix': 'host.conjur.authn-k8s.dev.apps' });
    const injected = since(from, 'cert-injector.inject')[0] as InjectRequest | undefined;
    return { r, from, cert: injected && { certPem: injected.certificatePem, keyPem: csr.keyPem } };
  };
  const fail = <T extends object>(h: T, method: keyof T, message: string) => {
    const orig = h[method];
    Object.assign(h, { [method]: async () => Promise.reject(new DependencyUnavailableError('K8S_UNAVAILABLE', message)) });
    return () => Object.assign(h, { [method]: orig });
  };

  it("inject_client_cert and authenticate name the authenticator's cluster to pod-verifier, ca-signer, cert-injector and token-issuer", async () => {
    scope('eu');
    const { r, from, cert } = await inject();
    expect(r.status).toBe(202);
    expect(since(from, 'pod-verifier.verifyPod')).toEqual([expect.objectContaining({ cluster: 'eu' })]);
    expect(since(from, 'ca-signer.sign')).toEqual([expect.objectContaining<Partial<SignRequest>>({ cluster: 'eu', spiffeId: SPIFFE })]);
    expect(since(from, 'cert-injector.inject')).toEqual([expect.objectContaining<Partial<InjectRequest>>({ cluster: 'eu' })]);
    expect(new X509Certificate(cert!.certPem).subjectAltName).toBe(`URI:${SPIFFE}, URI:${UID_URN}, URI:urn:podid:cluster:eu`);
    expect(t.logs.withEvent('AUDIT_INJECT_CLIENT_CERT').at(-1)).toMatchObject({ result: 'success', cluster: 'eu' });

    const at = t.fakes.calls.length;
    const a = await post(AUTHENTICATE, '', {}, cert);
    expect(a.status).toBe(200);
    expect(since(at, 'pod-verifier.verifyPod')).toEqual([expect.objectContaining<Partial<VerifyPodRequest>>({ cluster: 'eu', expectedUid: FAKE_POD_UID })]);
    expect(since(at, 'token-issuer.issue')).toEqual([expect.objectContaining<Partial<IssueRequest>>({ k8s: expect.objectContaining({ cluster: 'eu' }) })]);
    expect(auditOf(a.headers['x-request-id'])).toMatchObject({ result: 'success', cluster: 'eu' });
  });

  it("refuses at authenticate a leaf of the authenticator's own CA that names another cluster, or none", async () => {
    scope('eu');
    const otherCluster = await makePodCert({ ca: t.fakes.ca, commonName: CN, namespace: 'demo', pod: 'app-1', podUid: FAKE_POD_UID, cluster: 'us' });
    const noCluster = await forgePodCert({ ca: t.fakes.ca, commonName: CN, sans: [SPIFFE, UID_URN] });
    const twoClusters = await forgePodCert({ ca: t.fakes.ca, commonName: CN, sans: [SPIFFE, UID_URN, 'urn:podid:cluster:eu', 'urn:podid:cluster:us'] });
    for (const cert of [otherCluster, noCluster, twoClusters]) {
      const from = t.fakes.calls.length;
      const r = await post(AUTHENTICATE, '', {}, cert);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
      expect(auditOf(r.headers['x-request-id'])).toMatchObject({ result: 'failure', code: 'AUTHN_CLUSTER_MISMATCH', cluster: 'eu' });
      expect(t.logs.lines.find((l) => l['event'] === 'AUTHN_CLUSTER_MISMATCH' && l['request_id'] === r.headers['x-request-id'])).toBeDefined();
      // Refused before any pod check or token.
      expect(since(from, 'pod-verifier.verifyPod')).toEqual([]);
      expect(since(from, 'token-issuer.issue')).toEqual([]);
    }
    // The control: the same CA's leaf for eu passes.
    const own = await makePodCert({ ca: t.fakes.ca, commonName: CN, namespace: 'demo', pod: 'app-1', podUid: FAKE_POD_UID, cluster: 'eu' });
    expect((await post(AUTHENTICATE, '', {}, own)).status).toBe(200);
  });

  it("checks CSRs and leaves in the trust domain of the authenticator's cluster, not PODID_TRUST_DOMAIN", async () => {
    scope('us', 'us.example');
    const { r, from, cert } = await inject('us.example');
    expect(r.status).toBe(202);
    expect(since(from, 'ca-signer.sign')).toEqual([expect.objectContaining({ cluster: 'us', spiffeId: 'spiffe://us.example/namespace/demo/podname/app-1' })]);
    expect((await post(AUTHENTICATE, '', {}, cert)).status).toBe(200);
    // A cluster.local CSR or leaf is not a pod of us.example.
    const local = await inject('cluster.local');
    expect({ status: local.r.status, code: JSON.parse(local.r.body).error.code }).toEqual({ status: 400, code: 'csr_san_not_spiffe' });
    expect(since(local.from, 'ca-signer.sign')).toEqual([]);
    expect(since(local.from, 'pod-verifier.verifyPod')).toEqual([]);
    const leaf = await makePodCert({ ca: t.fakes.ca, commonName: CN, namespace: 'demo', pod: 'app-1', podUid: FAKE_POD_UID, cluster: 'us' });
    const a = await post(AUTHENTICATE, '', {}, leaf);
    expect(a.status).toBe(401);
    expect(auditOf(a.headers['x-request-id'])).toMatchObject({ code: 'AUTHN_SAN_INVALID' });
  });

  it('answers 503 k8s_unavailable when the cluster of the authenticator is unavailable to pod-verifier or cert-injector', async () => {
    scope('eu');
    const { cert } = await inject();
    const podVerifier = t.fakes.handlers.podVerifier;
    const injector = t.fakes.handlers.certInjector as Handlers<typeof CertInjectorService>;
    for (const [down, call] of [
      [() => fail(podVerifier, 'verifyPod', 'cluster "eu" is not connected'), () => post(AUTHENTICATE, '', {}, cert)],
      [() => fail(podVerifier, 'verifyPod', 'cluster "eu" is not connected'), async () => (await inject()).r],
      [() => fail(injector, 'inject', 'cluster "eu": API server unreachable'), async () => (await inject()).r],
      [() => fail(podVerifier, 'reviewToken', 'cluster "eu" is not connected'), () => post('/authn-jwt/jwt-dev/default/authenticate', 'jwt=good-sa-token')],
    ] as const) {
      const undo = down();
      try {
        const r = await call();
        expect({ status: r.status, code: JSON.parse(r.body).error.code }).toEqual({ status: 503, code: 'k8s_unavailable' });
      } finally {
        undo();
      }
    }
  });

  it("authn-jwt reviews the token in the authenticator's cluster and puts it in the token", async () => {
    scope('eu');
    const from = t.fakes.calls.length;
    const r = await post('/authn-jwt/jwt-dev/default/authenticate', 'jwt=good-sa-token');
    expect(r.status).toBe(200);
    expect(since(from, 'pod-verifier.reviewToken')).toEqual([expect.objectContaining<Partial<ReviewTokenRequest>>({ cluster: 'eu', audience: 'podid' })]);
    expect(since(from, 'token-issuer.issue')).toEqual([expect.objectContaining({ k8s: expect.objectContaining({ cluster: 'eu', authenticator: 'authn-jwt/jwt-dev' }) })]);
  });

  it('fails a login closed when policy gives the authenticator no cluster', async () => {
    scope('');
    const { r, from } = await inject();
    expect(r.status).toBe(401);
    expect(t.logs.withEvent('AUDIT_INJECT_CLIENT_CERT').at(-1)).toMatchObject({ result: 'failure', code: 'POLICY_CLUSTER_MISSING' });
    expect(since(from, 'pod-verifier.verifyPod')).toEqual([]);
    const jwt = await post('/authn-jwt/jwt-dev/default/authenticate', 'jwt=good-sa-token');
    expect(jwt.status).toBe(401);
    expect(auditOf(jwt.headers['x-request-id'], 'AUDIT_AUTHENTICATE_JWT')).toMatchObject({ code: 'POLICY_CLUSTER_MISSING' });
  });

  it("status checks the authenticator's own cluster in pod-verifier, and names it when pod-verifier cannot reach it", async () => {
    scope('eu');
    const admin = { authorization: `Token token="${Buffer.from(JSON.stringify({ t: 'admin-token' })).toString('base64')}"` };
    const status = () => httpsCall(t.url, { path: '/authn-k8s/dev/default/status', caPem: t.caPem, headers: admin });
    const from = t.fakes.calls.length;
    await status();
    expect(since(from, 'pod-verifier.getStatus')).toEqual([{ cluster: 'eu' }]);
    const undo = fail(t.fakes.handlers.podVerifier, 'getStatus', 'cluster "eu" is not connected');
    try {
      const r = await status();
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body).checks).toContainEqual({ name: 'kubernetes', ok: false, code: 'K8S_UNAVAILABLE', hint: expect.stringContaining('cannot reach cluster eu') });
    } finally {
      undo();
    }
  });
});
