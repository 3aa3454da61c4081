import { POD_VERIFIER_RULES } from './pod-verifier-rbac';

/** One permission to check with a SelfSubjectAccessReview (cluster-wide). */
export interface RequiredPermission {
  verb: string;
  /** API group; '' for core. */
  group: string;
  resource: string;
  subresource?: string;
}

interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Expands RBAC rules into one permission per (group, resource, verb); `pods/exec` style resources become a subresource. */
export function requiredPermissions(rules: readonly Rule[] = POD_VERIFIER_RULES): RequiredPermission[] {
  return rules.flatMap((rule) =>
    rule.apiGroups.flatMap((group) =>
      rule.resources.flatMap((full) => {
        const [resource = full, subresource] = full.split('/');
        return rule.verbs.map((verb) => ({ verb, group, resource, ...(subresource ? { subresource } : {}) }));
      }),
    ),
  );
}

/** `watch apps/deployments`, `create pods/exec`: how operators read a permission. */
export function describePermission(p: RequiredPermission): string {
  const res = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  return `${p.verb} ${p.group ? `${p.group}/` : ''}${res}`;
}
