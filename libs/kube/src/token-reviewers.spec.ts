import { waitFor } from '@podid/testkit';
import { createLogger, LogCapture } from '@podid/logging';
import { generateKeyPair, SignJWT } from 'jose';
import { KubeTokenReviewer } from './kube-token-reviewer';
import { OidcTokenReviewer } from './oidc-token-reviewer';
import { applyPod, startSimCluster, type SimCluster } from './sim-cluster.fixture';
import type { TokenReviewer } from './token-reviewer';

describe('token reviewers against the simulator', () => {
  let cluster: SimCluster;
  let podUid: string;
  const logs = new LogCapture();
  const log = createLogger({ service: 'pod-verifier', destination: logs });
  const token = (o: { audiences?: string[]; expirationSeconds?: number; podName?: string } = {}) =>
    cluster.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences: o.audiences ?? ['podid'], expirationSeconds: o.expirationSeconds ?? 600, podName: o.podName ?? 'app-1' });

  /** A well-formed token for the same pod, signed by a key the cluster does not know. */
  async function foreignToken(iss: string, kid: string): Promise<string> {
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ 'kubernetes.io': { namespace: 'demo', serviceaccount: { name: 'demo-sa', uid: 'x' }, pod: { name: 'app-1', uid: podUid } } })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(iss)
      .setSubject('system:serviceaccount:demo:demo-sa')
      .setAudience(['podid'])
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  }

  beforeAll(async () => {
    cluster = await startSimCluster();
    await cluster.sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    await cluster.sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'demo', name: 'demo-sa' } });
    podUid = await applyPod(cluster.sim, 'demo', 'app-1', { serviceAccount: 'demo-sa' });
  });
  afterAll(() => cluster?.stop());

  const modes: Array<[string, () => TokenReviewer]> = [
    ['TokenReview', () => new KubeTokenReviewer(cluster.kc, log)],
    ['local JWKS', () => new OidcTokenReviewer({ kc: cluster.kc, issuer: cluster.sim.serviceAccountIssuer, log, minRefreshMs: 0 })],
  ];

  describe.each(modes)('%s', (_mode, make) => {
    let reviewer: TokenReviewer;
    beforeAll(() => {
      reviewer = make();
    });

    it('accepts a pod-bound token for our audience', async () => {
      await expect(reviewer.review(await token(), 'podid')).resolves.toEqual({
        namespace: 'demo', serviceAccount: 'demo-sa', podName: 'app-1', podUid, audiences: ['podid'],
      });
    });

    it('refuses a token for another audience', async () => {
      await expect(reviewer.review(await token({ audiences: ['vault'] }), 'podid')).rejects.toMatchObject({ kind: 'unauthenticated', code: 'SA_TOKEN_AUDIENCE' });
    });

    it('refuses an expired token', async () => {
      const t = await token({ expirationSeconds: 1 });
      await waitFor(() => reviewer.review(t, 'podid').then(() => false, (e: { code: string }) => e.code === 'SA_TOKEN_EXPIRED'), {
        timeoutMs: 5000,
        message: 'the token expires',
      });
    });

    it('refuses a token that is not bound to a pod', async () => {
      const unbound = await cluster.sim.createServiceAccountToken({ namespace: 'demo', serviceAccount: 'demo-sa', audiences: ['podid'] });
      await expect(reviewer.review(unbound, 'podid')).rejects.toMatchObject({ code: 'SA_TOKEN_NOT_POD_BOUND' });
    });

    it('refuses a token of another issuer and a malformed one', async () => {
      await expect(reviewer.review(await foreignToken('https://evil.example', 'evil'), 'podid')).rejects.toMatchObject({ code: 'SA_TOKEN_INVALID' });
      await expect(reviewer.review('not.a-jwt', 'podid')).rejects.toMatchObject({ code: 'SA_TOKEN_MALFORMED' });
    });
  });

  it('local JWKS: an unknown kid makes it refetch the keys, then refuse', async () => {
    const reviewer = new OidcTokenReviewer({ kc: cluster.kc, issuer: cluster.sim.serviceAccountIssuer, log, minRefreshMs: 0 });
    await reviewer.review(await token(), 'podid');
    const before = logs.withEvent('SA_JWKS_REFRESHED').length;
    await expect(reviewer.review(await foreignToken(cluster.sim.serviceAccountIssuer, 'rotated-key'), 'podid')).rejects.toMatchObject({ code: 'SA_TOKEN_INVALID' });
    expect(logs.withEvent('SA_JWKS_REFRESHED').length).toBe(before + 1);
    expect(logs.text).not.toContain('eyJ');
  });

  it('local JWKS: a wrong issuer setting fails closed as K8S_UNAVAILABLE', async () => {
    const reviewer = new OidcTokenReviewer({ kc: cluster.kc, issuer: 'https://not-this-cluster', log });
    await expect(reviewer.review(await token(), 'podid')).rejects.toMatchObject({ kind: 'unavailable', code: 'K8S_UNAVAILABLE', message: expect.stringContaining('issuer mismatch') });
  });

  it('TokenReview without the create permission is K8S_FORBIDDEN naming tokenreviews', async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromString(cluster.sim.kubeconfigYaml({ user: 'nobody' }));
    await expect(new KubeTokenReviewer(kc, log).review(await token(), 'podid')).rejects.toMatchObject({ code: 'K8S_FORBIDDEN', message: expect.stringContaining('create tokenreviews') });
  });
});
