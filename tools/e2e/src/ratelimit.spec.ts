import type { Suite } from './support/e2e-suite';
import { startE2eSuite } from './support/e2e-suite';
import { injectCsr } from './support/pod-login';

/** Rate limits hold across gateway replicas sharing Redis (DESIGN.md 8.6). */
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
