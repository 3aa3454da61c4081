import type { Authenticator, Host, HostBinding, Policy, Restrictions } from './policy';
import type { PolicyProblem } from './policy-problem';
import { parseLabelSelector } from './label-selector';

type OwnerField = 'deployment' | 'statefulSet' | 'daemonSet' | 'job' | 'cronJob';
const OWNER_FIELDS: readonly OwnerField[] = ['deployment', 'statefulSet', 'daemonSet', 'job', 'cronJob'];

/**
 * Finds privileged hosts (granted status, introspect or revoke) whose
 * restrictions some pod of an application host (one with no grants) may also
 * meet, on any authenticator: then every such pod can log in as the
 * privileged host. One warning per privileged host, at its line.
 * Two sets of restrictions exclude each other only when a pod cannot meet
 * both: a different namespace, service account, pod name or owner, or label
 * selectors that want different values for one key.
 */
export function sharedPrivilegedHosts(policy: Policy): PolicyProblem[] {
  const hosts = [...policy.hosts.values()];
  const privileged = hosts.filter((h) => h.grants.length > 0);
  const apps = hosts.filter((h) => h.grants.length === 0);
  const warnings: PolicyProblem[] = [];
  for (const p of privileged) {
    const shared = apps.flatMap((a) => {
      const on = firstOverlap(policy, p, a);
      return on ? [`"${a.id}" (${a.source.file}:${a.source.line}, on ${on})`] : [];
    });
    if (shared.length === 0) continue;
    const named = shared.length > 3 ? `${shared.slice(0, 3).join(', ')} and ${shared.length - 3} more` : shared.join(', ');
    warnings.push({
      file: p.source.file,
      line: p.source.line,
      message:
        `host "${p.id}" is granted ${p.grants.join(', ')}, but a pod of application host ${named} may also meet its restrictions and so log in as it; ` +
        'give the privileged host a service account or pod of its own',
    });
  }
  return warnings;
}

/** The first pair of authenticators (`prod`, or `prod / jwt`) on which both hosts' restrictions can hold for one pod. */
function firstOverlap(policy: Policy, mine: Host, theirs: Host): string | undefined {
  for (const [pid, pb] of mine.bindings) {
    for (const [aid, ab] of theirs.bindings) {
      const [rp, ra] = [effective(policy.authenticators.get(pid), pb, mine.id), effective(policy.authenticators.get(aid), ab, theirs.id)];
      if (mayShareAPod(rp, ra)) return pid === aid ? pid : `${pid} / ${aid}`;
    }
  }
  return undefined;
}

/** An unrestricted authn-jwt host is bound by its id (`<hostPrefix>/<claim value>`): that value restricts it too. */
function effective(authn: Authenticator | undefined, b: HostBinding, hostId: string): Restrictions {
  if (b.restrictionsFrom !== 'none' || !authn?.jwt) return b.restrictions;
  const value = hostId.slice(authn.jwt.hostPrefix.length + 1);
  switch (authn.jwt.identityClaim) {
    case 'service_account':
      return { serviceAccount: value };
    case 'pod_name':
      return { pod: value };
    case 'namespace':
      return { namespace: value };
    case 'sub': {
      const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(value);
      return m ? { namespace: m[1]!, serviceAccount: m[2]! } : b.restrictions;
    }
  }
}

function mayShareAPod(a: Restrictions, b: Restrictions): boolean {
  for (const f of ['namespace', 'serviceAccount', 'pod'] as const) if (a[f] && b[f] && a[f] !== b[f]) return false;
  const [oa, ob] = [ownerOf(a), ownerOf(b)];
  // A pod has one owner chain; only a Job may sit under a CronJob.
  if (oa && ob && (oa[0] === ob[0] ? oa[1] !== ob[1] : !isJobAndCronJob(oa[0], ob[0]))) return false;
  for (const f of ['podLabelSelector', 'namespaceLabelSelector'] as const) if (selectorsConflict(a[f], b[f])) return false;
  return true;
}

function ownerOf(r: Restrictions): [OwnerField, string] | undefined {
  const f = OWNER_FIELDS.find((k) => r[k]);
  return f ? [f, r[f]!] : undefined;
}

function isJobAndCronJob(x: OwnerField, y: OwnerField): boolean {
  return (x === 'job' && y === 'cronJob') || (x === 'cronJob' && y === 'job');
}

function selectorsConflict(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const [pa, pb] = [parseLabelSelector(a), parseLabelSelector(b)];
  if (!pa.ok || !pb.ok) return false;
  return pa.requirements.some((x) => pb.requirements.some((y) => x.key === y.key && x.value !== y.value));
}
