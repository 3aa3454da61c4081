import { createPublicKey, verify } from 'node:crypto';
import { request } from 'node:https';
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startTestSim } from './sim-fixture';
import type { Simulator } from './types';

let sim: Simulator;
let cleanup: () => Promise<void>;
let admin: KubeConfig;
let core: CoreV1Api;
let authn: AuthenticationV1Api;

const kcFor = (yaml: string) => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

async function tokenFor(pod: string, audiences: string[]): Promise<string> {
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: 'tok',
    name: 'app-sa',
    body: { spec: { audiences, expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod } } },
  });
  return tr.status?.token ?? '';
}

beforeAll(async () => {
  ({ sim, cleanup } = await startTestSim({ sandbox: 'none' }));
  admin = kcFor(sim.adminKubeconfigYaml());
  core = admin.makeApiClient(CoreV1Api);
  authn = admin.makeApiClient(AuthenticationV1Api);
  await sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tok' } });
  await sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app-sa', namespace: 'tok' } });
  for (const name of ['p1', 'p2'])
    await sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'tok' }, spec: { serviceAccountName: 'app-sa', containers: [{ name: 'c' }] } });
});
afterAll(() => cleanup());

describe('TokenRequest and TokenReview', () => {
  it('issues a bound ES256 token with the kubernetes.io claims, and reviews it', async () => {
    const token = await tokenFor('p1', ['podid']);
    const pod = await core.readNamespacedPod({ namespace: 'tok', name: 'p1' });
    const sa = await core.readNamespacedServiceAccount({ namespace: 'tok', name: 'app-sa' });
    const c = claimsOf(token);
    expect(c).toMatchObject({
      iss: sim.serviceAccountIssuer,
      sub: 'system:serviceaccount:tok:app-sa',
      aud: ['podid'],
      'kubernetes.io': { namespace: 'tok', serviceaccount: { name: 'app-sa', uid: sa.metadata?.uid }, pod: { name: 'p1', uid: pod.metadata?.uid } },
    });
    expect((c['exp'] as number) - (c['iat'] as number)).toBe(600);
    expect(c['nbf']).toBe(c['iat']);

    const review = await authn.createTokenReview({ body: { spec: { token, audiences: ['podid'] } } });
    expect(review.status?.authenticated).toBe(true);
    expect(review.status?.audiences).toEqual(['podid']);
    expect(review.status?.user).toMatchObject({
      username: 'system:serviceaccount:tok:app-sa',
      uid: sa.metadata?.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:tok', 'system:authenticated'],
    });
    expect(review.status?.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['p1']);
    expect(review.status?.user?.extra?.['authentication.kubernetes.io/pod-uid']).toEqual([pod.metadata?.uid]);
  });

  it('refuses a token for another audience, and one whose pod was deleted', async () => {
    const token = await tokenFor('p2', ['podid']);
    const wrong = await authn.createTokenReview({ body: { spec: { token, audiences: ['vault'] } } });
    expect(wrong.status?.authenticated).toBe(false);
    expect(wrong.status?.error).toContain('audiences');
    await core.deleteNamespacedPod({ namespace: 'tok', name: 'p2', gracePeriodSeconds: 0 });
    const deleted = await authn.createTokenReview({ body: { spec: { token, audiences: ['podid'] } } });
    expect(deleted.status?.authenticated).toBe(false);
    expect(deleted.status?.error).toContain('pods "p2" not found');
    expect((await authn.createTokenReview({ body: { spec: { token: 'garbage' } } })).status?.authenticated).toBe(false);
  });

  it('enforces the 10-minute minimum over the API and 404 for unknown service accounts or pods', async () => {
    const short = core.createNamespacedServiceAccountToken({ namespace: 'tok', name: 'app-sa', body: { spec: { audiences: ['x'], expirationSeconds: 60 } } });
    await expect(short).rejects.toMatchObject({ code: 422 });
    await expect(core.createNamespacedServiceAccountToken({ namespace: 'tok', name: 'nope', body: { spec: { audiences: ['x'] } } })).rejects.toMatchObject({ code: 404 });
    await expect(tokenFor('ghost', ['x'])).rejects.toMatchObject({ code: 404 });
  });

  it('accepts its service-account tokens as API credentials, with RBAC on the service account', async () => {
    const token = await sim.createServiceAccountToken({ namespace: 'tok', serviceAccount: 'app-sa', audiences: [sim.serviceAccountIssuer], podName: 'p1' });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: sim.url, caData: Buffer.from(sim.caPem).toString('base64') }],
      users: [{ name: 'sa', token }],
      contexts: [{ name: 'x', cluster: 'c', user: 'sa' }],
      currentContext: 'x',
    });
    const saCore = kc.makeApiClient(CoreV1Api);
    await expect(saCore.readNamespacedPod({ namespace: 'tok', name: 'p1' })).rejects.toMatchObject({ code: 403 });
    await admin.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
      body: {
        metadata: { name: 'sa-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-viewer' },
        subjects: [{ kind: 'ServiceAccount', name: 'app-sa', namespace: 'tok' }],
      },
    });
    await sim.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pod-viewer' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    expect((await saCore.readNamespacedPod({ namespace: 'tok', name: 'p1' })).metadata?.name).toBe('p1');

    const ssar = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace: 'tok', verb: 'get', resource: 'pods' } } },
    });
    expect(ssar.status?.allowed).toBe(true);
    const denied = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace: 'tok', verb: 'delete', resource: 'pods' } } },
    });
    expect(denied.status?.allowed).toBe(false);

    // An expired token no longer authenticates.
    const expired = await sim.createServiceAccountToken({ namespace: 'tok', serviceAccount: 'app-sa', audiences: ['podid'], expirationSeconds: -1 });
    expect((await authn.createTokenReview({ body: { spec: { token: expired, audiences: ['podid'] } } })).status?.error).toContain('expired');
  });

  it('publishes an OIDC discovery document and a JWKS that verifies its tokens', async () => {
    const get = async (path: string) => {
      const opts: Record<string, unknown> = {};
      await admin.applyToHTTPSOptions(opts);
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        request(new URL(sim.url + path), opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>));
        })
          .on('error', reject)
          .end();
      });
    };
    expect(await get('/.well-known/openid-configuration')).toMatchObject({ issuer: sim.serviceAccountIssuer, jwks_uri: `${sim.url}/openid/v1/jwks` });
    const jwks = (await get('/openid/v1/jwks')) as { keys: Array<{ kid: string } & Record<string, string>> };
    const token = await tokenFor('p1', ['podid']);
    const [h = '', p = '', s = ''] = token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string };
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    expect(header.alg).toBe('ES256');
    const key = createPublicKey({ key: jwk as object as import('node:crypto').JsonWebKey, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
  });
});
