import { X509Certificate } from 'node:crypto';
import { createLocalJWKSet, flattenedVerify } from 'jose';
import { waitFor } from '@podid/testkit';
import { HOST, POD, SERVICES, startE2eSuite, type Suite, servedJwks } from './support/e2e-suite';
import { authenticate, certificateLogin, injectCsr, podCsr, splitHostId } from './support/pod-login';

/**
 * PODID_TRUST_DOMAIN is a fact every service shares (docs/configuration.md):
 * with a non-default domain the gateway, ca-signer and cert-injector must all
 * check it, or the injector refuses every leaf with CERT_TARGET_MISMATCH.
 */
const TD = 'example.org';

describe('e2e: a non-default trust domain', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startE2eSuite({ env: Object.fromEntries(SERVICES.map((s) => [s, { PODID_TRUST_DOMAIN: TD }])) });
  }, 120_000);
  afterAll(() => suite?.stop());

  it('logs a pod in with a certificate in that domain and authenticates it', async () => {
    const login = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment, trustDomain: TD });
    expect(new X509Certificate(login.certPem).subjectAltName).toContain(`URI:spiffe://${TD}/namespace/demo/podname/${POD.deployment}`);
    expect(suite.logs('cert-injector').filter((l) => l['event'] === 'CERT_TARGET_MISMATCH')).toEqual([]);
    expect(suite.logs('cert-injector').some((l) => l['event'] === 'CERT_INJECTED' && l['pod'] === POD.deployment)).toBe(true);

    const r = await authenticate(suite, { hostId: HOST.deployment, cert: login.certPem, key: login.keyPem });
    expect(r.status).toBe(200);
    const jwks = await servedJwks(suite);
    const claims = JSON.parse(new TextDecoder().decode((await flattenedVerify(JSON.parse(r.body), createLocalJWKSet(jwks))).payload));
    expect(claims).toMatchObject({ sub: `host/${HOST.deployment}`, k8s: { namespace: 'demo', pod: POD.deployment } });
  });

  it('refuses a CSR in the default domain with CSR_SAN_NOT_SPIFFE, before anything is signed', async () => {
    const { cn } = splitHostId(HOST.deployment);
    const { csrPem } = await podCsr({ cn, namespace: 'demo', pod: POD.deployment });
    const r = await injectCsr(suite, { hostId: HOST.deployment, csrPem });
    expect(r.status).toBe(400);
    const audit = await waitFor(() => suite.logs('gateway').find((l) => l['event'] === 'AUDIT_INJECT_CLIENT_CERT' && l['request_id'] === r.headers['x-request-id']), { message: 'audit line' });
    expect(audit).toMatchObject({ result: 'failure', code: 'CSR_SAN_NOT_SPIFFE' });
  });
});
