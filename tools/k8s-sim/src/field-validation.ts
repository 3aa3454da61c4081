import type { ResourceDef } from './resources';
import { badRequest } from './status';

/** Top-level fields of each kind beyond apiVersion, kind and metadata (from the Kubernetes API types). */
const TOP_LEVEL: Record<string, string[]> = {
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Event: ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance'],
  Role: ['rules'],
  ClusterRole: ['rules', 'aggregationRule'],
  RoleBinding: ['subjects', 'roleRef'],
  ClusterRoleBinding: ['subjects', 'roleRef'],
};
const SPEC_AND_STATUS = ['spec', 'status'];
const METADATA = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
];

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '' || v === 'Warn') return 'Warn';
  if (v === 'Strict' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

/**
 * Drops the unknown top-level and metadata fields of `body` (as the API server's decoder does) and returns their
 * names. Fields inside spec and status are not checked. `$`-directives of strategic merge patches are kept.
 */
export function dropUnknownFields(def: ResourceDef, body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const obj = body as Record<string, unknown>;
  const known = new Set(['apiVersion', 'kind', 'metadata', ...(TOP_LEVEL[def.kind] ?? SPEC_AND_STATUS)]);
  const unknown: string[] = [];
  for (const k of Object.keys(obj))
    if (!known.has(k) && !k.startsWith('$')) {
      unknown.push(k);
      delete obj[k];
    }
  const meta = obj['metadata'];
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta))
    for (const k of Object.keys(meta))
      if (!METADATA.includes(k) && !k.startsWith('$')) {
        unknown.push(`metadata.${k}`);
        delete (meta as Record<string, unknown>)[k];
      }
  return unknown;
}

/** Applies the fieldValidation directive: Strict refuses (400 naming the fields), Warn returns Warning header values. */
export function enforceFieldValidation(def: ResourceDef, mode: FieldValidation, unknown: string[]): string[] {
  if (!unknown.length || mode === 'Ignore') return [];
  const list = unknown.map((f) => `unknown field "${f}"`);
  if (mode === 'Strict') throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${list.join(', ')}`);
  return list.map((w) => `299 - ${JSON.stringify(w)}`);
}
