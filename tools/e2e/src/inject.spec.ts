import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CertInjectorService } from '@podid/contracts';
import { createServiceClient } from '@podid/grpc';
import { httpsCall, waitFor, type HttpsAnswer } from '@podid/testkit';
import type { Suite } from './support/e2e-suite';
import { HOST, POD, startE2eSuite } from './support/e2e-suite';
import { leakedMaterial } from './support/log-leaks';
import { authenticate, certificateLogin, CLIENT_PEM, clientPemPath, injectCsr, podCsr, splitHostId, tokenAuthorization } from './support/pod-login';

const BARE_POD_UID = '8c3d6c20-2f7e-4e65-9c73-4a2a8abd2d01';

/** Every client.pem under <state>/pods/<ns>/<pod>/<container>/, with its mtime and content hash: what "written" means. */
function clientPems(suite: Suite): Map<string, string> {
  const out = new Map<string, string>();
  const base = join(suite.stateDir, 'pods');
  const dirs = (d: string) => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name) : []);
  for (const ns of dirs(base))
    for (const pod of dirs(join(base, ns)))
      for (const container of dirs(join(base, ns, pod))) {
        const file = join(base, ns, pod, container, CLIENT_PEM);
        if (existsSync(file)) out.set(`${ns}/${pod}/${container}`, `${statSync(file).mtimeMs} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
      }
  return out;
}

/** Containers whose client.pem appeared or changed between two scans. */
const written = (before: Map<string, string>, after: Map<string, string>) => [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);

/** Certificate login acceptance (docs/security-model.md, invariants 1 and 5): real processes, real HTTPS, gRPC mTLS, Redis and the simulator. */
describe('e2e: inject_client_cert', () => {
  let suite: Suite;
  beforeAll(async () => {
    // Debug level: the log-leak test at the end scans every line a service can write.
    suite = await startE2eSuite({ logLevel: 'debug' });
  }, 120_000);
  afterAll(() => suite?.stop());

  /** The stable code of a refused inject, from its audit line (matched by request id). */
  const refusalCode = async (r: HttpsAnswer): Promise<string> => {
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_INJECT_CLIENT_CERT' && l['request_id'] === r.headers['x-request-id']), { message: 'audit line' });
    expect(audit).toMatchObject({ result: 'failure' });
    return String(audit['code']);
  };

  it.each([
    ['a Deployment pod (ECDSA P-256)', HOST.deployment, POD.deployment, 'ec-p256'],
    ['a StatefulSet pod (RSA-4096, as the Conjur client)', HOST.statefulSet, POD.statefulSet, 'rsa-4096'],
    ['a bare pod with a pod restriction', HOST.barePod, POD.barePod, 'ec-p256'],
  ] as const)('delivers a leaf into the authenticator container of %s within 0.5 s of the 202', async (_name, hostId, pod, algorithm) => {
    const got = await certificateLogin(suite, { hostId, namespace: 'demo', pod, algorithm });
    expect(got.answer.body).toBe('');
    expect(got.msToFile).toBeLessThanOrEqual(500);
    const leaf = new X509Certificate(got.certPem);
    expect(leaf.subject).toContain(`CN=${['host', ...hostId.split('/')].join('.')}`);
    expect(leaf.subjectAltName).toContain(`URI:spiffe://cluster.local/namespace/demo/podname/${pod}`);
    expect(leaf.subjectAltName).toMatch(/URI:urn:podid:pod-uid:[0-9a-f-]{36}/);
    // The gateway's audit line and ca-signer's CERT_ISSUED carry the same CSR fingerprint, so an operator can join them.
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_INJECT_CLIENT_CERT' && l['request_id'] === got.answer.headers['x-request-id']), { message: 'audit line' });
    expect(audit['csr_sha256']).toMatch(/^[0-9a-f]{64}$/);
    await waitFor(() => suite.logs('ca-signer').find((l) => l['event'] === 'CERT_ISSUED' && l['csr_sha256'] === audit['csr_sha256']), { message: 'CERT_ISSUED with the same csr_sha256' });
  });

  it.each([
    ['namespace', 'conjur/authn-k8s/dev/apps/wrong-namespace', POD.barePod, 'NAMESPACE_MISMATCH'],
    ['namespace label selector', 'conjur/authn-k8s/dev/apps/wrong-ns-label', POD.barePod, 'NAMESPACE_LABELS_MISMATCH'],
    ['service account', 'conjur/authn-k8s/dev/apps/wrong-sa', POD.barePod, 'SERVICE_ACCOUNT_MISMATCH'],
    ['deployment', 'conjur/authn-k8s/dev/apps/wrong-deployment', POD.deployment, 'OWNER_MISMATCH'],
    ['stateful set', 'conjur/authn-k8s/dev/apps/wrong-stateful-set', POD.statefulSet, 'OWNER_MISMATCH'],
    ['pod', 'conjur/authn-k8s/dev/apps/wrong-pod', POD.barePod, 'POD_NAME_MISMATCH'],
    ['container', 'conjur/authn-k8s/dev/apps/wrong-container', POD.barePod, 'CONTAINER_NOT_FOUND'],
    ['unknown host', 'conjur/authn-k8s/dev/apps/nobody', POD.barePod, 'HOST_NOT_FOUND'],
  ])('refuses a %s mismatch with 401 and %s, and writes nothing anywhere', async (_what, hostId, pod, code) => {
    const before = clientPems(suite);
    const { csrPem } = await podCsr({ cn: splitHostId(hostId).cn, namespace: 'demo', pod });
    const r = await injectCsr(suite, { hostId, csrPem });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
    expect(await refusalCode(r)).toBe(code);
    expect(written(before, clientPems(suite))).toEqual([]);
  });

  it("refuses a CSR whose SAN names a pod the host's restrictions do not permit, and writes nothing anywhere", async () => {
    // demo-app's host with a SAN naming the bare pod: pod-verifier checks the SAN's pod against demo-app's restrictions.
    const before = clientPems(suite);
    const { csrPem } = await podCsr({ cn: splitHostId(HOST.deployment).cn, namespace: 'demo', pod: POD.barePod });
    const r = await injectCsr(suite, { hostId: HOST.deployment, csrPem });
    expect(r.status).toBe(401);
    expect(await refusalCode(r)).toBe('OWNER_MISMATCH');
    expect(written(before, clientPems(suite))).toEqual([]);
  });

  it('delivers a CSR naming another pod only into that pod, and the answer carries no certificate', async () => {
    // Sent by anyone (say from the deployment pod) for a host both pods meet, naming the bare pod: only the bare pod gets it.
    const before = clientPems(suite);
    const { csrPem } = await podCsr({ cn: splitHostId(HOST.anyDemoSa).cn, namespace: 'demo', pod: POD.barePod });
    const r = await injectCsr(suite, { hostId: HOST.anyDemoSa, csrPem });
    expect(r.status).toBe(202);
    expect(r.body).toBe('');
    expect(r.headers['content-length']).toBe('0');
    const victim = clientPemPath(suite, 'demo', POD.barePod);
    await waitFor(() => existsSync(victim), { timeoutMs: 2_000, message: victim });
    expect(written(before, clientPems(suite))).toEqual([`demo/${POD.barePod}/authenticator`]);
    const leaf = new X509Certificate(readFileSync(victim, 'utf8'));
    expect(leaf.subjectAltName).toContain(`URI:spiffe://cluster.local/namespace/demo/podname/${POD.barePod}`);
    expect(leaf.subjectAltName).toContain(`URI:urn:podid:pod-uid:${BARE_POD_UID}`);
  });

  it("cert-injector itself refuses, over its gRPC API, to write a certificate into a pod its SAN does not name", async () => {
    // As a compromised gateway would: its own service certificate, a valid leaf for the bare pod, and the deployment pod as target.
    const { csrPem } = await podCsr({ cn: splitHostId(HOST.barePod).cn, namespace: 'demo', pod: POD.barePod });
    expect((await injectCsr(suite, { hostId: HOST.barePod, csrPem })).status).toBe(202);
    const certPem = readFileSync(clientPemPath(suite, 'demo', POD.barePod), 'utf8');
    const grpcPort = suite.logs('cert-injector').filter((l) => l['event'] === 'SERVICE_READY').at(-1)!['grpc_port'];
    const pki = join(suite.stateDir, 'pki');
    const tls = { caPem: readFileSync(join(pki, 'internal-ca.pem'), 'utf8'), certPem: readFileSync(join(pki, 'services', 'gateway.pem'), 'utf8'), keyPem: readFileSync(join(pki, 'services', 'gateway-key.pem'), 'utf8') };
    const injector = createServiceClient(CertInjectorService, { address: `127.0.0.1:${grpcPort}`, tls, expectService: 'cert-injector', deadlineMs: 10_000 });
    const before = clientPems(suite);
    try {
      for (const req of [
        { namespace: 'demo', pod: POD.deployment, container: 'authenticator', certificatePem: certPem, podUid: '', cluster: '' },
        { namespace: 'demo', pod: POD.deployment, container: 'authenticator', certificatePem: certPem, podUid: BARE_POD_UID, cluster: '' },
        { namespace: 'demo', pod: POD.barePod, container: 'authenticator', certificatePem: certPem, podUid: '6a1b4a0e-0d5c-4c43-9a51-2f0e6f9b0b03', cluster: '' },
      ]) await expect(injector.inject(req)).rejects.toMatchObject({ kind: 'invalid_argument', code: 'CERT_TARGET_MISMATCH' });
    } finally {
      injector.close();
    }
    expect(suite.logs('cert-injector').filter((l) => l['event'] === 'CERT_TARGET_MISMATCH')).toHaveLength(3);
    expect(written(before, clientPems(suite))).toEqual([]);
  });

  it('writes into the container policy names, and not into `authenticator` (invariant 1)', async () => {
    const before = clientPems(suite);
    const { csrPem } = await podCsr({ cn: splitHostId(HOST.customContainer).cn, namespace: 'demo', pod: POD.twoAuthenticators });
    const r = await injectCsr(suite, { hostId: HOST.customContainer, csrPem });
    expect(r.status).toBe(202);
    const target = clientPemPath(suite, 'demo', POD.twoAuthenticators, 'app-authn');
    await waitFor(() => existsSync(target), { timeoutMs: 2_000, message: target });
    expect(existsSync(clientPemPath(suite, 'demo', POD.twoAuthenticators, 'authenticator'))).toBe(false);
    expect(written(before, clientPems(suite))).toEqual([`demo/${POD.twoAuthenticators}/app-authn`]);
  });

  it('answers 400 to a tampered signature, garbage and an empty body, and 413 to an oversized one', async () => {
    const { csrPem } = await podCsr({ cn: 'demo-app', namespace: 'demo', pod: POD.deployment });
    const lines = csrPem.trim().split('\n');
    const sig = lines.at(-2)!;
    const tampered = [...lines.slice(0, -2), `${sig.slice(0, 4)}${sig[4] === 'A' ? 'B' : 'A'}${sig.slice(5)}`, lines.at(-1)].join('\n');
    const statuses = [];
    for (const body of [tampered, 'garbage', '', `${'A'.repeat(17 * 1024)}`]) statuses.push((await injectCsr(suite, { hostId: HOST.deployment, csrPem: body })).status);
    expect(statuses).toEqual([400, 400, 400, 413]);
  });

  it('logs no key, CSR, certificate or token in any service, at debug level, through a whole token life', async () => {
    // On top of the injects above: authenticate (JSON and compact), introspect, revoke, and an authn-jwt login.
    const admin = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    const adminToken = (await authenticate(suite, { hostId: HOST.admin, cert: admin.certPem, key: admin.keyPem })).body;
    const app = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    const token = await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem });
    expect(token.status).toBe(200);
    expect((await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem, headers: { accept: 'application/jwt' } })).status).toBe(200);
    const post = (path: string, body: string, type: string) =>
      httpsCall(suite.gatewayUrl, { method: 'POST', path, caPem: suite.gatewayCaPem, headers: { 'content-type': type, ...tokenAuthorization(adminToken) }, body });
    const introspect = () => post('/tokens/introspect', `token=${encodeURIComponent(token.body)}`, 'application/x-www-form-urlencoded');
    expect(JSON.parse((await introspect()).body)).toMatchObject({ active: true });
    const jti = JSON.parse(Buffer.from(JSON.parse(token.body).payload, 'base64url').toString('utf8')).jti;
    expect((await post('/tokens/revoke', JSON.stringify({ jti }), 'application/json')).status).toBe(200);
    expect(JSON.parse((await introspect()).body)).toEqual({ active: false });
    const jwt = await suite.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences: ['podid'], podName: POD.deployment });
    const jwtLogin = await httpsCall(suite.gatewayUrl, { method: 'POST', path: '/authn-jwt/jwt-dev/default/authenticate', caPem: suite.gatewayCaPem, headers: { 'content-type': 'text/plain' }, body: `jwt=${jwt}` });
    expect(jwtLogin.status).toBe(200);
    // A pod that does not exist is a cache miss, logged at debug: proof that the scan below sees debug lines.
    const { csrPem } = await podCsr({ cn: splitHostId(HOST.anyDemoSa).cn, namespace: 'demo', pod: 'no-such-pod' });
    expect((await injectCsr(suite, { hostId: HOST.anyDemoSa, csrPem })).status).toBe(401);
    await waitFor(() => suite.logs('pod-verifier').find((l) => l['event'] === 'K8S_CACHE_MISS' && l['name'] === 'no-such-pod'), { message: 'K8S_CACHE_MISS at debug' });
    expect(leakedMaterial(suite)).toEqual([]);
  });
});
