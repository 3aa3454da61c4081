import { badRequest } from './status';

type Dict = Record<string, unknown>;
const isObj = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Merge keys of the lists podid's objects have (the `patchMergeKey` tags of the Kubernetes API types). Lists not
 * named here are replaced, as for lists without a merge strategy.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  topologySpreadConstraints: 'topologyKey',
};
/** Primitive lists with the merge strategy: entries are added, and removed with $deleteFromPrimitiveList. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);
const ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function mergeKeyedList(original: unknown[], patch: unknown[], key: string, order: unknown[] | undefined): unknown[] {
  const out = original.map((x) => structuredClone(x));
  const find = (k: unknown) => out.findIndex((x) => isObj(x) && x[key] === k);
  for (const item of patch) {
    if (!isObj(item)) throw badRequest(`strategic merge patch: list items merged by "${key}" must be objects`);
    if (item['$patch'] === 'replace') return patch.filter((x) => isObj(x)).map((x) => { const c = { ...(x as Dict) }; delete c['$patch']; return c; });
    const i = find(item[key]);
    if (item['$patch'] === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMerge(out[i], item);
    else out.push(strategicMerge({}, item));
  }
  if (!order) return out;
  // $setElementOrder: the listed keys in that order; entries the patch did not list (server-added) keep their place after.
  const keys = order.map((o) => (isObj(o) ? o[key] : o));
  const listed = keys.map((k) => out.find((x) => isObj(x) && x[key] === k)).filter((x) => x !== undefined);
  const rest = out.filter((x) => !(isObj(x) && keys.includes(x[key])));
  return [...listed, ...rest];
}

/**
 * A strategic merge patch (application/strategic-merge-patch+json) as the API server applies it to the built-in
 * types: maps merge, keyed lists merge by their merge key, and the `$patch`, `$setElementOrder/`, `$retainKeys` and
 * `$deleteFromPrimitiveList/` directives are applied, never stored.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  if (patch['$patch'] === 'replace') {
    const c = { ...patch };
    delete c['$patch'];
    return c;
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: Dict = isObj(target) ? { ...target } : {};
  const retain = patch['$retainKeys'];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(ORDER)) continue;
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = (out[field] as unknown[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = MERGE_KEYS[k];
    if (Array.isArray(v) && key && Array.isArray(out[k] ?? [])) {
      const order = patch[`${ORDER}${k}`];
      out[k] = mergeKeyedList((out[k] as unknown[] | undefined) ?? [], v, key, Array.isArray(order) ? order : undefined);
    } else if (Array.isArray(v) && MERGED_PRIMITIVE_LISTS.has(k)) {
      const cur = Array.isArray(out[k]) ? (out[k] as unknown[]) : [];
      out[k] = [...cur, ...v.filter((x) => !cur.includes(x))];
    } else {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  // $setElementOrder for a list the patch did not otherwise touch: reorder what is there.
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(ORDER) || !Array.isArray(order)) continue;
    const field = k.slice(ORDER.length);
    if (field in patch || !Array.isArray(out[field])) continue;
    const key = MERGE_KEYS[field];
    if (key) out[field] = mergeKeyedList(out[field] as unknown[], [], key, order);
  }
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}
