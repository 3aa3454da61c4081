import type { Authenticator, HostBinding, IdentityClaim, Restrictions } from './policy';
import { checkK8sName } from './k8s-names';
import type { HostAnnotation, HostDraft } from './parse-host';
import type { PolicyProblem } from './policy-problem';
import { restrictionsFromHostId } from './legacy-host-id';
import { CONTAINER_NAME, DEFAULT_CONTAINER_NAME, OWNER_KINDS, RESTRICTION_FIELDS, type RestrictionName } from './restriction-names';

/**
 * Works out what a host gets on one authenticator: the annotations that apply
 * (`authn-k8s/<service>/<name>` over `authn-k8s/<name>`), the container name,
 * or the legacy host-id restrictions, then applies Conjur's rules. Returns the
 * binding, or the problems (located at the offending annotation).
 */
export function bindHost(host: HostDraft, authn: Authenticator): { ok: true; binding: HostBinding } | { ok: false; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const what = `host "${host.id}"`;
  const fail = (line: number, message: string) => problems.push({ file: host.file, line, message: `${what}: ${message}` });
  const effective = new Map<HostAnnotation['name'], HostAnnotation>();
  for (const a of host.annotations) if (!a.kubernetes && a.service === undefined) effective.set(a.name, a);
  for (const a of host.annotations) if (a.service === authn.id) effective.set(a.name, a);
  const container = effective.get(CONTAINER_NAME) ?? host.annotations.find((a) => a.kubernetes);
  effective.delete(CONTAINER_NAME);

  const k8s = authn.type === 'authn-k8s';
  if (k8s && host.id.includes('.')) {
    fail(host.line, `id contains ".", which no certificate CN can reach on authn-k8s (the CN's dots all become "/", as in Conjur)`);
  }
  let restrictions: Restrictions = {};
  let restrictionsFrom: HostBinding['restrictionsFrom'] = 'none';
  if (effective.size === 0 && k8s) {
    const legacy = restrictionsFromHostId(host.id);
    if (legacy.ok) [restrictions, restrictionsFrom] = [legacy.restrictions, 'host-id'];
    else fail(host.line, `on ${authn.id}: ${legacy.reason}`);
  } else if (effective.size > 0) {
    restrictionsFrom = 'annotations';
    const names = [...effective.keys()] as RestrictionName[];
    const namespaces = names.filter((n) => n === 'namespace' || n === 'namespace-label-selector');
    if (namespaces.length !== 1 && (k8s || namespaces.length > 1)) {
      const line = namespaces.length > 1 ? lastLine(effective, namespaces) : firstLine(effective);
      fail(line, `on ${authn.id}: needs exactly one of authn-k8s/namespace and authn-k8s/namespace-label-selector, got ${namespaces.length} (Conjur CONJ00131E)`);
    }
    const owners = names.filter((n) => OWNER_KINDS.includes(n));
    if (owners.length > 1) {
      fail(lastLine(effective, owners), `${owners.map((o) => `authn-k8s/${o}`).join(' and ')} cannot be combined (Conjur CONJ00055E)`);
    }
    restrictions = Object.fromEntries(names.map((n) => [RESTRICTION_FIELDS[n], effective.get(n)!.value]));
  }
  if (!k8s && restrictionsFrom === 'none' && authn.jwt && !isImplicitJwtHost(host.id, authn.jwt.hostPrefix, authn.jwt.identityClaim)) {
    fail(
      host.line,
      `on ${authn.id}: declares no restrictions, so only a token whose ${authn.jwt.identityClaim} claim names it can log in as it, and its id is not "${authn.jwt.hostPrefix}/<${authn.jwt.identityClaim}>"; add restrictions (authn-k8s/namespace, authn-k8s/service-account, ...) or rename it`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, binding: { restrictions, containerName: container?.value ?? DEFAULT_CONTAINER_NAME, restrictionsFrom } };
}

function lastLine(m: Map<string, HostAnnotation>, names: readonly string[]): number {
  return Math.max(...names.map((n) => m.get(n)!.line));
}

function firstLine(m: Map<string, HostAnnotation>): number {
  return Math.min(...[...m.values()].map((a) => a.line));
}

/** Whether an unrestricted authn-jwt host is one some token names by itself: `<hostPrefix>/<claim value>`, a value that claim can have. */
function isImplicitJwtHost(id: string, hostPrefix: string, claim: IdentityClaim): boolean {
  const value = id.startsWith(`${hostPrefix}/`) ? id.slice(hostPrefix.length + 1) : '';
  if (claim === 'sub') {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(value);
    return !!m && !checkK8sName('namespace', m[1]!) && !checkK8sName('subdomain', m[2]!);
  }
  return !checkK8sName(claim === 'namespace' ? 'namespace' : 'subdomain', value);
}
