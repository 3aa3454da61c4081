import { resourceByName } from './resources';
import type { ObjectStore } from './store';
import { nowTimestamp } from './store';
import type { K8sObject } from './types';

const PODS = resourceByName('pods');

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running' }
  | { kind: 'terminated'; exitCode: number; reason: string };

type Dict = Record<string, unknown>;

function stateObject(s: ContainerState): Dict {
  if (s.kind === 'waiting') return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
  if (s.kind === 'running') return { running: { startedAt: nowTimestamp() } };
  return { terminated: { exitCode: s.exitCode, reason: s.reason, finishedAt: nowTimestamp() } };
}

/**
 * Writes container states into one pod's status, as the kubelet reports them. A write for a pod that is gone or was
 * replaced (another uid) is dropped.
 */
export class PodStatusWriter {
  constructor(
    private readonly store: ObjectStore,
    private readonly namespace: string,
    private readonly name: string,
    private readonly uid: string | undefined,
  ) {}

  /** The pod as stored now, or undefined when it is gone or replaced. */
  current(): K8sObject | undefined {
    const pod = this.store.get(PODS, this.namespace, this.name);
    return pod && pod.metadata.uid === this.uid ? pod : undefined;
  }

  container(name: string, init: boolean, image: string, state: ContainerState, restartCount: number): void {
    this.update((status) => {
      const field = init ? 'initContainerStatuses' : 'containerStatuses';
      const list = ((status[field] as Dict[] | undefined) ?? []).filter((c) => c['name'] !== name);
      const running = state.kind === 'running';
      list.push({
        name,
        image,
        imageID: '',
        containerID: `sim://${this.namespace}/${this.name}/${name}`,
        ready: running || (init && state.kind === 'terminated' && state.exitCode === 0),
        started: running,
        restartCount,
        state: stateObject(state),
      });
      status[field] = list;
    });
  }

  phase(phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed'): void {
    this.update((status) => {
      status['phase'] = phase;
    });
  }

  private update(mutate: (status: Dict) => void): void {
    const pod = this.current();
    if (!pod) return;
    const status = { ...((pod['status'] as Dict | undefined) ?? {}) };
    mutate(status);
    pod['status'] = status;
    delete pod.metadata.resourceVersion;
    this.store.replace(PODS, pod);
  }
}
