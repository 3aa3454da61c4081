const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes name rules per kind: namespaces are DNS labels; most objects DNS subdomains; CronJobs leave 11 characters for the Job suffix. */
const RULES = {
  namespace: { pattern: DNS_LABEL, max: 63, text: 'a DNS label (lowercase a-z, 0-9, "-", at most 63)' },
  subdomain: { pattern: DNS_SUBDOMAIN, max: 253, text: 'a DNS subdomain (lowercase a-z, 0-9, "-", ".", at most 253)' },
  cronJob: { pattern: DNS_SUBDOMAIN, max: 52, text: 'a DNS subdomain of at most 52 characters' },
} as const;

export type NameKind = keyof typeof RULES;

/** Returns undefined when `name` is valid for that kind, else what was expected. */
export function checkK8sName(kind: NameKind, name: string): string | undefined {
  const rule = RULES[kind];
  return name.length <= rule.max && rule.pattern.test(name) ? undefined : rule.text;
}

/** Names with `*` (any run) and `?` (one character), as authn-jwt bindings allow. */
export function checkNameGlob(kind: NameKind, glob: string): string | undefined {
  if (!/[*?]/.test(glob)) return checkK8sName(kind, glob);
  // Replace wildcards by a valid letter: the literal parts must still be name characters.
  const probe = glob.replace(/[*?]/g, 'a');
  return /^[-a-z0-9.]+$/.test(probe) && glob.length <= RULES[kind].max ? undefined : `a name or a glob with * and ? (${RULES[kind].text})`;
}

/** Label keys: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const nameOk = name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
  const prefixOk = prefix === undefined || checkK8sName('subdomain', prefix) === undefined;
  return nameOk && prefixOk ? undefined : 'a label key ([prefix/]name, name at most 63 of A-Z a-z 0-9 - _ .)';
}

/** Label values: empty, or at most 63 characters, alphanumeric at both ends. */
export function checkLabelValue(value: string): string | undefined {
  return value === '' || (value.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value))
    ? undefined
    : 'a label value (at most 63 of A-Z a-z 0-9 - _ ., alphanumeric at both ends)';
}
