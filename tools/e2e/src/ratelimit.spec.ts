import type { HttpsAnswer } from '@podid/testkit';
import { waitFor } from '@podid/testkit';
import { createCa, loadSigningCa, signLeaf, checkCsr } from '@podid/x509';
import type { Suite } from './support/e2e-suite';
import { HOST, POD, startE2eSuite } from './support/e2e-suite';
import { authenticate, certificateLogin, injectCsr, podCsr, splitHostId } from './support/pod-login';

/** Rate limits hold across gateway replicas sharing Redis (docs/security-model.md invariant 6). */
describe('e2e: rate limits across replicas', () => {
  let suite: Suite;
  let extra: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    suite = await startE2eSuite({ env: { gateway: { PODID_RATE_LIMIT_IP: '6/1m' } } });
    extra = await suite.startExtraGateway();
  }, 150_000);
  afterAll(async () => {
    await extra?.stop();
    await suite?.stop();
  });

  it('counts one client IP across two gateway processes and answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 8; i++) {
      last = await injectCsr(suite, { hostId: 'conjur/authn-k8s/dev/apps/x', csrPem: 'garbage', url: i % 2 === 0 ? suite.gatewayUrl : extra.url });
      statuses.push(last.status);
    }
    // 6 allowed in total (400: garbage CSR), then 429 on whichever replica.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });
});

/**
 * The host and pod buckets are charged only with a proven claim (a verified
 * client certificate; a signed CSR whose host is in policy), so nobody can
 * spend them to lock a chosen host or pod out. The per-IP limit is raised here
 * so that the host and pod buckets are what is tested.
 */
describe('e2e: host and pod limits cannot be spent without a claim', () => {
  const HOST_LIMIT = 5;
  const POD_LIMIT = 8;
  let suite: Suite;
  beforeAll(async () => {
    suite = await startE2eSuite({ env: { gateway: { PODID_RATE_LIMIT_IP: '1000/1m', PODID_RATE_LIMIT_HOST: `${HOST_LIMIT}/1m`, PODID_RATE_LIMIT_POD: `${POD_LIMIT}/1m` } } });
  }, 150_000);
  afterAll(() => suite?.stop());

  const auditOf = (r: HttpsAnswer, event: string) =>
    waitFor(() => suite.logs('gateway').find((l) => l['event'] === event && l['request_id'] === r.headers['x-request-id']), { message: `${event} of ${r.headers['x-request-id']}` });
  const rateLimited = (scope: string) => suite.logs('gateway').filter((l) => l['event'] === 'RATE_LIMITED' && l['scope'] === scope);

  /** A leaf with the victim's exact subject and SANs, from a CA the attacker made. */
  async function lookAlike(hostId: string, namespace: string, pod: string): Promise<{ certPem: string; keyPem: string }> {
    const fake = await createCa({ commonName: 'attacker CA', now: new Date(), ttlMs: 3_600_000 });
    const { csrPem, keyPem } = await podCsr({ cn: 'x', namespace, pod });
    const leaf = await signLeaf({
      ca: await loadSigningCa(fake, 'attacker'),
      csr: checkCsr(csrPem),
      commonName: ['host', ...hostId.split('/')].join('.'),
      spiffeId: `spiffe://cluster.local/namespace/${namespace}/podname/${pod}`,
      podUid: '6a1b4a0e-0d5c-4c43-9a51-2f0e6f9b0b03',
      cluster: 'default',
      ttlMs: 3_600_000,
      now: new Date(),
    });
    return { certPem: leaf.certPem, keyPem };
  }

  it('certificate-less and wrong-certificate authenticate floods for a host leave its real pod able to log in', async () => {
    const real = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    const fake = await lookAlike(HOST.barePod, 'demo', POD.barePod);
    const otherHost = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
    const floods: Array<[Parameters<typeof authenticate>[1], string]> = [
      [{ hostId: HOST.barePod }, 'AUTHN_CERT_MISSING'],
      [{ hostId: HOST.barePod, cert: fake.certPem, key: fake.keyPem }, 'AUTHN_CERT_UNTRUSTED'],
      // Another host's real certificate is no claim to this host.
      [{ hostId: HOST.barePod, cert: otherHost.certPem, key: otherHost.keyPem }, 'AUTHN_CN_MISMATCH'],
    ];
    for (const [req, code] of floods) {
      for (let i = 0; i < HOST_LIMIT + 2; i++) {
        const r = await authenticate(suite, req);
        expect(r.status).toBe(401);
        if (i === 0) expect(await auditOf(r, 'AUDIT_AUTHENTICATE')).toMatchObject({ result: 'failure', code });
      }
    }
    expect(rateLimited('host')).toEqual([]);
    expect(rateLimited('pod')).toEqual([]);

    const ok = await authenticate(suite, { hostId: HOST.barePod, cert: real.certPem, key: real.keyPem });
    expect(ok.status).toBe(200);
  });

  it('CSRs naming an unknown host for a pod leave that pod able to get its certificate', async () => {
    const nobody = 'conjur/authn-k8s/dev/apps/nobody';
    for (let i = 0; i < POD_LIMIT + 2; i++) {
      const { csrPem } = await podCsr({ cn: splitHostId(nobody).cn, namespace: 'demo', pod: POD.deployment });
      const r = await injectCsr(suite, { hostId: nobody, csrPem });
      expect(r.status).toBe(401);
      if (i === 0) expect(await auditOf(r, 'AUDIT_INJECT_CLIENT_CERT')).toMatchObject({ result: 'failure', code: 'HOST_NOT_FOUND', pod: POD.deployment });
    }
    expect(rateLimited('pod')).toEqual([]);
    const real = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    expect(real.answer.status).toBe(202);
  });

  it('valid CSRs for a pod from another address spend only that address, and the pod still gets its certificate', async () => {
    const { cn } = splitHostId(HOST.barePod);
    const statuses: number[] = [];
    for (let i = 0; i < POD_LIMIT + 1; i++) {
      const { csrPem } = await podCsr({ cn, namespace: 'demo', pod: POD.barePod });
      statuses.push((await injectCsr(suite, { hostId: HOST.barePod, csrPem, localAddress: '127.0.0.2' })).status);
    }
    // The attacker's own address runs out of the pod bucket (the certificates went into the real pod only) ...
    expect(statuses).toEqual([...Array<number>(POD_LIMIT).fill(202), 429]);
    // ... and the pod's own address is untouched.
    const real = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    expect(real.answer.status).toBe(202);
  });

  it('still limits a legitimate claimant: past the host limit a valid certificate gets 429 with Retry-After', async () => {
    // demo-app's pod bucket (8) has one inject spent above and one here; the host bucket (5) runs out first.
    // The certificate's first token spends no host bucket (a rollout's pods each log in once as the same host).
    const cert = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    const statuses: number[] = [];
    let last: HttpsAnswer | undefined;
    for (let i = 0; i < HOST_LIMIT + 2; i++) {
      last = await authenticate(suite, { hostId: HOST.deployment, cert: cert.certPem, key: cert.keyPem });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array<number>(HOST_LIMIT + 1).fill(200), 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(await auditOf(last!, 'AUDIT_AUTHENTICATE')).toMatchObject({ result: 'failure', code: 'RATE_LIMITED' });
    expect(await auditOf(last!, 'RATE_LIMITED')).toMatchObject({ scope: 'host' });
  });

  it('still limits a legitimate claimant: past the pod limit a valid CSR gets 429 with Retry-After', async () => {
    // demo-db-0's pod bucket has one inject spent in the first test.
    const { cn } = splitHostId(HOST.statefulSet);
    const statuses: number[] = [];
    let last: HttpsAnswer | undefined;
    for (let i = 0; i < POD_LIMIT; i++) {
      const { csrPem } = await podCsr({ cn, namespace: 'demo', pod: POD.statefulSet });
      last = await injectCsr(suite, { hostId: HOST.statefulSet, csrPem });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array<number>(POD_LIMIT - 1).fill(202), 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(await auditOf(last!, 'RATE_LIMITED')).toMatchObject({ scope: 'pod' });
  });
});
