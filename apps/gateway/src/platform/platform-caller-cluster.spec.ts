import { createPlatformClient, PlatformCallError } from '@podid/platform-client';
import type { PolicyService } from '@podid/contracts';
import type { Handlers } from '@podid/grpc';
import { FAKE_POD_UID } from '../testing/fake-upstreams';
import { forgePodCert, makePodCert } from '../testing/pod-cert';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const CN = 'host.admin';
const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';

describe('platform API certificate callers are bound to the cluster of the authenticator', () => {
  let t: TestGateway;
  let resolve: Handlers<typeof PolicyService>['resolve'];
  beforeAll(async () => {
    t = await startTestGateway();
    resolve = t.fakes.handlers.policy.resolve;
    // Every authn-k8s authenticator serves cluster eu.
    Object.assign(t.fakes.handlers.policy, {
      resolve: async (...a: Parameters<typeof resolve>) => {
        const r = await resolve(...a);
        return { ...r, authenticator: { ...r.authenticator!, cluster: 'eu' } };
      },
    });
  });
  afterAll(() => t.stop());

  const call = async (cert: { certPem: string; keyPem: string }) => {
    const c = createPlatformClient({ server: `127.0.0.1:${t.gw.platformPort}`, caPem: t.caPem, serverName: 'gateway', cert: { ...cert, authenticator: 'dev', host: 'host/admin' } });
    try {
      return await c.listAuthenticators({});
    } finally {
      c.close();
    }
  };
  const leaf = (cluster: string) => makePodCert({ ca: t.fakes.ca, commonName: CN, namespace: 'demo', pod: 'app-1', podUid: FAKE_POD_UID, cluster });

  it("admits a leaf for the authenticator's cluster, checks its pod there, and lists each authenticator's cluster", async () => {
    const from = t.fakes.calls.length;
    const res = await call(await leaf('eu'));
    expect(t.fakes.calls.slice(from).find((c) => c.method === 'pod-verifier.verifyPod')?.req).toMatchObject({ pod: 'app-1', cluster: 'eu' });
    expect(res.authenticators).toContainEqual(expect.objectContaining({ type: 'authn-jwt', id: 'jwt-dev', cluster: 'default' }));
  });

  it('refuses a leaf of the same CA that names another cluster, or none, with UNAUTHENTICATED AUTHN_CLUSTER_MISMATCH', async () => {
    for (const cert of [await leaf('us'), await forgePodCert({ ca: t.fakes.ca, commonName: CN, sans: [SPIFFE, `urn:podid:pod-uid:${FAKE_POD_UID}`] })]) {
      const from = t.fakes.calls.length;
      const err = await call(cert).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PlatformCallError);
      expect(err).toMatchObject({ grpcCode: 16, reason: 'AUTHN_CLUSTER_MISMATCH' }); // UNAUTHENTICATED
      expect(t.fakes.calls.slice(from).some((c) => c.method === 'pod-verifier.verifyPod')).toBe(false);
    }
  });
});
