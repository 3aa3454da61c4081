import { RBAC_GROUP, resourceByName, type ResourceDef } from './resources';
import type { PolicyRule, RbacAuthorizer } from './rbac';
import type { ObjectStore } from './store';
import { StatusError } from './status';
import type { K8sObject, UserInfo } from './types';

const ROLES = resourceByName('roles', RBAC_GROUP);
const CLUSTER_ROLES = resourceByName('clusterroles', RBAC_GROUP);
const RBAC_RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

/** Whether the holder's rules allow every (verb, group, resource, name) and non-resource URL that `rule` grants. */
function covered(owned: PolicyRule[], rule: PolicyRule): boolean {
  for (const verb of rule.verbs ?? []) {
    for (const url of rule.nonResourceURLs ?? [])
      if (!owned.some((o) => has(o.verbs, verb) && (o.nonResourceURLs ?? []).some((u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.slice(0, -1)))))) return false;
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const name of rule.resourceNames?.length ? rule.resourceNames : [undefined])
          if (!owned.some((o) => has(o.verbs, verb) && has(o.apiGroups, group) && has(o.resources, resource) && (!o.resourceNames?.length || (name !== undefined && o.resourceNames.includes(name)))))
            return false;
  }
  return true;
}

function escalation(user: UserInfo, kind: string, name: string, namespace: string | undefined): StatusError {
  const where = namespace ? ` in the namespace "${namespace}"` : '';
  return new StatusError(
    403,
    'Forbidden',
    `${kind.toLowerCase()}s.${RBAC_GROUP} "${name}" is forbidden: user "${user.username}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held${where}`,
    { name, group: RBAC_GROUP, kind: `${kind.toLowerCase()}s` },
  );
}

/**
 * RBAC's escalation prevention: a role may only be written by someone who holds all it grants (or has `escalate` on
 * it), and a binding only by someone who holds all its role grants (or has `bind` on that role).
 */
export function checkEscalation(rbac: RbacAuthorizer, store: ObjectStore, user: UserInfo, def: ResourceDef, obj: K8sObject): void {
  if (def.group !== RBAC_GROUP || !RBAC_RESOURCES.has(def.resource) || rbac.bypasses(user)) return;
  const ns = def.namespaced ? obj.metadata.namespace : undefined;
  const name = obj.metadata.name ?? '';
  const owned = rbac.rulesFor(user, ns);
  if (def.resource === 'roles' || def.resource === 'clusterroles') {
    if (rbac.authorize(user, { verb: 'escalate', apiGroup: RBAC_GROUP, resource: def.resource, name, ...(ns ? { namespace: ns } : {}) })) return;
    const rules = Array.isArray(obj['rules']) ? (obj['rules'] as PolicyRule[]) : [];
    if (!rules.every((r) => covered(owned, r))) throw escalation(user, def.kind, name, ns);
    return;
  }
  const ref = (obj['roleRef'] ?? {}) as { kind?: string; name?: string };
  const roleDef = ref.kind === 'Role' ? ROLES : CLUSTER_ROLES;
  if (rbac.authorize(user, { verb: 'bind', apiGroup: RBAC_GROUP, resource: roleDef.resource, name: ref.name ?? '', ...(ns ? { namespace: ns } : {}) })) return;
  const role = store.get(roleDef, ref.kind === 'Role' ? ns : undefined, ref.name ?? '');
  const rules = Array.isArray(role?.['rules']) ? (role['rules'] as PolicyRule[]) : [];
  if (!rules.every((r) => covered(owned, r))) throw escalation(user, def.kind, name, ns);
}
