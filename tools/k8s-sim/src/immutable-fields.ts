import type { ResourceDef } from './resources';
import { invalid } from './status';
import type { K8sObject } from './types';

type Dict = Record<string, unknown>;

/** JSON with sorted keys: typed clients re-serialize objects in their own field order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v as Dict).filter((k) => (v as Dict)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Dict)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** What a pod update may change in spec, as the API server's pod validation allows. */
const POD_MUTABLE = '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function podSpecSansMutable(o: K8sObject): string {
  const spec = structuredClone((o['spec'] ?? {}) as Dict);
  for (const list of ['containers', 'initContainers']) for (const c of (spec[list] as Dict[] | undefined) ?? []) delete c['image'];
  delete spec['activeDeadlineSeconds'];
  delete spec['tolerations'];
  delete spec['terminationGracePeriodSeconds'];
  return canonical(spec);
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/**
 * Updates that Kubernetes forbids (422): a pod's spec beyond images and a few fields, and the contents of a
 * ConfigMap or Secret marked `immutable: true`.
 */
export function checkImmutable(def: ResourceDef, next: K8sObject, current: K8sObject): void {
  const name = current.metadata.name ?? '';
  if (def.resource === 'pods' && podSpecSansMutable(next) !== podSpecSansMutable(current))
    throw invalid('Pod', name, 'spec', `Forbidden: pod updates may not change fields other than ${POD_MUTABLE}`);
  if ((def.resource === 'configmaps' || def.resource === 'secrets') && current['immutable'] === true) {
    for (const field of ['data', 'binaryData', 'type'])
      if (!same(next[field], current[field])) throw invalid(def.kind, name, field, 'Forbidden: field is immutable when `immutable` is set');
    if (next['immutable'] !== true) throw invalid(def.kind, name, 'immutable', 'Forbidden: field is immutable when `immutable` is set');
  }
}
