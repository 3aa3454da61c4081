/** RFC 1123 label: what Kubernetes requires of a namespace name (63 characters at most). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain: what Kubernetes requires of a pod name (253 characters at most). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `s` is a valid Kubernetes namespace name. */
export function isDnsLabel(s: string): boolean {
  return DNS_LABEL.test(s);
}

/** True when `s` is a valid Kubernetes object name such as a pod name. */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s) && s.split('.').every((l) => l.length <= 63);
}
