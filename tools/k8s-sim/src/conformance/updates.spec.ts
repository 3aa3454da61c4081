import { createPod, shellPod } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
let ns: string;
beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-upd');
});
afterAll(() => t?.stop());

const merge = (path: string, body: unknown) => t.raw('PATCH', path, { body, contentType: 'application/merge-patch+json' });

describe('conformance: updates', () => {
  it("a pod's spec is immutable beyond images (422 naming spec); its labels are not", async () => {
    await createPod(t, ns, shellPod(t, 'fixed'));
    const path = `/api/v1/namespaces/${ns}/pods/fixed`;
    const r = await merge(path, { spec: { containers: [{ name: 'main', image: t.image, command: ['/bin/sh', '-c', 'exit 0'] }] } });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ reason: 'Invalid' });
    expect(r.json.message).toContain('pod updates may not change fields other than');
    expect((await merge(path, { metadata: { labels: { extra: 'yes' } } })).status).toBe(200);
  });

  it('an immutable ConfigMap refuses data changes (422)', async () => {
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    expect((await t.raw('POST', base, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true } })).status).toBe(201);
    const r = await merge(`${base}/frozen`, { data: { a: '2' } });
    expect(r.status).toBe(422);
    expect(r.json.message).toContain('immutable');
    expect((await t.raw('GET', `${base}/frozen`)).json.data).toEqual({ a: '1' });
  });

  it('an update with a stale resourceVersion is 409 Conflict', async () => {
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const created = (await t.raw('POST', base, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raced' }, data: { a: '1' } } })).json;
    expect((await merge(`${base}/raced`, { data: { a: '2' } })).status).toBe(200);
    const r = await t.raw('PUT', `${base}/raced`, { body: { ...created, data: { a: '3' } } });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ reason: 'Conflict' });
  });
});
