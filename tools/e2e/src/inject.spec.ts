import { X509Certificate } from 'node:crypto';
import type { Suite } from './support/e2e-suite';
import { HOST, POD, startE2eSuite } from './support/e2e-suite';
import { leakedMaterial } from './support/log-leaks';
import { certFileStamp, certificateLogin, injectCsr, podCsr, splitHostId } from './support/pod-login';
import { waitFor } from '@podid/testkit';

/** Certificate login acceptance (DESIGN.md 2): real processes, real HTTPS, gRPC mTLS, Redis and the simulator. */
describe('e2e: inject_client_cert', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startE2eSuite();
  }, 120_000);
  afterAll(() => suite?.stop());

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
  });

  it.each([
    ['namespace', 'conjur/authn-k8s/dev/apps/wrong-namespace', POD.barePod],
    ['namespace label selector', 'conjur/authn-k8s/dev/apps/wrong-ns-label', POD.barePod],
    ['service account', 'conjur/authn-k8s/dev/apps/wrong-sa', POD.barePod],
    ['deployment', 'conjur/authn-k8s/dev/apps/wrong-deployment', POD.deployment],
    ['stateful set', 'conjur/authn-k8s/dev/apps/wrong-stateful-set', POD.statefulSet],
    ['pod', 'conjur/authn-k8s/dev/apps/wrong-pod', POD.barePod],
    ['container', 'conjur/authn-k8s/dev/apps/wrong-container', POD.barePod],
    ['unknown host', 'conjur/authn-k8s/dev/apps/nobody', POD.barePod],
  ])('refuses a %s mismatch with 401 and writes nothing', async (_what, hostId, pod) => {
    const before = certFileStamp(suite, 'demo', pod);
    const { csrPem } = await podCsr({ cn: splitHostId(hostId).cn, namespace: 'demo', pod });
    const r = await injectCsr(suite, { hostId, csrPem });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
    expect(certFileStamp(suite, 'demo', pod)).toBe(before);
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_INJECT_CLIENT_CERT' && l['request_id'] === r.headers['x-request-id']), { message: 'audit line' });
    expect(audit).toMatchObject({ result: 'failure', code: expect.any(String) });
  });

  it('delivers a CSR naming another pod only into that pod, and the answer carries no certificate', async () => {
    // The deployment host's CSR, but its SAN names the bare pod: policy refuses (pod is not of the deployment), nothing anywhere.
    const beforeVictim = certFileStamp(suite, 'demo', POD.barePod);
    const { csrPem } = await podCsr({ cn: splitHostId(HOST.deployment).cn, namespace: 'demo', pod: POD.barePod });
    const r = await injectCsr(suite, { hostId: HOST.deployment, csrPem });
    expect(r.status).toBe(401);
    expect(certFileStamp(suite, 'demo', POD.barePod)).toBe(beforeVictim);
    // A CSR for the bare pod's own host naming that pod is delivered there, never to the caller.
    const ok = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    expect(ok.answer.body).toBe('');
    expect(ok.answer.headers['content-length']).toBe('0');
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

  it('logs no key, CSR, certificate or token in any service', () => {
    expect(leakedMaterial(suite)).toEqual([]);
  });
});
