import type { Restrictions } from './policy';
import { checkK8sName } from './k8s-names';
import { RESTRICTION_FIELDS } from './restriction-names';

/** Resource types the legacy `<namespace>/<type>/<name>` host id may name (`_` and `-` both accepted, as Conjur does). */
const LEGACY_TYPES = ['service-account', 'deployment', 'stateful-set', 'pod', 'daemon-set', 'job', 'cron-job'] as const;

/**
 * Conjur's legacy form, used when no annotation restrictions remain: the last
 * three segments of the host id are `<namespace>/<type>/<name>`, and
 * `<namespace>/*\/*` means "any pod in the namespace". Returns the
 * restrictions or the reason the id does not qualify.
 */
export function restrictionsFromHostId(hostId: string): { ok: true; restrictions: Restrictions } | { ok: false; reason: string } {
  const parts = hostId.split('/');
  if (parts.length < 3) {
    return { ok: false, reason: 'has no authn-k8s restriction annotations, and its id does not end in the legacy form <namespace>/<type>/<name> (Conjur CONJ00048E)' };
  }
  const [namespace, rawType, name] = parts.slice(-3) as [string, string, string];
  const nsBad = checkK8sName('namespace', namespace);
  if (nsBad) return { ok: false, reason: `legacy host id: namespace "${namespace}" is not ${nsBad}` };
  if (rawType === '*') {
    return name === '*' ? { ok: true, restrictions: { namespace } } : { ok: false, reason: `legacy host id: "${namespace}/*/${name}": the namespace-wide form is <namespace>/*/*` };
  }
  const type = rawType.replace(/_/g, '-');
  if (type === 'deployment-config') return { ok: false, reason: 'legacy host id: deployment_config (OpenShift) is not supported by podid' };
  const known = LEGACY_TYPES.find((t) => t === type);
  if (!known) {
    return {
      ok: false,
      reason: `has no authn-k8s restriction annotations, and in its legacy form <namespace>/<type>/<name> the type "${rawType}" is not one of *, ${LEGACY_TYPES.map((t) => t.replace(/-/g, '_')).join(', ')} (Conjur CONJ00050E)`,
    };
  }
  const nameBad = checkK8sName(known === 'cron-job' ? 'cronJob' : 'subdomain', name);
  if (nameBad) return { ok: false, reason: `legacy host id: ${rawType} name "${name}" is not ${nameBad}` };
  return { ok: true, restrictions: { namespace, [RESTRICTION_FIELDS[known]]: name } };
}
