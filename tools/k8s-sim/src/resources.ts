/** One REST resource the simulator serves. */
export interface ResourceDef {
  group: string; // '' for core
  version: string;
  resource: string; // plural, as in the URL
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Verbs advertised in discovery and accepted by the router. */
  verbs: string[];
  subresources: string[];
  shortNames?: string[];
  /** Create-only review objects: never stored. */
  virtual?: boolean;
}

const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const CREATE_ONLY = ['create'];

function def(
  group: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceDef, 'verbs' | 'subresources' | 'shortNames' | 'virtual'>> = {},
): ResourceDef {
  return {
    group,
    version: 'v1',
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    verbs: extra.verbs ?? CRUD,
    subresources: extra.subresources ?? [],
    ...(extra.shortNames ? { shortNames: extra.shortNames } : {}),
    ...(extra.virtual ? { virtual: true } : {}),
  };
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export const RESOURCES: readonly ResourceDef[] = [
  def('', 'pods', 'Pod', true, { subresources: ['exec', 'status'], shortNames: ['po'] }),
  def('', 'namespaces', 'Namespace', false, { subresources: ['status'], shortNames: ['ns'] }),
  def('', 'serviceaccounts', 'ServiceAccount', true, { subresources: ['token'], shortNames: ['sa'] }),
  def('', 'secrets', 'Secret', true),
  def('', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  def('', 'services', 'Service', true, { subresources: ['status'], shortNames: ['svc'] }),
  def('', 'events', 'Event', true, { shortNames: ['ev'] }),
  def('', 'nodes', 'Node', false, { subresources: ['status'], shortNames: ['no'] }),
  def('apps', 'replicasets', 'ReplicaSet', true, { subresources: ['status'], shortNames: ['rs'] }),
  def('apps', 'deployments', 'Deployment', true, { subresources: ['status'], shortNames: ['deploy'] }),
  def('apps', 'statefulsets', 'StatefulSet', true, { subresources: ['status'], shortNames: ['sts'] }),
  def('apps', 'daemonsets', 'DaemonSet', true, { subresources: ['status'], shortNames: ['ds'] }),
  def('batch', 'jobs', 'Job', true, { subresources: ['status'] }),
  def('batch', 'cronjobs', 'CronJob', true, { subresources: ['status'], shortNames: ['cj'] }),
  def(RBAC_GROUP, 'roles', 'Role', true),
  def(RBAC_GROUP, 'clusterroles', 'ClusterRole', false),
  def(RBAC_GROUP, 'rolebindings', 'RoleBinding', true),
  def(RBAC_GROUP, 'clusterrolebindings', 'ClusterRoleBinding', false),
  def('authentication.k8s.io', 'tokenreviews', 'TokenReview', false, { verbs: CREATE_ONLY, virtual: true }),
  def('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: CREATE_ONLY, virtual: true }),
  def('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: CREATE_ONLY, virtual: true }),
  def('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview', false, { verbs: CREATE_ONLY, virtual: true }),
  def('certificates.k8s.io', 'certificatesigningrequests', 'CertificateSigningRequest', false, {
    subresources: ['approval', 'status'],
    shortNames: ['csr'],
  }),
];

/** Resources that keep `status` out of a plain PUT, as the API server does. */
export function hasStatusSubresource(d: ResourceDef): boolean {
  return d.subresources.includes('status');
}

export function apiVersionOf(d: ResourceDef): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** By apiVersion + kind, as in a manifest. */
export function findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind && !r.virtual);
}

/** By a Kind ("Pod") or resource name ("pods"), case-insensitive; for {@link Simulator.remove}. */
export function findByKindOrResource(name: string): ResourceDef | undefined {
  const n = name.toLowerCase();
  return RESOURCES.find((r) => !r.virtual && (r.kind.toLowerCase() === n || r.resource === n || r.singular === n));
}

export function resourceByName(resource: string, group = ''): ResourceDef {
  const d = RESOURCES.find((r) => r.resource === resource && r.group === group);
  if (!d) throw new Error(`unknown resource ${resource}`);
  return d;
}
