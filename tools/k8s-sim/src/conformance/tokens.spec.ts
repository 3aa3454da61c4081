import { eventually } from '@podid/testkit';
import { runningPod, SLOW_MS } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
let ns: string;
let podUid: string;
beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-tok');
  ({ uid: podUid } = await runningPod(t, ns, 'bound'));
});
afterAll(() => t?.stop());

const tokenRequest = (spec: Record<string, unknown>) =>
  t.raw('POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
const review = (token: string, audiences?: string[]) =>
  t.raw('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } } });

describe('conformance: TokenRequest and TokenReview', () => {
  it('a pod-bound token for an audience reviews for that audience only, with the pod in extra', async () => {
    const r = await tokenRequest({ audiences: ['podid-conformance'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: podUid } });
    expect(r.status).toBe(201);
    const token = r.json.status.token as string;
    const ok = await review(token, ['podid-conformance']);
    expect(ok.json.status).toMatchObject({ authenticated: true, audiences: ['podid-conformance'], user: { username: `system:serviceaccount:${ns}:default` } });
    expect(ok.json.status.user.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']));
    expect(ok.json.status.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['bound']);
    expect(ok.json.status.user.extra['authentication.kubernetes.io/pod-uid']).toEqual([podUid]);
    const other = await review(token, ['someone-else']);
    expect(other.json.status.authenticated).not.toBe(true);
    expect(other.json.status.error).toEqual(expect.any(String));
    // Without spec.audiences the review is for the API server's own audience, which this token lacks.
    expect((await review(token)).json.status.authenticated).not.toBe(true);
  });

  it('a token for the default audience authenticates API calls and reviews without audiences', async () => {
    const r = await tokenRequest({});
    expect(r.status).toBe(201);
    const token = r.json.status.token as string;
    expect(r.json.status.expirationTimestamp).toEqual(expect.any(String));
    const ok = await review(token);
    expect(ok.json.status.authenticated).toBe(true);
    const me = await t.raw('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { bearer: token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect(me.status).toBe(201);
    expect(me.json.status.userInfo.username).toBe(`system:serviceaccount:${ns}:default`);
  });

  it('expirationSeconds under 10 minutes is 422 Invalid naming the field', async () => {
    const r = await tokenRequest({ expirationSeconds: 60 });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ reason: 'Invalid' });
    expect(r.json.message).toContain('expirationSeconds');
  });

  it('a token bound to a pod stops reviewing once the pod is gone', async () => {
    const { uid } = await runningPod(t, ns, 'shortlived');
    const r = await tokenRequest({ audiences: ['podid-conformance'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'shortlived', uid } });
    const token = r.json.status.token as string;
    expect((await review(token, ['podid-conformance'])).json.status.authenticated).toBe(true);
    expect((await t.raw('DELETE', `/api/v1/namespaces/${ns}/pods/shortlived?gracePeriodSeconds=0`)).status).toBe(200);
    await eventually(async () => expect((await review(token, ['podid-conformance'])).json.status.authenticated).not.toBe(true), SLOW_MS);
  });
});
