import { randomUUID } from 'node:crypto';
import { httpsCall, waitFor } from '@podid/testkit';
import type { Suite } from './support/e2e-suite';
import { HOST, POD, startE2eSuite } from './support/e2e-suite';
import { authenticate, certificateLogin, tokenAuthorization } from './support/pod-login';

/** A deleted pod's token dies, even when pod-verifier or token-issuer missed the deletion (docs/security-model.md, invariant 3). */
describe('e2e: the token of a deleted pod is dead', () => {
  let suite: Suite;
  let admin: string;
  beforeAll(async () => {
    suite = await startE2eSuite();
    const a = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    admin = (await authenticate(suite, { hostId: HOST.admin, cert: a.certPem, key: a.keyPem })).body;
  }, 150_000);
  afterAll(async () => {
    await suite?.stop();
  });

  const introspect = async (token: string) =>
    JSON.parse(
      (
        await httpsCall(suite.gatewayUrl, {
          method: 'POST',
          path: '/tokens/introspect',
          caPem: suite.gatewayCaPem,
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...tokenAuthorization(admin) },
          body: `token=${encodeURIComponent(token)}`,
        })
      ).body,
    ) as { active: boolean; k8s?: { pod_uid: string } };
  const asCaller = (token: string) => httpsCall(suite.gatewayUrl, { path: '/authn-k8s/dev/default/status', caPem: suite.gatewayCaPem, headers: tokenAuthorization(token) });

  /** (Re)creates demo-pod with a fresh uid and logs in from it: its token and uid. */
  const freshPodToken = async (): Promise<{ token: string; uid: string }> => {
    await suite.sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD.barePod, namespace: 'demo', uid: randomUUID(), labels: { app: 'demo-pod' } },
      spec: { serviceAccountName: 'demo-sa', containers: [{ name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running' },
    });
    const token = await waitFor(
      async () => {
        const c = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod }).catch(() => undefined);
        const a = c && (await authenticate(suite, { hostId: HOST.barePod, cert: c.certPem, key: c.keyPem }));
        return a?.status === 200 ? a.body : undefined;
      },
      { timeoutMs: 20_000, message: 'login from the fresh demo-pod' },
    );
    const r = await introspect(token);
    expect(r.active).toBe(true);
    // A live pod's token authenticates the caller (403 only for want of the grant).
    expect((await asCaller(token)).status).toBe(403);
    return { token, uid: r.k8s!.pod_uid };
  };
  const logged = (service: 'gateway' | 'pod-verifier', event: string, match: (l: Record<string, unknown>) => boolean) =>
    waitFor(() => suite.logs(service).find((l) => l['event'] === event && match(l)), { timeoutMs: 30_000, message: `${service} logs ${event}` });

  it('a deleted pod: its token is inactive and refused as a caller', async () => {
    const { token } = await freshPodToken();
    await suite.sim.remove('Pod', 'demo', POD.barePod);
    await waitFor(async () => !(await introspect(token)).active, { timeoutMs: 10_000, message: 'token inactive after its pod is deleted' });
    expect((await asCaller(token)).status).toBe(401);
  });

  it('a pod deleted while pod-verifier was down: inactive once it is back, and the reconcile revokes it', async () => {
    const { token, uid } = await freshPodToken();
    await suite.stopService('pod-verifier');
    await suite.sim.remove('Pod', 'demo', POD.barePod);
    await suite.startService('pod-verifier');
    // Right away, from the cache: no delete event was ever seen for this pod.
    expect(await introspect(token)).toEqual({ active: false });
    const refused = await asCaller(token);
    expect(refused.status).toBe(401);
    await logged('gateway', 'TOKEN_CALLER_INVALID', (l) => l['code'] === 'TOKEN_POD_GONE' || l['code'] === 'TOKEN_INACTIVE');
    await logged('pod-verifier', 'POD_RECONCILE_REVOKED', (l) => l['pod_uid'] === uid);
    expect(suite.logs('pod-verifier').some((l) => l['event'] === 'POD_DELETED' && l['pod_uid'] === uid)).toBe(false);
  });

  it('a pod deleted while token-issuer was down: inactive when it is back, and revoked', async () => {
    const { token, uid } = await freshPodToken();
    await suite.stopService('token-issuer');
    await suite.sim.remove('Pod', 'demo', POD.barePod);
    await logged('pod-verifier', 'POD_DELETED', (l) => l['pod_uid'] === uid);
    await suite.startService('token-issuer');
    expect(await introspect(token)).toEqual({ active: false });
    expect((await asCaller(token)).status).toBe(401);
    await logged('pod-verifier', 'POD_DELETED_TOKENS_REVOKED', (l) => l['pod_uid'] === uid && Number(l['attempts']) > 1);
  }, 90_000);

  it('a jti revocation with an exp in the past still kills the token', async () => {
    const { token } = await freshPodToken();
    const jti = (JSON.parse(Buffer.from((JSON.parse(token) as { payload: string }).payload, 'base64url').toString('utf8')) as { jti: string }).jti;
    const rv = await httpsCall(suite.gatewayUrl, {
      method: 'POST',
      path: '/tokens/revoke',
      caPem: suite.gatewayCaPem,
      headers: { 'content-type': 'application/json', ...tokenAuthorization(admin) },
      body: JSON.stringify({ jti, exp: Math.floor(Date.now() / 1000) - 60 }),
    });
    expect(rv.status).toBe(200);
    expect(await introspect(token)).toEqual({ active: false });
  });
});
