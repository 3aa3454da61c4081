/**
 * The least-privilege RBAC rules pod-verifier needs (docs/architecture.md section 5):
 * read and watch pods and what owns them, and create TokenReviews. deploy/
 * grants exactly these; the tests apply them to prove they suffice.
 */
export const POD_VERIFIER_RULES = [
  { apiGroups: [''], resources: ['pods', 'namespaces', 'serviceaccounts'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
] as const;

/** A ClusterRole and a binding of it to one user (outside the cluster) or service account. */
export function podVerifierRbacObjects(subject: { kind: 'User'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string }): object[] {
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'podid-pod-verifier' }, rules: POD_VERIFIER_RULES },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'podid-pod-verifier' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'podid-pod-verifier' },
      subjects: [subject.kind === 'User' ? { apiGroup: 'rbac.authorization.k8s.io', ...subject } : subject],
    },
  ];
}
