import { eventually } from '@podid/testkit';
import { randomBytes } from 'node:crypto';
import { exec, grant, grantCluster, runningPod, untilAllowed } from './helpers';
import { startTarget, type Identity, type Target } from './target';

let t: Target;
let ns: string;
const cleanups: Array<() => Promise<void>> = [];
const suffix = randomBytes(3).toString('hex');
/** A fresh user per case, so that grants of one case cannot leak into another. */
const user = (n: string): Identity => ({ user: `conf-${n}-${suffix}` });

beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-rbac');
  await runningPod(t, ns, 'target');
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await t?.stop();
});

const podsPath = () => `/api/v1/namespaces/${ns}/pods`;

describe('conformance: RBAC', () => {
  it('pods get, list and watch need their own verbs; a denial is 403 Forbidden naming the verb and resource', async () => {
    const u = user('pods');
    const denied = await t.raw('GET', podsPath(), { as: u });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ reason: 'Forbidden', code: 403 });
    expect(denied.json.message).toContain(`User "${u.user}" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
    await grant(t, ns, u.user, 'pods-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    await untilAllowed(t, u, { namespace: ns, verb: 'watch', resource: 'pods' });
    expect((await t.raw('GET', `${podsPath()}/target`, { as: u })).status).toBe(200);
    expect((await t.raw('GET', podsPath(), { as: u })).status).toBe(200);
    expect((await t.raw('GET', `${podsPath()}?watch=true&timeoutSeconds=1`, { as: u })).status).toBe(200);
    expect((await t.raw('DELETE', `${podsPath()}/target`, { as: u })).status).toBe(403);
  });

  it('websocket exec is refused with only create on pods/exec', async () => {
    const u = user('exec-create');
    await grant(t, ns, u.user, 'exec-create', [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
    ]);
    await untilAllowed(t, u, { namespace: ns, verb: 'create', resource: 'pods', subresource: 'exec' });
    const r = await exec(t, ns, 'target', ['true'], u);
    expect(r.refused).toBe(403);
    expect(r.refusal).toMatchObject({ reason: 'Forbidden' });
  });

  it('websocket exec works with get and create on pods/exec', async () => {
    const u = user('exec-both');
    await grant(t, ns, u.user, 'exec-both', [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
    ]);
    await untilAllowed(t, u, { namespace: ns, verb: 'get', resource: 'pods', subresource: 'exec' });
    const r = await exec(t, ns, 'target', ['echo', 'in'], u);
    expect(r.refused).toBeUndefined();
    expect(r.stdout).toBe('in\n');
    expect(r.status).toMatchObject({ status: 'Success' });
  });

  it('a pods/* rule does not grant pods/exec (RBAC has no resource/* wildcard)', async () => {
    const u = user('podstar');
    await grant(t, ns, u.user, 'podstar', [{ apiGroups: [''], resources: ['pods/*', 'pods'], verbs: ['get', 'create'] }]);
    await untilAllowed(t, u, { namespace: ns, verb: 'get', resource: 'pods' });
    const r = await exec(t, ns, 'target', ['true'], u);
    expect(r.refused).toBe(403);
  });

  it('secrets by resourceNames: get of the named one only; list by its metadata.name field selector is allowed', async () => {
    for (const name of ['allowed', 'other'])
      expect((await t.raw('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { k: 'v' } } })).status).toBe(201);
    const u = user('secret');
    await grant(t, ns, u.user, 'one-secret', [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['allowed'], verbs: ['get', 'list', 'watch'] }]);
    await untilAllowed(t, u, { namespace: ns, verb: 'get', resource: 'secrets', name: 'allowed' });
    const got = await t.raw('GET', `/api/v1/namespaces/${ns}/secrets/allowed`, { as: u });
    expect(got.status).toBe(200);
    expect(Buffer.from(got.json.data.k, 'base64').toString()).toBe('v');
    expect(got.json.stringData).toBeUndefined();
    expect((await t.raw('GET', `/api/v1/namespaces/${ns}/secrets/other`, { as: u })).status).toBe(403);
    expect((await t.raw('GET', `/api/v1/namespaces/${ns}/secrets`, { as: u })).status).toBe(403);
    const byName = await t.raw('GET', `/api/v1/namespaces/${ns}/secrets?fieldSelector=metadata.name%3Dallowed`, { as: u });
    expect(byName.status).toBe(200);
    expect(byName.json.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['allowed']);
  });

  it('get of a namespace can be granted by a RoleBinding inside it', async () => {
    const u = user('ns');
    await grant(t, ns, u.user, 'ns-get', [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }]);
    await untilAllowed(t, u, { namespace: ns, verb: 'get', resource: 'namespaces', name: ns });
    expect((await t.raw('GET', `/api/v1/namespaces/${ns}`, { as: u })).status).toBe(200);
    expect((await t.raw('GET', '/api/v1/namespaces/default', { as: u })).status).toBe(403);
  });

  it('tokenreviews create needs a cluster grant', async () => {
    const u = user('tr');
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'not-a-token' } };
    expect((await t.raw('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { as: u, body })).status).toBe(403);
    cleanups.push(await grantCluster(t, u.user, `conf-tr-${suffix}`, [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }]));
    await untilAllowed(t, u, { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' });
    const r = await t.raw('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { as: u, body });
    expect(r.status).toBe(201);
    expect(r.json.status.authenticated).not.toBe(true);
  });

  it('a RoleBinding roleRef cannot change (422 Invalid naming roleRef)', async () => {
    await grant(t, ns, user('ref').user, 'ref', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    const r = await t.raw('PATCH', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/ref`, {
      body: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ reason: 'Invalid' });
    expect(r.json.message).toContain('roleRef');
  });

  it('escalation: a user who may create roles cannot create one granting more than they hold, nor bind cluster-admin', async () => {
    const u = user('esc');
    await grant(t, ns, u.user, 'role-maker', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create'] }]);
    await untilAllowed(t, u, { namespace: ns, verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles' });
    const role = await t.raw('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      as: u,
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'too-much' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    });
    expect(role.status).toBe(403);
    expect(role.json.message).toMatch(/attempting to grant RBAC permissions not currently held/);
    const small = await t.raw('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      as: u,
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'same' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] }] },
    });
    expect(small.status).toBe(201);
    const bind = await t.raw('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      as: u,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'admin-me' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: u.user }],
      },
    });
    expect(bind.status).toBe(403);
  });

  it('SelfSubjectAccessReview answers for the caller, without any grant', async () => {
    const u = user('ssar');
    await grant(t, ns, u.user, 'cm-get', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    const review = (verb: string) =>
      t.raw('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        as: u,
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: ns, verb, resource: 'configmaps' } } },
      });
    await eventually(async () => {
      const r = await review('get');
      expect(r.status).toBe(201);
      expect(r.json.status.allowed).toBe(true);
    }, 30_000);
    const no = await review('delete');
    expect(no.json.status.allowed).toBe(false);
  });
});
