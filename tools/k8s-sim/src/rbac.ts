import { resourceByName, RBAC_GROUP } from './resources';
import type { ObjectStore } from './store';
import type { K8sObject, UserInfo } from './types';

/** What a request wants to do, as RBAC sees it. */
export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

const ROLES = resourceByName('roles', RBAC_GROUP);
const CLUSTER_ROLES = resourceByName('clusterroles', RBAC_GROUP);
const ROLE_BINDINGS = resourceByName('rolebindings', RBAC_GROUP);
const CLUSTER_ROLE_BINDINGS = resourceByName('clusterrolebindings', RBAC_GROUP);
const MASTERS = 'system:masters';

/** What every authenticated user may do, as the bootstrap roles system:basic-user and system:discovery allow. */
const BASIC_USER: PolicyRule[] = [
  { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
];

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.apiGroup)) return false;
  const res = rule.resources ?? [];
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  // As in Kubernetes: `*`, the exact resource[/subresource], or `*/<subresource>`; there is no `<resource>/*`.
  const resOk = res.some((r) => r === '*' || r === full || (a.subresource && r === `*/${a.subresource}`));
  if (!resOk) return false;
  if (!rule.resourceNames?.length) return true;
  return a.name !== undefined && rule.resourceNames.includes(a.name);
}

function nonResourceAllows(rule: PolicyRule, verb: string, path: string): boolean {
  if (!has(rule.verbs, verb)) return false;
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return s.name !== undefined && user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${s.namespace ?? bindingNamespace ?? ''}:${s.name ?? ''}`;
    default:
      return false;
  }
}

const rulesOf = (role: K8sObject | undefined): PolicyRule[] => (Array.isArray(role?.['rules']) ? (role['rules'] as PolicyRule[]) : []);

/** RBAC over the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the store. system:masters bypasses. */
export class RbacAuthorizer {
  constructor(
    private readonly store: ObjectStore,
    private readonly enabled: boolean,
  ) {}

  /** Every rule that applies to `user` in `namespace` (undefined = cluster-scoped bindings only). */
  rulesFor(user: UserInfo, namespace: string | undefined): PolicyRule[] {
    const out = [...BASIC_USER];
    for (const b of this.store.list(CLUSTER_ROLE_BINDINGS)) {
      const subjects = (b['subjects'] as Subject[] | undefined) ?? [];
      const ref = b['roleRef'] as Subject | undefined;
      if (ref?.kind === 'ClusterRole' && ref.name && subjects.some((s) => subjectMatches(s, user, undefined)))
        out.push(...rulesOf(this.store.get(CLUSTER_ROLES, undefined, ref.name)));
    }
    if (namespace) {
      for (const b of this.store.list(ROLE_BINDINGS, namespace)) {
        const subjects = (b['subjects'] as Subject[] | undefined) ?? [];
        const ref = b['roleRef'] as Subject | undefined;
        if (!ref?.name || !subjects.some((s) => subjectMatches(s, user, namespace))) continue;
        if (ref.kind === 'ClusterRole') out.push(...rulesOf(this.store.get(CLUSTER_ROLES, undefined, ref.name)));
        if (ref.kind === 'Role') out.push(...rulesOf(this.store.get(ROLES, namespace, ref.name)));
      }
    }
    return out;
  }

  /** RBAC off, or a system:masters user. */
  bypasses(user: UserInfo): boolean {
    return !this.enabled || user.groups.includes(MASTERS);
  }

  authorize(user: UserInfo, a: RequestAttributes): boolean {
    if (this.bypasses(user)) return true;
    return this.rulesFor(user, a.namespace).some((r) => ruleAllows(r, a));
  }

  /** Non-resource paths other than discovery (which every authenticated user may read). */
  authorizeNonResource(user: UserInfo, verb: string, path: string): boolean {
    if (!this.enabled || user.groups.includes(MASTERS)) return true;
    return this.rulesFor(user, undefined).some((r) => nonResourceAllows(r, verb, path));
  }
}
