// Test fixture, not exported: a simulated cluster in which pod-verifier has exactly its RBAC.
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { tmpDir } from '@podid/testkit';
import { KubeConfig } from '@kubernetes/client-node';
import { podVerifierRbacObjects } from './pod-verifier-rbac';

export interface SimCluster {
  readonly sim: Simulator;
  /** Credentials of the non-admin user `pod-verifier`. */
  readonly kc: KubeConfig;
  readonly kubeconfigYaml: string;
  stop(): Promise<void>;
}

export async function startSimCluster(): Promise<SimCluster> {
  const sim = await startSimulator({ stateDir: tmpDir('podid-kube-sim-'), rbac: true, sandbox: 'none' });
  for (const obj of podVerifierRbacObjects({ kind: 'User', name: 'pod-verifier' })) await sim.apply(obj);
  const kubeconfigYaml = sim.kubeconfigYaml({ user: 'pod-verifier', auth: 'cert' });
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml);
  return { sim, kc, kubeconfigYaml, stop: () => sim.stop() };
}

type Ref = { kind: string; name: string; uid: string };
const ownerRefs = (owner?: Ref) => (owner ? [{ apiVersion: apiVersionOf(owner.kind), kind: owner.kind, name: owner.name, uid: owner.uid, controller: true }] : undefined);

function apiVersionOf(kind: string): string {
  return ['Job', 'CronJob'].includes(kind) ? 'batch/v1' : ['Pod', 'Namespace', 'ServiceAccount'].includes(kind) ? 'v1' : 'apps/v1';
}

/** Applies an owner object (Deployment, ReplicaSet, ...) and returns its reference. */
export async function applyOwner(sim: Simulator, kind: string, namespace: string, name: string, owner?: Ref): Promise<Ref> {
  const sel = { matchLabels: { app: name } };
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x' }] } };
  const spec: Record<string, unknown> =
    kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : kind === 'Job' ? { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } : { selector: sel, template };
  if (kind === 'StatefulSet') spec['serviceName'] = name;
  const obj = (await sim.apply({ apiVersion: apiVersionOf(kind), kind, metadata: { namespace, name, ownerReferences: ownerRefs(owner) }, spec })) as { metadata: { uid: string } };
  return { kind, name, uid: obj.metadata.uid };
}

export interface PodOptions {
  serviceAccount?: string;
  labels?: Record<string, string>;
  owner?: Ref;
  containers?: string[];
  initContainers?: string[];
}

/** Applies a pod and returns its uid. */
export async function applyPod(sim: Simulator, namespace: string, name: string, o: PodOptions = {}): Promise<string> {
  const c = (n: string) => ({ name: n, image: 'busybox' });
  const obj = (await sim.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels: o.labels, ownerReferences: ownerRefs(o.owner) },
    spec: { serviceAccountName: o.serviceAccount, containers: (o.containers ?? ['app', 'authenticator']).map(c), initContainers: o.initContainers?.map(c) },
  })) as { metadata: { uid: string } };
  return obj.metadata.uid;
}
