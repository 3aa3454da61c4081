import { AppsV1Api, BatchV1Api, CoreV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { OwnerKind } from './pod-facts';

/** How to list, watch and read one resource, cluster-wide or in one namespace. */
export interface ResourceSpec {
  /** Plural resource name, as RBAC and logs call it. */
  readonly resource: string;
  readonly namespaced: boolean;
  path(namespace?: string): string;
  list(namespace?: string): Promise<KubernetesListObject<KubernetesObject>>;
  read(namespace: string, name: string): Promise<KubernetesObject>;
}

export type ResourceName = 'pods' | 'namespaces' | 'serviceaccounts' | 'replicasets' | 'deployments' | 'statefulsets' | 'daemonsets' | 'jobs' | 'cronjobs';

export const RESOURCE_OF_KIND: Record<OwnerKind, ResourceName> = {
  ReplicaSet: 'replicasets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

type AnyList = Promise<KubernetesListObject<KubernetesObject>>;
type Reader = (p: { namespace: string; name: string }) => Promise<KubernetesObject>;

function namespaced(resource: string, prefix: string, all: () => AnyList, inNs: (p: { namespace: string }) => AnyList, read: Reader): ResourceSpec {
  return {
    resource,
    namespaced: true,
    path: (ns) => (ns ? `${prefix}/namespaces/${ns}/${resource}` : `${prefix}/${resource}`),
    list: (ns) => (ns ? inNs({ namespace: ns }) : all()),
    read: (namespace, name) => read({ namespace, name }),
  };
}

/** The resources pod-verifier reads, bound to one set of API clients. */
export function makeResources(kc: KubeConfig): Record<ResourceName, ResourceSpec> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const b = <F>(f: F, self: object): F => (f as unknown as (...a: unknown[]) => unknown).bind(self) as F;
  return {
    pods: namespaced('pods', '/api/v1', b(core.listPodForAllNamespaces, core), b(core.listNamespacedPod, core), b(core.readNamespacedPod, core)),
    namespaces: {
      resource: 'namespaces',
      namespaced: false,
      path: () => '/api/v1/namespaces',
      list: () => core.listNamespace(),
      read: (_ns, name) => core.readNamespace({ name }),
    },
    serviceaccounts: namespaced(
      'serviceaccounts',
      '/api/v1',
      b(core.listServiceAccountForAllNamespaces, core),
      b(core.listNamespacedServiceAccount, core),
      b(core.readNamespacedServiceAccount, core),
    ),
    replicasets: namespaced('replicasets', '/apis/apps/v1', b(apps.listReplicaSetForAllNamespaces, apps), b(apps.listNamespacedReplicaSet, apps), b(apps.readNamespacedReplicaSet, apps)),
    deployments: namespaced('deployments', '/apis/apps/v1', b(apps.listDeploymentForAllNamespaces, apps), b(apps.listNamespacedDeployment, apps), b(apps.readNamespacedDeployment, apps)),
    statefulsets: namespaced('statefulsets', '/apis/apps/v1', b(apps.listStatefulSetForAllNamespaces, apps), b(apps.listNamespacedStatefulSet, apps), b(apps.readNamespacedStatefulSet, apps)),
    daemonsets: namespaced('daemonsets', '/apis/apps/v1', b(apps.listDaemonSetForAllNamespaces, apps), b(apps.listNamespacedDaemonSet, apps), b(apps.readNamespacedDaemonSet, apps)),
    jobs: namespaced('jobs', '/apis/batch/v1', b(batch.listJobForAllNamespaces, batch), b(batch.listNamespacedJob, batch), b(batch.readNamespacedJob, batch)),
    cronjobs: namespaced('cronjobs', '/apis/batch/v1', b(batch.listCronJobForAllNamespaces, batch), b(batch.listNamespacedCronJob, batch), b(batch.readNamespacedCronJob, batch)),
  };
}
