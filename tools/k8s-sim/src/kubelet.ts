import { PodRunner, type PodRunnerDeps } from './pod-runner';
import { resourceByName } from './resources';
import type { K8sObject } from './types';

const PODS = resourceByName('pods');

/**
 * A minimal kubelet: runs the containers of pods whose image is mapped in `images` (see {@link PodRunner}),
 * from manifests, apply() or REST creates, and stops them when their pod is deleted or the simulator stops.
 */
export class Kubelet {
  private readonly runners = new Map<string, PodRunner>();
  /** Runners of deleted pods, still terminating. */
  private readonly stopping = new Set<Promise<void>>();
  private unsubscribe: () => void = () => undefined;
  private warned = false;

  constructor(private readonly d: PodRunnerDeps) {}

  start(): void {
    if (!Object.keys(this.d.images).length) return;
    for (const pod of this.d.store.list(PODS)) this.admit(pod);
    this.unsubscribe = this.d.store.subscribe((e) => {
      if (e.def.resource !== 'pods') return;
      const uid = e.object.metadata.uid ?? '';
      if (e.type === 'DELETED') {
        const r = this.runners.get(uid);
        this.runners.delete(uid);
        if (r) {
          const done = r.stop().finally(() => this.stopping.delete(done));
          this.stopping.add(done);
        }
      } else if (!this.runners.has(uid)) this.admit(e.object);
    });
  }

  /** A graceful delete: stops the pod's containers; undefined when none of them runs here. */
  terminate(pod: K8sObject): Promise<void> | undefined {
    const r = this.runners.get(pod.metadata.uid ?? '');
    if (!r) return undefined;
    this.runners.delete(pod.metadata.uid ?? '');
    const done = r.stop().finally(() => this.stopping.delete(done));
    this.stopping.add(done);
    return done;
  }

  private admit(pod: K8sObject): void {
    if (pod.metadata.deletionTimestamp || !PodRunner.wants(pod, this.d.images)) return;
    const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (this.d.sandbox.mode !== 'bwrap') {
      if (!this.warned)
        this.d.log('SIM_CONTAINERS_NOT_RUN', 'containers of mapped images run only in the bwrap sandbox; bubblewrap is unusable here, so none run', {});
      this.warned = true;
      return;
    }
    const r = new PodRunner(this.d, pod);
    this.runners.set(pod.metadata.uid ?? '', r);
    // Not inside the store's event dispatch: the runner writes pod status.
    setImmediate(() => {
      if (this.runners.get(pod.metadata.uid ?? '') === r) r.start();
    });
  }

  /** Stops every pod's containers and waits until all of them have exited. */
  async stop(): Promise<void> {
    this.unsubscribe();
    const all = [...this.runners.values()];
    this.runners.clear();
    await Promise.all([...all.map((r) => r.stop()), ...this.stopping]);
  }
}
