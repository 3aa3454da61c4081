import { eventually } from '@podid/testkit';
import { createPod, rawWatch, shellPod, SLOW_MS, waitPhase } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
let ns: string;
beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-del');
});
afterAll(() => t?.stop());

const listRv = async (res: string) => (await t.raw('GET', `/api/v1/namespaces/${ns}/${res}`)).json.metadata.resourceVersion as string;

describe('conformance: deletion', () => {
  it('a pod with a grace period gets deletionTimestamp (MODIFIED) first, DELETED after its containers stop', async () => {
    await createPod(t, ns, shellPod(t, 'graceful'));
    await waitPhase(t, ns, 'graceful', 'Running');
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dgraceful&resourceVersion=${await listRv('pods')}`);
    try {
      const del = await t.raw('DELETE', `/api/v1/namespaces/${ns}/pods/graceful?gracePeriodSeconds=30`);
      expect(del.status).toBe(200);
      expect(del.json.metadata.deletionTimestamp).toEqual(expect.any(String));
      expect(del.json.metadata.deletionGracePeriodSeconds).toBe(30);
      await eventually(() => expect(w.events.map((e) => e.type)).toContain('DELETED'), SLOW_MS);
      const types = w.events.map((e) => e.type);
      const firstMarked = w.events.findIndex((e) => e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp);
      expect(firstMarked).toBeGreaterThanOrEqual(0);
      expect(firstMarked).toBeLessThan(types.indexOf('DELETED'));
      expect((await t.raw('GET', `/api/v1/namespaces/${ns}/pods/graceful`)).status).toBe(404);
    } finally {
      w.abort();
    }
  });

  it('a wrong-uid precondition is 409 Conflict and deletes nothing', async () => {
    expect((await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pre' } } })).status).toBe(201);
    const r = await t.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/pre`, {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: '00000000-0000-0000-0000-000000000000' } },
    });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ reason: 'Conflict' });
    const uid = (await t.raw('GET', `/api/v1/namespaces/${ns}/configmaps/pre`)).json.metadata.uid;
    expect(r.json.message).toBe(
      `Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
    );
    expect(r.json.details).toMatchObject({ name: 'pre', kind: 'ConfigMap' });
  });

  it('a stale resourceVersion precondition is 409 Conflict', async () => {
    const created = await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prerv' } } });
    await t.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/prerv`, { body: { data: { x: 'y' } }, contentType: 'application/merge-patch+json' });
    const r = await t.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/prerv`, {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: created.json.metadata.resourceVersion } },
    });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ reason: 'Conflict' });
    expect(r.json.message).toMatch(/: the ResourceVersion in the precondition \(\d+\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/);
  });

  it('a finalizer keeps the object (with deletionTimestamp) until it is removed', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['podid.io/conformance'] } };
    expect((await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body })).status).toBe(201);
    const w = await rawWatch(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&fieldSelector=metadata.name%3Dfin&resourceVersion=${await listRv('configmaps')}`);
    try {
      const del = await t.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/fin`);
      expect(del.status).toBe(200);
      const held = await t.raw('GET', `/api/v1/namespaces/${ns}/configmaps/fin`);
      expect(held.status).toBe(200);
      expect(held.json.metadata.deletionTimestamp).toEqual(expect.any(String));
      const patch = await t.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/fin`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
      expect(patch.status).toBe(200);
      await eventually(() => expect(w.events.map((e) => e.type).at(-1)).toBe('DELETED'), SLOW_MS);
      // The first event is the deletion mark; the update that empties the finalizers turns into the delete.
      expect(w.events[0]).toMatchObject({ type: 'MODIFIED', object: { metadata: { deletionTimestamp: expect.any(String) } } });
      expect((await t.raw('GET', `/api/v1/namespaces/${ns}/configmaps/fin`)).status).toBe(404);
    } finally {
      w.abort();
    }
  });
});
