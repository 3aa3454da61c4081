import { SIM_NODE } from './defaults';
import type { ObjectApi } from './objects';
import { findByKind } from './resources';

const RBAC = 'rbac.authorization.k8s.io/v1';

/** Objects a fresh cluster has: the system namespaces (each gets a `default` ServiceAccount), one node, and bootstrap RBAC. */
const BOOTSTRAP: object[] = [
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: SIM_NODE, labels: { 'kubernetes.io/hostname': SIM_NODE, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
  },
  {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: 'cluster-admin' },
    rules: [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ],
  },
  {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'cluster-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
  },
  {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: 'system:auth-delegator' },
    rules: [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ],
  },
];

export function applyBootstrap(objects: ObjectApi): void {
  for (const o of BOOTSTRAP) {
    const { apiVersion, kind } = o as { apiVersion: string; kind: string };
    const def = findByKind(apiVersion, kind);
    if (!def) throw new Error(`bootstrap: unknown ${apiVersion} ${kind}`);
    objects.apply(def, o);
  }
}
