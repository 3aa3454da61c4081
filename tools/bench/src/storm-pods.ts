import { randomUUID } from 'node:crypto';
import type { Simulator } from '@podid/k8s-sim';

/** The fixture Deployment's ReplicaSet (tools/e2e/fixtures/cluster/10-workloads.yaml) owns every storm pod. */
const REPLICA_SET = { name: 'demo-app-5c7d9', uid: '6a1b4a0e-0d5c-4c43-9a51-2f0e6f9b0b02' };
export const STORM_NAMESPACE = 'demo';
/** The fixture policy's host for pods of Deployment demo-app. */
export const STORM_HOST = 'conjur/authn-k8s/dev/apps/demo-app';

export interface StormPod {
  readonly name: string;
  readonly uid: string;
  /** A loopback address of its own, as each pod has its own IP: the gateway's per-IP limits see one pod per address. */
  readonly address: string;
}

/** The i-th storm pod's address: 127.20.0.1 onwards, no octet 0 or 255. */
export function stormAddress(i: number): string {
  return `127.${20 + Math.floor(i / (254 * 254))}.${(Math.floor(i / 254) % 254) + 1}.${(i % 254) + 1}`;
}

export function stormPod(i: number): StormPod {
  return { name: `demo-app-5c7d9-s${String(i).padStart(5, '0')}`, uid: randomUUID(), address: stormAddress(i) };
}

/**
 * Creates pods `from`..`to-1` of the Deployment. The `authenticator` container's
 * image is mapped to nothing, so no process runs: the load generator is its sidecar,
 * and exec still runs the injector's script in the container root.
 */
export async function seedStormPods(sim: Simulator, from: number, to: number): Promise<StormPod[]> {
  const pods: StormPod[] = [];
  for (let i = from; i < to; i++) {
    const p = stormPod(i);
    await sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        namespace: STORM_NAMESPACE,
        uid: p.uid,
        labels: { app: 'demo-app' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: REPLICA_SET.name, uid: REPLICA_SET.uid, controller: true }],
      },
      spec: { serviceAccountName: 'demo-sa', containers: [{ name: 'app', image: 'busybox' }, { name: 'authenticator', image: 'podid/storm-sidecar' }] },
      status: { phase: 'Running', podIP: p.address },
    });
    pods.push(p);
  }
  return pods;
}
