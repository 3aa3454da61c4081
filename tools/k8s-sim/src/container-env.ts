import type { ContainerSpec, EnvVar } from './pod-spec';
import { resourceByName } from './resources';
import type { ObjectStore } from './store';
import type { K8sObject } from './types';

const CONFIG_MAPS = resourceByName('configmaps');
const SECRETS = resourceByName('secrets');
export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The environment of a container, or why it cannot start yet (the kubelet's CreateContainerConfigError). */
export type EnvResult = { env: Record<string, string> } | { error: string };

type Dict = Record<string, unknown>;

function fieldValue(pod: K8sObject, path: string): string | undefined {
  const spec = (pod['spec'] ?? {}) as Dict;
  const status = (pod['status'] ?? {}) as Dict;
  const fields: Record<string, unknown> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.serviceAccountName': spec['serviceAccountName'],
    'spec.nodeName': spec['nodeName'],
    'status.podIP': status['podIP'],
    'status.hostIP': status['hostIP'],
  };
  const v = fields[path];
  return typeof v === 'string' ? v : v === undefined ? undefined : String(v);
}

function keyRef(store: ObjectStore, ns: string, e: EnvVar): { value?: string; error?: string } {
  const from = e.valueFrom ?? {};
  const secret = from.secretKeyRef !== undefined;
  const ref = from.configMapKeyRef ?? from.secretKeyRef ?? {};
  const kind = secret ? 'secret' : 'configmap';
  const obj = store.get(secret ? SECRETS : CONFIG_MAPS, ns, ref.name ?? '');
  const raw = (obj?.['data'] as Record<string, string> | undefined)?.[ref.key ?? ''];
  if (raw !== undefined) return { value: secret ? Buffer.from(raw, 'base64').toString('utf8') : raw };
  if (ref.optional) return {};
  return { error: obj ? `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}` : `${kind} "${ref.name}" not found` };
}

/**
 * Resolves `env` as the kubelet does: literal values, the downward API (fieldRef) and ConfigMap/Secret keys.
 * PATH, HOME=/ and HOSTNAME come first so that the spec may override them.
 */
export function resolveContainerEnv(store: ObjectStore, pod: K8sObject, c: ContainerSpec): EnvResult {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = { PATH: CONTAINER_PATH, HOME: '/', HOSTNAME: pod.metadata.name ?? '' };
  for (const e of c.env ?? []) {
    if (!e.name) continue;
    if (typeof e.value === 'string' || !e.valueFrom) {
      env[e.name] = e.value ?? '';
      continue;
    }
    if (e.valueFrom.fieldRef) {
      const v = fieldValue(pod, e.valueFrom.fieldRef.fieldPath ?? '');
      if (v === undefined) return { error: `unsupported fieldRef ${e.valueFrom.fieldRef.fieldPath} for ${e.name}` };
      env[e.name] = v;
      continue;
    }
    const r = keyRef(store, ns, e);
    if (r.error) return { error: r.error };
    if (r.value !== undefined) env[e.name] = r.value;
  }
  return { env };
}
