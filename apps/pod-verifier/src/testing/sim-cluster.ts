// Test fixture: a simulated cluster where the user `pod-verifier` has exactly its RBAC, and a running pod-verifier process.
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { podVerifierRbacObjects } from '@podid/kube';
import { tmpDir } from '@podid/testkit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Ref = { kind: string; name: string; uid: string };

export interface SimCluster {
  readonly sim: Simulator;
  /** A kubeconfig file for the non-admin user `pod-verifier`. */
  readonly kubeconfigPath: string;
  readonly dir: string;
}

export async function startSimCluster(): Promise<SimCluster> {
  const dir = tmpDir('podid-pv-');
  // A short watch window and cut streams, so that the informers' relist and restart paths run in every test.
  const sim = await startSimulator({ stateDir: join(dir, 'sim'), rbac: true, sandbox: 'none', watchHistoryWindowMs: 2000, watchDropAfterMs: 6000 });
  for (const obj of podVerifierRbacObjects({ kind: 'User', name: 'pod-verifier' })) await sim.apply(obj);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, sim.kubeconfigYaml({ user: 'pod-verifier', auth: 'cert' }), { mode: 0o600 });
  return { sim, kubeconfigPath, dir };
}

const apiVersionOf = (kind: string) => (['Job', 'CronJob'].includes(kind) ? 'batch/v1' : 'apps/v1');
const ownerRefs = (owner?: Ref) => (owner ? [{ apiVersion: apiVersionOf(owner.kind), kind: owner.kind, name: owner.name, uid: owner.uid, controller: true }] : undefined);

/** Applies an owner object (Deployment, ReplicaSet, ...), itself optionally owned, and returns its reference. */
export async function applyOwner(sim: Simulator, kind: string, namespace: string, name: string, owner?: Ref): Promise<Ref> {
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x' }], restartPolicy: ['Job', 'CronJob'].includes(kind) ? 'Never' : 'Always' } };
  const spec: Record<string, unknown> =
    kind === 'CronJob' ? { schedule: '0 0 * * *', jobTemplate: { spec: { template } } } : kind === 'Job' ? { template } : { selector: { matchLabels: { app: name } }, template, serviceName: name };
  const obj = (await sim.apply({ apiVersion: apiVersionOf(kind), kind, metadata: { namespace, name, ownerReferences: ownerRefs(owner) }, spec })) as { metadata: { uid: string } };
  return { kind, name, uid: obj.metadata.uid };
}

/** Applies a pod and returns its uid. */
export async function applyPod(
  sim: Simulator,
  namespace: string,
  name: string,
  o: { serviceAccount?: string; labels?: Record<string, string>; owner?: Ref; initContainers?: string[]; phase?: string } = {},
): Promise<string> {
  const c = (n: string) => ({ name: n, image: 'busybox' });
  const obj = (await sim.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels: o.labels, ownerReferences: ownerRefs(o.owner) },
    spec: { serviceAccountName: o.serviceAccount, containers: [c('app'), c('authenticator')], initContainers: o.initContainers?.map(c) },
    ...(o.phase ? { status: { phase: o.phase } } : {}),
  })) as { metadata: { uid: string } };
  return obj.metadata.uid;
}
