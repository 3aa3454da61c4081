import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpsAnswer } from '@podid/testkit';
import { waitFor } from '@podid/testkit';
import { createCa } from '@podid/x509';
import type { Suite } from './support/e2e-suite';
import { HOST, POD, startE2eSuite } from './support/e2e-suite';
import { authenticate, injectCsr, podCsr, splitHostId } from './support/pod-login';

/**
 * Unauthenticated callers cannot make ca-signer create CAs: the gateway
 * checks policy before it asks for a bundle, and ca-signer creates CAs only
 * for authenticators in policy (docs/security-model.md).
 */
describe('e2e: requests naming an authenticator not in policy', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startE2eSuite({ env: { gateway: { PODID_RATE_LIMIT_IP: '1000/1m' } } });
  }, 150_000);
  afterAll(() => suite?.stop());

  const caDirs = () => (existsSync(join(suite.stateDir, 'ca')) ? readdirSync(join(suite.stateDir, 'ca')) : []);
  const auditOf = (r: HttpsAnswer, event: string) =>
    waitFor(() => suite.logs('gateway').find((l) => l['event'] === event && l['request_id'] === r.headers['x-request-id']), { message: `${event} of ${r.headers['x-request-id']}` });

  it('answers a self-signed certificate to authenticate with a random service id with 401 and creates no CA', async () => {
    const selfSigned = await createCa({ commonName: ['host', ...HOST.deployment.split('/')].join('.'), now: new Date(), ttlMs: 3_600_000 });
    const before = caDirs();
    const ids = Array.from({ length: 20 }, (_, i) => `random-${i}-${Math.random().toString(36).slice(2, 8)}`);
    for (const serviceId of ids) {
      const r = await authenticate(suite, { serviceId, hostId: HOST.deployment, cert: selfSigned.certPem, key: selfSigned.keyPem });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
      expect(await auditOf(r, 'AUDIT_AUTHENTICATE')).toMatchObject({ result: 'failure', code: 'AUTHENTICATOR_NOT_FOUND' });
    }
    expect(caDirs()).toEqual(before);
    for (const serviceId of ids) expect(existsSync(join(suite.stateDir, 'ca', serviceId))).toBe(false);
    expect(suite.logs('ca-signer').filter((l) => l['event'] === 'CA_CREATED' && ids.includes(l['service_id'] as string))).toEqual([]);
    // The gateway refused before asking ca-signer for a bundle at all.
    expect(suite.logs('ca-signer').filter((l) => l['event'] === 'CA_AUTHENTICATOR_UNKNOWN')).toEqual([]);
  });

  it('answers a CSR for a random service id with 401 and creates no CA', async () => {
    const before = caDirs();
    const { cn } = splitHostId(HOST.deployment);
    const { csrPem } = await podCsr({ cn, namespace: 'demo', pod: POD.deployment });
    const r = await injectCsr(suite, { serviceId: 'not-in-policy', hostId: HOST.deployment, csrPem });
    expect(r.status).toBe(401);
    expect(await auditOf(r, 'AUDIT_INJECT_CLIENT_CERT')).toMatchObject({ result: 'failure', code: 'AUTHENTICATOR_NOT_FOUND' });
    expect(caDirs()).toEqual(before);
  });

  it('still creates the CA of an authenticator in policy on first use (local mode)', async () => {
    const { cn } = splitHostId(HOST.deployment);
    const { csrPem } = await podCsr({ cn, namespace: 'demo', pod: POD.deployment });
    const r = await injectCsr(suite, { hostId: HOST.deployment, csrPem });
    expect(r.status).toBe(202);
    expect(caDirs()).toContain('dev');
  });
});
