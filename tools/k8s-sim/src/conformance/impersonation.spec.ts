import { randomBytes } from 'node:crypto';
import { grantCluster, untilAllowed } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
let ns: string;
const cleanups: Array<() => Promise<void>> = [];
const suffix = randomBytes(3).toString('hex');
beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-imp');
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await t?.stop();
});

const whoami = (opts: Parameters<Target['raw']>[2]) =>
  t.raw('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { ...opts, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });

/** A bearer token of a fresh service account: a non-admin identity to impersonate from. */
async function serviceAccountToken(name: string): Promise<string> {
  expect((await t.raw('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } } })).status).toBe(201);
  const r = await t.raw('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } });
  expect(r.status).toBe(201);
  return r.json.status.token;
}

describe('conformance: impersonation', () => {
  it('Impersonate-User and Impersonate-Group from the admin change who the request runs as', async () => {
    const r = await whoami({ as: { user: `conf-alice-${suffix}`, groups: ['conf-team-a', 'conf-team-b'] } });
    expect(r.status).toBe(201);
    expect(r.json.status.userInfo.username).toBe(`conf-alice-${suffix}`);
    expect(r.json.status.userInfo.groups).toEqual(expect.arrayContaining(['conf-team-a', 'conf-team-b', 'system:authenticated']));
    expect(r.json.status.userInfo.groups).not.toContain('system:masters');
  });

  it('the impersonated user is what RBAC checks', async () => {
    const r = await t.raw('GET', `/api/v1/namespaces/${ns}/secrets`, { as: { user: `conf-nobody-${suffix}` } });
    expect(r.status).toBe(403);
    expect(r.json.message).toContain(`User "conf-nobody-${suffix}"`);
  });

  it('impersonating needs the impersonate verb: refused without it, allowed for the granted name only', async () => {
    const token = await serviceAccountToken('impersonator');
    const sa = `system:serviceaccount:${ns}:impersonator`;
    const me = await whoami({ bearer: token });
    expect(me.json.status.userInfo.username).toBe(sa);
    const denied = await whoami({ bearer: token, as: { user: `conf-bob-${suffix}` } });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ reason: 'Forbidden' });
    expect(denied.json.message).toContain('cannot impersonate resource "users"');
    cleanups.push(await grantCluster(t, sa, `conf-imp-${suffix}`, [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: [`conf-bob-${suffix}`] }]));
    await untilAllowed(t, { user: sa, groups: ['system:serviceaccounts'] }, { verb: 'impersonate', resource: 'users', name: `conf-bob-${suffix}` });
    const ok = await whoami({ bearer: token, as: { user: `conf-bob-${suffix}` } });
    expect(ok.status).toBe(201);
    expect(ok.json.status.userInfo.username).toBe(`conf-bob-${suffix}`);
    expect((await whoami({ bearer: token, as: { user: `conf-carol-${suffix}` } })).status).toBe(403);
    // Groups are a separate permission.
    expect((await whoami({ bearer: token, as: { user: `conf-bob-${suffix}`, groups: ['system:masters'] } })).status).toBe(403);
  });
});
