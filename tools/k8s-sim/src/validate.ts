import { randomInt } from 'node:crypto';
import type { ResourceDef } from './resources';
import { invalid } from './status';
import type { K8sObject } from './types';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Path-segment names (RBAC objects, CSRs) may hold colons, as in system:basic-user. */
const PATH_SEGMENT = /^[^/%]+$/;
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export const isDnsLabel = (s: string): boolean => s.length <= 63 && DNS_LABEL.test(s);
export const isDnsSubdomain = (s: string): boolean => s.length <= 253 && DNS_SUBDOMAIN.test(s);

function nameRule(d: ResourceDef): { test: (s: string) => boolean; why: string } {
  if (d.resource === 'namespaces') return { test: isDnsLabel, why: 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\'' };
  if (d.group === 'rbac.authorization.k8s.io' || d.resource === 'certificatesigningrequests')
    return { test: (s) => PATH_SEGMENT.test(s) && s !== '.' && s !== '..' && s.length <= 253, why: 'may not contain \'/\' or \'%\'' };
  return { test: isDnsSubdomain, why: 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\'' };
}

/** Fills metadata.name from generateName (5 random characters, as the API server does). */
export function resolveName(obj: K8sObject): void {
  if (!obj.metadata.name && typeof obj.metadata.generateName === 'string' && obj.metadata.generateName) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[randomInt(GENERATE_CHARS.length)];
    obj.metadata.name = `${obj.metadata.generateName}${suffix}`;
  }
}

/** Checks `input` is a JSON object with a metadata object; returns it typed. Throws 400 otherwise. */
export function asObject(input: unknown, d: ResourceDef): K8sObject {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid(d.kind, '', 'body', 'expected a JSON object');
  const obj = input as K8sObject;
  if (obj.metadata === undefined) obj.metadata = {};
  if (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw invalid(d.kind, '', 'metadata', 'expected an object');
  for (const f of ['labels', 'annotations'] as const) {
    const m = obj.metadata[f];
    if (m === undefined) continue;
    if (m === null || typeof m !== 'object' || Object.values(m).some((v) => typeof v !== 'string'))
      throw invalid(d.kind, String(obj.metadata.name ?? ''), `metadata.${f}`, 'expected a map of strings');
  }
  return obj;
}

/** Validates names and the parts of objects the simulator relies on (pod containers). Throws 422 Invalid. */
export function validateObject(d: ResourceDef, obj: K8sObject): void {
  const name = obj.metadata.name;
  if (typeof name !== 'string' || !name) throw invalid(d.kind, '', 'metadata.name', 'Required value: name or generateName is required');
  const rule = nameRule(d);
  if (!rule.test(name)) throw invalid(d.kind, name, 'metadata.name', `Invalid value: "${name}": ${rule.why}`);
  if (d.namespaced && (typeof obj.metadata.namespace !== 'string' || !isDnsLabel(obj.metadata.namespace)))
    throw invalid(d.kind, name, 'metadata.namespace', `Invalid value: "${String(obj.metadata.namespace)}"`);
  if (d.resource === 'pods') validatePodSpec(obj, name);
}

function validatePodSpec(obj: K8sObject, name: string): void {
  const spec = obj['spec'] as { containers?: unknown; initContainers?: unknown } | undefined;
  if (!spec || typeof spec !== 'object') throw invalid('Pod', name, 'spec', 'Required value');
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) throw invalid('Pod', name, 'spec.containers', 'Required value');
  const seen = new Set<string>();
  for (const [field, list] of [
    ['spec.containers', spec.containers],
    ['spec.initContainers', spec.initContainers ?? []],
  ] as const) {
    if (!Array.isArray(list)) throw invalid('Pod', name, field, 'expected a list');
    for (const c of list as Array<{ name?: unknown }>) {
      const cn = c?.name;
      if (typeof cn !== 'string' || !isDnsLabel(cn)) throw invalid('Pod', name, `${field}[].name`, `Invalid value: "${String(cn)}": a lowercase RFC 1123 label`);
      if (seen.has(cn)) throw invalid('Pod', name, `${field}[].name`, `Duplicate value: "${cn}"`);
      seen.add(cn);
    }
  }
}

/** Names of all containers (regular and init) of a pod object. */
export function containerNames(pod: K8sObject): string[] {
  const spec = pod['spec'] as { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> } | undefined;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.name).filter((n): n is string => typeof n === 'string');
}
