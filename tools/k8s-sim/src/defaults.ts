import { randomInt } from 'node:crypto';
import type { ResourceDef } from './resources';
import { nowTimestamp } from './store';
import { invalid } from './status';
import type { K8sObject } from './types';
import { containerNames } from './validate';

/** The one node every simulated pod runs on. */
export const SIM_NODE = 'sim-node';

type Dict = Record<string, unknown>;
const dict = (v: unknown): Dict => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : {});

/**
 * Pods need no kubelet here: a pod without status.phase is made Running and Ready, on {@link SIM_NODE},
 * with an IP from 10.244.0.0/16. A given status is kept as is.
 */
function defaultPod(obj: K8sObject): void {
  const spec = dict(obj['spec']);
  obj['spec'] = spec;
  const sa = (spec['serviceAccountName'] ?? spec['serviceAccount'] ?? 'default') as string;
  spec['serviceAccountName'] = sa;
  spec['serviceAccount'] = sa;
  spec['nodeName'] ??= SIM_NODE;
  spec['restartPolicy'] ??= 'Always';
  const status = dict(obj['status']);
  if (status['phase']) return;
  const now = nowTimestamp();
  const images = new Map<string, string>();
  for (const c of [...((spec['containers'] as Dict[] | undefined) ?? []), ...((spec['initContainers'] as Dict[] | undefined) ?? [])])
    images.set(String(c['name']), String(c['image'] ?? ''));
  const ip = `10.244.${randomInt(256)}.${randomInt(1, 255)}`;
  obj['status'] = {
    phase: 'Running',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
    hostIP: '10.0.0.1',
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    qosClass: 'BestEffort',
    containerStatuses: containerNames(obj)
      .filter((n) => ((spec['containers'] as Dict[] | undefined) ?? []).some((c) => c['name'] === n))
      .map((name) => ({
        name,
        ready: true,
        started: true,
        restartCount: 0,
        image: images.get(name) ?? '',
        imageID: '',
        containerID: `sim://${obj.metadata.namespace}/${obj.metadata.name}/${name}`,
        state: { running: { startedAt: now } },
      })),
  };
}

function defaultSecret(obj: K8sObject): void {
  obj['type'] ??= 'Opaque';
  const stringData = obj['stringData'];
  if (stringData === undefined) return;
  const data = dict(obj['data']);
  for (const [k, v] of Object.entries(dict(stringData))) {
    if (typeof v !== 'string') throw invalid('Secret', obj.metadata.name ?? '', `stringData[${k}]`, 'expected a string');
    data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  obj['data'] = data;
  delete obj['stringData'];
}

/** Defaults the API server (and its controllers) would fill in, before an object is stored. */
export function applyDefaults(d: ResourceDef, obj: K8sObject): void {
  switch (d.resource) {
    case 'pods':
      defaultPod(obj);
      break;
    case 'namespaces':
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      obj['spec'] ??= { finalizers: ['kubernetes'] };
      obj['status'] = { phase: 'Active', ...dict(obj['status']) };
      break;
    case 'secrets':
      defaultSecret(obj);
      break;
    case 'certificatesigningrequests':
      obj['status'] ??= {};
      break;
  }
}
