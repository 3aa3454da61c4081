import { request } from 'node:https';
import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startTestSim, waitFor } from './sim-fixture';
import type { Simulator } from './types';

let sim: Simulator;
let cleanup: () => Promise<void>;
let logs: Array<{ event: string }>;
let admin: KubeConfig;
let core: CoreV1Api;

const kcFor = (yaml: string) => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

/** The API error's HTTP code and parsed Status body. */
async function failure(p: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Record<string, unknown>) : (e.body as Record<string, unknown>);
    return { code: e.code, status: body };
  }
  throw new Error('expected the call to fail');
}

/** A raw request carrying the kubeconfig's credentials, for inputs client-node would never send. */
async function raw(kc: KubeConfig, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ code: number; json: Record<string, unknown> }> {
  const opts: Record<string, unknown> = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(kc.getCurrentCluster()?.server + path);
  return new Promise((resolve, reject) => {
    const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(url, { ...opts, method, headers: { 'Content-Type': 'application/json', ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  ({ sim, cleanup, logs } = await startTestSim({ sandbox: 'none' }));
  admin = kcFor(sim.adminKubeconfigYaml());
  core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'crud', labels: { team: 'a' } } } });
});
afterAll(() => cleanup());

describe('core objects', () => {
  it('creates, reads, updates and deletes a pod, with server-set metadata', async () => {
    const created = await core.createNamespacedPod({
      namespace: 'crud',
      body: { metadata: { name: 'p1', labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'app', image: 'busybox' }] } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.namespace).toBe('crud');
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.status?.phase).toBe('Running');
    expect(created.spec?.serviceAccountName).toBe('default');

    const read = await core.readNamespacedPod({ namespace: 'crud', name: 'p1' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);

    read.metadata!.labels = { ...read.metadata!.labels, version: 'v2' };
    const updated = await core.replaceNamespacedPod({ namespace: 'crud', name: 'p1', body: read });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    expect(updated.metadata?.labels?.['version']).toBe('v2');
    expect(updated.status?.phase).toBe('Running');

    // A stale resourceVersion is a 409 Conflict.
    const stale = await failure(core.replaceNamespacedPod({ namespace: 'crud', name: 'p1', body: read }));
    expect(stale.code).toBe(409);
    expect(stale.status['reason']).toBe('Conflict');

    // The default grace period keeps the pod, marked, until its (here: not running) containers have stopped.
    const marked = await core.deleteNamespacedPod({ namespace: 'crud', name: 'p1' });
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    await waitFor('the graceful delete to finish', async () => (await core.listNamespacedPod({ namespace: 'crud', fieldSelector: 'metadata.name=p1' })).items.length === 0);
    const gone = await failure(core.readNamespacedPod({ namespace: 'crud', name: 'p1' }));
    expect(gone).toEqual({
      code: 404,
      status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "p1" not found', reason: 'NotFound', details: { name: 'p1', kind: 'pods' }, code: 404 },
    });
    expect((await failure(core.deleteNamespacedPod({ namespace: 'crud', name: 'p1' }))).code).toBe(404);
  });

  it('refuses what it does not model instead of ignoring it: protobuf bodies (415), dry runs (400)', async () => {
    const proto = await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps', Buffer.from('k8s\x00\x0a\x0f'), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect(proto).toMatchObject({ code: 415, json: { reason: 'UnsupportedMediaType' } });
    expect(String(proto.json['message'])).toContain('application/vnd.kubernetes.protobuf');
    const dry = await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps?dryRun=All', JSON.stringify({ metadata: { name: 'dry' } }));
    expect(dry).toMatchObject({ code: 400, json: { reason: 'BadRequest' } });
    expect(String(dry.json['message'])).toContain('dryRun');
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'crud', name: 'dry' }))).code).toBe(404);
  });

  it('fieldValidation: Strict refuses unknown fields naming them; by default they are dropped, never stored', async () => {
    const body = JSON.stringify({ metadata: { name: 'fv', bogusMeta: 1 }, data: {}, bogusTop: 1 });
    const strict = await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps?fieldValidation=Strict', body);
    expect(strict).toMatchObject({ code: 400, json: { reason: 'BadRequest' } });
    expect(String(strict.json['message'])).toContain('unknown field "bogusTop", unknown field "metadata.bogusMeta"');
    expect((await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps', body)).code).toBe(201);
    const stored = await raw(admin, 'GET', '/api/v1/namespaces/crud/configmaps/fv');
    expect(stored.json['bogusTop']).toBeUndefined();
    expect((stored.json['metadata'] as Record<string, unknown>)['bogusMeta']).toBeUndefined();
  });

  it('applies a strategic merge patch by merge key, with its directives, and stores none of them', async () => {
    const dep = { metadata: { name: 'smp' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] } } } };
    await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'crud', body: dep });
    const patch = { spec: { template: { spec: { $setElementOrder$containers: [{ name: 'c' }, { name: 'a' }], containers: [{ name: 'c', image: 'j' }, { $patch: 'delete', name: 'b' }] } } } };
    const text = JSON.stringify(patch).replace('$setElementOrder$containers', '$setElementOrder/containers');
    const r = await raw(admin, 'PATCH', '/apis/apps/v1/namespaces/crud/deployments/smp', text, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(r.code).toBe(200);
    const containers = ((r.json['spec'] as { template: { spec: { containers: Array<{ name: string; image: string }> } } }).template.spec.containers);
    expect(containers).toEqual([{ name: 'c', image: 'j' }, { name: 'a', image: 'i' }]);
    expect(JSON.stringify(r.json)).not.toContain('$');
  });

  it('answers 409 AlreadyExists, and 404 for a missing namespace', async () => {
    const body = { metadata: { name: 'dup' }, data: { k: 'v' } };
    await core.createNamespacedConfigMap({ namespace: 'crud', body });
    const dup = await failure(core.createNamespacedConfigMap({ namespace: 'crud', body }));
    expect(dup.code).toBe(409);
    expect(dup.status).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
    const noNs = await failure(core.createNamespacedConfigMap({ namespace: 'nowhere', body }));
    expect(noNs.code).toBe(404);
    expect(noNs.status['message']).toBe('namespaces "nowhere" not found');
  });

  it('keeps secrets, folding stringData into data', async () => {
    await core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 's1' }, stringData: { token: 'abc' } } });
    const s = await core.readNamespacedSecret({ namespace: 'crud', name: 's1' });
    expect(s.type).toBe('Opaque');
    expect(Buffer.from(s.data?.['token'] ?? '', 'base64').toString()).toBe('abc');
    s.data = { token: Buffer.from('xyz').toString('base64') };
    await core.replaceNamespacedSecret({ namespace: 'crud', name: 's1', body: s });
    await core.deleteNamespacedSecret({ namespace: 'crud', name: 's1' });
    expect((await failure(core.readNamespacedSecret({ namespace: 'crud', name: 's1' }))).code).toBe(404);
  });

  it('lists with label and field selectors, namespaced and cluster-wide', async () => {
    const pod = (name: string, labels: Record<string, string>) =>
      core.createNamespacedPod({ namespace: 'crud', body: { metadata: { name, labels }, spec: { containers: [{ name: 'c' }] } } });
    await pod('l1', { app: 'a', env: 'prod' });
    await pod('l2', { app: 'b', env: 'dev' });
    await pod('l3', { app: 'c' });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: 'crud', ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) })).items.map((p) => p.metadata?.name);
    expect(await names('app=a')).toEqual(['l1']);
    expect(await names('app==b')).toEqual(['l2']);
    expect(await names('app!=a')).toEqual(['l2', 'l3']);
    expect(await names('env')).toEqual(['l1', 'l2']);
    expect(await names('!env')).toEqual(['l3']);
    expect(await names('app in (a, c)')).toEqual(['l1', 'l3']);
    expect(await names('app notin (a,c),env')).toEqual(['l2']);
    expect(await names(undefined, 'metadata.name=l2')).toEqual(['l2']);
    const list = await core.listPodForAllNamespaces({ labelSelector: 'app in (a,b)' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['l1', 'l2']);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect((await failure(core.listNamespacedPod({ namespace: 'crud', labelSelector: 'a in b' }))).code).toBe(400);
  });

  it('serves apps and batch workloads and garbage-collects owned objects', async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    const batch = admin.makeApiClient(BatchV1Api);
    const tpl = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }] } };
    const d = await apps.createNamespacedDeployment({ namespace: 'crud', body: { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template: tpl } } });
    const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: d.metadata!.uid!, controller: true };
    await apps.createNamespacedReplicaSet({ namespace: 'crud', body: { metadata: { name: 'd-1', ownerReferences: [owner] }, spec: { selector: { matchLabels: { app: 'd' } }, template: tpl } } });
    await apps.createNamespacedStatefulSet({ namespace: 'crud', body: { metadata: { name: 'ss' }, spec: { serviceName: 'ss', selector: { matchLabels: { app: 'd' } }, template: tpl } } });
    await apps.createNamespacedDaemonSet({ namespace: 'crud', body: { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'd' } }, template: tpl } } });
    await batch.createNamespacedJob({ namespace: 'crud', body: { metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c' }], restartPolicy: 'Never' } } } } });
    await batch.createNamespacedCronJob({ namespace: 'crud', body: { metadata: { name: 'cj' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tpl } } } } });
    expect((await apps.readNamespacedStatefulSet({ namespace: 'crud', name: 'ss' })).kind).toBe('StatefulSet');
    expect((await batch.listNamespacedCronJob({ namespace: 'crud' })).items).toHaveLength(1);
    await apps.deleteNamespacedDeployment({ namespace: 'crud', name: 'd' });
    expect((await failure(apps.readNamespacedReplicaSet({ namespace: 'crud', name: 'd-1' }))).code).toBe(404);
  });
});

describe('authentication, RBAC and bad input', () => {
  it('forbids what RBAC does not grant, with the API server wording, and logs every decision', async () => {
    const alice = kcFor(sim.kubeconfigYaml({ user: 'alice', groups: ['devs'] })).makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'crud', body: { metadata: { name: 'r1' }, spec: { containers: [{ name: 'c' }] } } });
    sim.clearAccessLog();
    const denied = await failure(alice.readNamespacedPod({ namespace: 'crud', name: 'r1' }));
    expect(denied.code).toBe(403);
    expect(denied.status['message']).toBe('pods "r1" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "crud"');
    const clusterList = await failure(alice.listPodForAllNamespaces());
    expect(clusterList.status['message']).toBe('pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope');

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: 'crud', body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: 'crud',
      body: { metadata: { name: 'devs-read' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'Group', name: 'devs' }] },
    });
    expect((await alice.readNamespacedPod({ namespace: 'crud', name: 'r1' })).metadata?.name).toBe('r1');
    expect((await failure(alice.deleteNamespacedPod({ namespace: 'crud', name: 'r1' }))).code).toBe(403);
    expect(sim.accessLog.filter((e) => e.user === 'alice').map((e) => [e.verb, e.namespace ?? '', e.allowed])).toEqual([
      ['get', 'crud', false],
      ['list', '', false],
      ['get', 'crud', true],
      ['delete', 'crud', false],
    ]);
    expect(sim.accessLog.find((e) => e.user === 'alice')).toMatchObject({ groups: ['devs', 'system:authenticated'], apiGroup: '', resource: 'pods', name: 'r1' });
  });

  it('authenticates static-token kubeconfigs and refuses anonymous requests with 401', async () => {
    const bob = kcFor(sim.kubeconfigYaml({ user: 'bob', groups: ['system:masters'], auth: 'token' }));
    expect(bob.getCurrentUser()?.token).toBeTruthy();
    expect((await bob.makeApiClient(CoreV1Api).readNamespace({ name: 'crud' })).metadata?.name).toBe('crud');
    const anon = new KubeConfig();
    anon.loadFromOptions({
      clusters: [{ name: 'c', server: sim.url, caData: Buffer.from(sim.caPem).toString('base64') }],
      users: [{ name: 'u', token: 'not-a-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    // client-node drops 401 bodies; the raw answer carries the Status.
    expect((await failure(anon.makeApiClient(CoreV1Api).listNamespace())).code).toBe(401);
    expect(await raw(anon, 'GET', '/api/v1/namespaces')).toEqual({
      code: 401,
      json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
    });
  });

  it('answers bad JSON with 400, oversized bodies with 413, unknown paths with 404 and wrong methods with 405', async () => {
    expect(await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps', '{"metadata":')).toMatchObject({ code: 400, json: { kind: 'Status', reason: 'BadRequest' } });
    expect((await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps', Buffer.alloc(1024 * 1024 + 10, 0x20))).code).toBe(413);
    expect((await raw(admin, 'POST', '/api/v1/namespaces/crud/configmaps', '[1,2]')).code).toBe(422);
    expect((await raw(admin, 'GET', '/api/v1/namespaces/crud/widgets')).code).toBe(404);
    expect((await raw(admin, 'POST', '/api/v1/namespaces/crud/pods/x')).code).toBe(405);
    expect((await raw(admin, 'GET', '/api/v1/namespaces/crud/pods/x/exec?command=ls')).code).toBe(400);
    expect((await raw(admin, 'GET', '/api/v1/namespaces/%E0%A4%A/pods')).code).toBe(404);
  });

  it('never answers malformed requests with a 500', async () => {
    const cases: Array<[string, string, string?, Record<string, string>?]> = [
      ['POST', '/api/v1/namespaces/crud/pods', '{"metadata":{"name":"x"},"spec":{"containers":"no"}}'],
      ['POST', '/api/v1/namespaces/crud/pods', '{"metadata":{"name":"x"},"spec":{"containers":[null,7]}}'],
      ['POST', '/api/v1/namespaces/crud/pods', '{"metadata":[],"spec":{}}'],
      ['POST', '/api/v1/namespaces/crud/configmaps', '{"metadata":{"name":"x","labels":{"a":1}}}'],
      ['POST', '/api/v1/namespaces/crud/configmaps', '{"kind":"Pod","metadata":{"name":"x"}}'],
      ['POST', '/api/v1/namespaces/crud/configmaps', 'null'],
      ['POST', '/api/v1/namespaces/crud/secrets', '{"metadata":{"name":"s"},"stringData":{"a":{}}}'],
      ['PATCH', '/api/v1/namespaces/crud/configmaps/dup', '[{"op":"remove","path":"/nope/x"}]', { 'Content-Type': 'application/json-patch+json' }],
      ['PATCH', '/api/v1/namespaces/crud/configmaps/dup', '{"a":1}', { 'Content-Type': 'application/json-patch+json' }],
      ['PATCH', '/api/v1/namespaces/crud/configmaps/dup', '{"metadata":{"name":"other"}}', { 'Content-Type': 'application/merge-patch+json' }],
      ['PATCH', '/api/v1/namespaces/crud/configmaps/dup', '{}', { 'Content-Type': 'application/apply-patch+yaml' }],
      ['PUT', '/api/v1/namespaces/crud/configmaps/dup', '"str"'],
      ['GET', '/api/v1/namespaces/crud/pods?watch=true&resourceVersion=abc'],
      ['GET', '/api/v1/namespaces/crud/pods?fieldSelector=spec.secret%3Dx'],
      ['GET', '/api/v1/namespaces/crud/pods?labelSelector=%28%28%28'],
      ['POST', '/api/v1/namespaces/crud/serviceaccounts/default/token', '{"spec":{"audiences":"x","boundObjectRef":{"kind":"Secret"}}}'],
      ['POST', '/api/v1/namespaces/crud/serviceaccounts/default/token', '[]'],
      ['POST', '/apis/authentication.k8s.io/v1/tokenreviews', '{"spec":{}}'],
      ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '{"spec":{}}'],
      ['POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', '{"metadata":{"name":"c"},"spec":{"request":5,"signerName":"a/b"}}'],
      ['PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/none/approval', '{"status":{"conditions":"x"}}'],
      ['DELETE', '/api/v1/namespaces/crud/pods/none', '{"propagationPolicy":5}'],
      ['GET', '/apis/apps/v9/deployments'],
      ['GET', '/api/v1/namespaces/crud/pods/a/b/c/d'],
    ];
    for (const [method, path, body, headers] of cases) {
      const r = await raw(admin, method, path, body, headers);
      expect([method, path, r.code >= 400 && r.code < 500, r.json['kind']]).toEqual([method, path, true, 'Status']);
    }
    expect(logs.filter((l) => l.event === 'SIM_INTERNAL_ERROR')).toEqual([]);
  });

  it('serves discovery and version documents', async () => {
    expect((await raw(admin, 'GET', '/version')).json['major']).toBe('1');
    expect((await raw(admin, 'GET', '/api')).json['versions']).toEqual(['v1']);
    const groups = (await raw(admin, 'GET', '/apis')).json['groups'] as Array<{ name: string }>;
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'batch', 'rbac.authorization.k8s.io', 'certificates.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io']));
    const core1 = (await raw(admin, 'GET', '/api/v1')).json['resources'] as Array<{ name: string }>;
    expect(core1.map((r) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/exec', 'namespaces', 'serviceaccounts', 'serviceaccounts/token', 'secrets']));
    expect((await raw(admin, 'GET', '/apis/apps/v1')).json).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
  });
});
