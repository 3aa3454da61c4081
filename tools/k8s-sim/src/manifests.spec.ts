import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadManifests } from './manifests';
import { startTestSim } from './sim-fixture';

const dir = mkdtempSync(join(tmpdir(), 'k8s-sim-manifests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('manifests', () => {
  it('loads multi-document files and sorted folders, expands Lists and skips kustomization.yaml', async () => {
    write('cluster/20-pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: m}\nspec: {containers: [{name: c}]}\n');
    write('cluster/10-ns.yml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: m}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: m}}\n');
    write('cluster/kustomization.yaml', 'resources: [10-ns.yml]\n');
    write('cluster/notes.txt', 'ignored');
    const objs = (await loadManifests([join(dir, 'cluster')])) as Array<{ kind: string }>;
    expect(objs.map((o) => o.kind)).toEqual(['Namespace', 'ConfigMap', 'Pod']);
  });

  it('names the file of invalid YAML or of a document without kind', async () => {
    const bad = write('bad.yaml', 'apiVersion: v1\nkind: [unclosed\n');
    await expect(loadManifests([bad])).rejects.toThrow(bad);
    const noKind = write('nokind.yaml', 'metadata: {name: x}\n');
    await expect(loadManifests([noKind])).rejects.toThrow(`document 1 of ${noKind} has no apiVersion or kind`);
    await expect(loadManifests([join(dir, 'missing.yaml')])).rejects.toThrow('missing.yaml');
  });

  it('seeds the simulator, keeping uids and ownerReferences and creating missing namespaces', async () => {
    const file = write(
      'seed.yaml',
      `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: auto, uid: 11111111-1111-1111-1111-111111111111}
spec: {selector: {matchLabels: {a: b}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: rs-x
  namespace: auto
  uid: 22222222-2222-2222-2222-222222222222
  labels: {a: b}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: 11111111-1111-1111-1111-111111111111, controller: true}]
spec: {serviceAccountName: sa, containers: [{name: app}, {name: side}]}
status: {phase: Pending}
`,
    );
    const { sim, cleanup } = await startTestSim({ sandbox: 'none', manifests: [file] });
    try {
      const kc = new KubeConfig();
      kc.loadFromString(sim.adminKubeconfigYaml());
      const core = kc.makeApiClient(CoreV1Api);
      const pod = await core.readNamespacedPod({ namespace: 'auto', name: 'rs-x' });
      expect(pod.metadata?.uid).toBe('22222222-2222-2222-2222-222222222222');
      expect(pod.metadata?.ownerReferences?.[0]?.uid).toBe('11111111-1111-1111-1111-111111111111');
      expect(pod.status?.phase).toBe('Pending');
      expect((await core.readNamespace({ name: 'auto' })).metadata?.labels?.['kubernetes.io/metadata.name']).toBe('auto');
      expect((await core.readNamespacedServiceAccount({ namespace: 'auto', name: 'default' })).metadata?.name).toBe('default');
      expect((await kc.makeApiClient(AppsV1Api).readNamespacedReplicaSet({ namespace: 'auto', name: 'rs' })).metadata?.uid).toBe('11111111-1111-1111-1111-111111111111');

      await expect(sim.apply({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } })).rejects.toThrow('unsupported object kind v1 Widget');
      await expect(sim.remove('Pod', 'auto', 'nope')).rejects.toThrow('pods "nope" not found');
      await sim.remove('pods', 'auto', 'rs-x');
      await expect(core.readNamespacedPod({ namespace: 'auto', name: 'rs-x' })).rejects.toMatchObject({ code: 404 });
    } finally {
      await cleanup();
    }
  });

  it('refuses to start on a manifest it cannot apply, naming the object', async () => {
    const file = write('badpod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name, namespace: x}\nspec: {containers: [{name: c}]}\n');
    await expect(startTestSim({ sandbox: 'none', manifests: [file] })).rejects.toThrow('cannot apply Pod x/Bad_Name');
  });
});
