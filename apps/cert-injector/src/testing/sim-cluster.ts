import { rmSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { tmpDir } from '@podid/testkit';

export const NS = 'demo';
export const POD_UIDS: Record<string, string> = {};

/** The least privilege deploy/base/rbac.yaml grants cert-injector: create and get on pods/exec, nothing else. */
const EXEC_ONLY_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'cert-injector', namespace: NS },
  rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] }],
};

/** A role that can read pods but not exec into them. */
const READ_ONLY_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'pod-reader', namespace: NS },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
};

function binding(name: string, role: string, user: string) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  };
}

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { containers: [{ name: 'authenticator', image: 'authn' }, { name: 'app', image: 'app' }] },
  };
}

export interface SimCluster {
  readonly sim: Simulator;
  readonly stateDir: string;
  /** Kubeconfig YAML of user `cert-injector` (client certificate; exec-only role). */
  readonly injectorYaml: string;
  kubeConfig(user: 'cert-injector' | 'pod-reader'): KubeConfig;
  addPod(name: string): Promise<string>;
  /** Stops the simulator (killing exec children) and removes its state. */
  stop(): Promise<void>;
}

/** Starts the simulator (bubblewrap required: injection paths must be confined) with namespace demo, RBAC and pods. */
export async function startSimCluster(pods: string[]): Promise<SimCluster> {
  const stateDir = tmpDir('podid-ci-sim-');
  const sim = await startSimulator({ stateDir, sandbox: 'bwrap', rbac: true, execTimeoutMs: 15_000 });
  await sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const o of [EXEC_ONLY_ROLE, READ_ONLY_ROLE, binding('cert-injector', 'cert-injector', 'cert-injector'), binding('pod-reader', 'pod-reader', 'pod-reader')]) await sim.apply(o);
  const addPod = async (name: string) => {
    const created = (await sim.apply(pod(name))) as { metadata: { uid: string } };
    return created.metadata.uid;
  };
  const uids: Record<string, string> = {};
  for (const p of pods) uids[p] = await addPod(p);
  Object.assign(POD_UIDS, uids);
  const injectorYaml = sim.kubeconfigYaml({ user: 'cert-injector' });
  return {
    sim,
    stateDir,
    injectorYaml,
    kubeConfig(user) {
      const kc = new KubeConfig();
      kc.loadFromString(user === 'cert-injector' ? injectorYaml : sim.kubeconfigYaml({ user }));
      return kc;
    },
    addPod,
    async stop() {
      await sim.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
