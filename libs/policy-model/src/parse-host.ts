import { PRIVILEGES, type Privilege } from './policy';
import { checkK8sName } from './k8s-names';
import { parseLabelSelector } from './label-selector';
import { SERVICE_ID } from './parse-authenticator';
import type { Field, PolicyFileReader } from './policy-file-reader';
import { CONTAINER_NAME, isRestrictionName, type RestrictionName } from './restriction-names';

/** Host ids are paths of non-empty segments; 1024 matches the gateway's request limit. */
const HOST_ID = /^[^/\s]+(\/[^/\s]+)*$/;
const MAX_HOST_ID = 1024;
const HOST_FIELDS = ['id', 'authenticators', 'annotations', 'grants'] as const;

/** One meaningful annotation. `service` is set for `authn-k8s/<service>/<name>`; `kubernetes` marks `kubernetes/authentication-container-name`. */
export interface HostAnnotation {
  readonly name: RestrictionName | typeof CONTAINER_NAME;
  readonly value: string;
  readonly service?: string;
  readonly kubernetes?: true;
  readonly key: string;
  readonly line: number;
}

/** A host as written, checked for syntax; restrictions per authenticator are worked out after merging. */
export interface HostDraft {
  readonly id: string;
  readonly authenticators: ReadonlyArray<{ id: string; line: number }>;
  readonly annotations: readonly HostAnnotation[];
  readonly grants: readonly Privilege[];
  readonly file: string;
  readonly line: number;
}

/** Reads one entry of `hosts:`, recording problems; undefined only when it has no readable id. */
export function parseHost(r: PolicyFileReader, item: Field): HostDraft | undefined {
  const f = r.fields(item.node, 'host', HOST_FIELDS, item.line);
  if (!f) return undefined;
  const id = r.requiredString(f.get('id'), 'host id', item.line);
  const what = `host "${id ?? '?'}"`;
  if (id !== undefined) checkHostId(r, id, f.get('id')!.line, what);
  const authenticators: Array<{ id: string; line: number }> = [];
  for (const a of r.items(f.get('authenticators'), `${what}: authenticators`)) {
    const sid = r.requiredString(a, `${what}: authenticators item`, a.line);
    if (sid === undefined) continue;
    if (!SERVICE_ID.test(sid)) r.problem(a.line, `${what}: authenticator id "${sid}" must match ${SERVICE_ID}`);
    else if (authenticators.some((x) => x.id === sid)) r.problem(a.line, `${what}: authenticator "${sid}" is listed twice`);
    else authenticators.push({ id: sid, line: a.line });
  }
  if (authenticators.length === 0) r.problem(f.get('authenticators')?.line ?? item.line, `${what}: authenticators must list at least one authenticator id`);
  const annotations = readAnnotations(r, f.get('annotations'), what, new Set(authenticators.map((a) => a.id)));
  const grants: Privilege[] = [];
  for (const g of r.items(f.get('grants'), `${what}: grants`)) {
    const name = r.requiredString(g, `${what}: grants item`, g.line);
    const privilege = PRIVILEGES.find((p) => p === name);
    if (name !== undefined && !privilege) r.problem(g.line, `${what}: unknown grant "${name}" (expected one of ${PRIVILEGES.join(', ')})`);
    else if (privilege && !grants.includes(privilege)) grants.push(privilege);
  }
  // Keep going with what is readable so that cross-file and restriction rules still report their problems.
  if (id === undefined) return undefined;
  return { id, authenticators, annotations, grants, file: r.file, line: item.line };
}

function checkHostId(r: PolicyFileReader, id: string, line: number, what: string): void {
  if (id.startsWith('host/')) r.problem(line, `${what}: write the id without "host/" (the login is host/<id>)`);
  else if (id.length > MAX_HOST_ID || !HOST_ID.test(id)) r.problem(line, `${what}: id must be "/"-separated non-empty segments without spaces, at most ${MAX_HOST_ID} characters`);
}

function readAnnotations(r: PolicyFileReader, field: Field | undefined, what: string, services: ReadonlySet<string>): HostAnnotation[] {
  const out: HostAnnotation[] = [];
  for (const e of field ? r.entries(field.node, `${what}: annotations`, field.line) : []) {
    const value = r.string(e, `${what}: annotation ${e.key}`)?.trim();
    if (e.key.startsWith('authn-jwt/')) {
      r.problem(e.line, `${what}: annotation ${e.key}: authn-jwt claim annotations are not supported; use the authenticator's jwt block`);
      continue;
    }
    if (e.key === `kubernetes/${CONTAINER_NAME}`) {
      if (value) out.push(checked(r, { name: CONTAINER_NAME, value, kubernetes: true, key: e.key, line: e.line }, what));
      continue;
    }
    // Other keys (descriptions, `kubernetes/*`) are free-form metadata, as in Conjur.
    if (!e.key.startsWith('authn-k8s/')) continue;
    const parts = e.key.split('/');
    const [service, name] = parts.length === 3 ? [parts[1], parts[2]] : [undefined, parts[1]];
    if (parts.length > 3 || name === undefined || name === '') {
      r.problem(e.line, `${what}: annotation ${e.key}: expected authn-k8s/<name> or authn-k8s/<service-id>/<name>`);
      continue;
    }
    if (name === 'deployment-config') {
      r.problem(e.line, `${what}: annotation ${e.key}: deployment-config (OpenShift DeploymentConfig) is not supported by podid; use deployment`);
      continue;
    }
    if (name !== CONTAINER_NAME && !isRestrictionName(name)) {
      r.problem(e.line, `${what}: annotation ${e.key}: "${name}" is not a supported restriction (Conjur CONJ00050E)`);
      continue;
    }
    if (service !== undefined && !services.has(service)) {
      r.problem(e.line, `${what}: annotation ${e.key} names service "${service}", which is not in the host's authenticators`);
      continue;
    }
    if (value) out.push(checked(r, { name, value, ...(service !== undefined ? { service } : {}), key: e.key, line: e.line }, what));
  }
  return out;
}

/** Checks an annotation value against Kubernetes naming rules and selector syntax. */
function checked(r: PolicyFileReader, a: HostAnnotation, what: string): HostAnnotation {
  const bad = annotationValueProblem(a.name, a.value);
  if (bad) r.problem(a.line, `${what}: annotation ${a.key}: ${bad}`);
  return a;
}

export function annotationValueProblem(name: HostAnnotation['name'], value: string): string | undefined {
  const expected = (e: string | undefined) => (e ? `"${value}" is not ${e}` : undefined);
  switch (name) {
    case 'namespace':
      return expected(checkK8sName('namespace', value));
    case CONTAINER_NAME:
      return expected(checkK8sName('namespace', value)?.replace('DNS label', 'DNS label (container name)'));
    case 'cron-job':
      return expected(checkK8sName('cronJob', value));
    case 'namespace-label-selector':
    case 'pod-label-selector': {
      const s = parseLabelSelector(value);
      return s.ok ? undefined : `invalid label selector ${s.reason} (Conjur CONJ00094E)`;
    }
    default:
      return expected(checkK8sName('subdomain', value));
  }
}
