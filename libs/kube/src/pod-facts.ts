/** Kinds that may own a pod, directly or through one hop (ReplicaSet -> Deployment, Job -> CronJob). */
export type OwnerKind = 'ReplicaSet' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

export const OWNER_KINDS: readonly OwnerKind[] = ['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** An ownerReference, as written on the owned object. */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: boolean;
}

/** The facts about a pod that verification needs; nothing else is kept. */
export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Set once deletion has begun. */
  readonly deletionTimestamp?: string;
  readonly phase?: string;
  readonly serviceAccountName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ownerRefs: readonly OwnerRef[];
  readonly containers: readonly string[];
  readonly initContainers: readonly string[];
  readonly podIP: string;
}

/** A fetched owner object (ReplicaSet, Deployment, ...). */
export interface OwnerFacts {
  readonly kind: OwnerKind;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly ownerRefs: readonly OwnerRef[];
}

export interface NamespaceFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ServiceAccountFacts {
  readonly namespace: string;
  readonly name: string;
}

/** The subset of Kubernetes object metadata we read. */
export interface KubeMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  deletionTimestamp?: Date | string;
  labels?: Record<string, string>;
  ownerReferences?: Array<{ kind?: string; name?: string; uid?: string; controller?: boolean }>;
}

interface KubePodLike {
  metadata?: KubeMeta;
  spec?: { serviceAccountName?: string; containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> };
  status?: { phase?: string; podIP?: string };
}

function refsOf(meta: KubeMeta | undefined): OwnerRef[] {
  return (meta?.ownerReferences ?? []).map((r) => ({ kind: r.kind ?? '', name: r.name ?? '', uid: r.uid ?? '', controller: r.controller === true }));
}

function timestamp(t: Date | string | undefined): string | undefined {
  if (t === undefined || t === null) return undefined;
  return t instanceof Date ? t.toISOString() : String(t);
}

/** Maps a V1Pod (client-node object or plain JSON) to the facts verification uses. */
export function toPodFacts(pod: KubePodLike): PodFacts {
  const m = pod.metadata ?? {};
  return {
    namespace: m.namespace ?? '',
    name: m.name ?? '',
    uid: m.uid ?? '',
    deletionTimestamp: timestamp(m.deletionTimestamp),
    phase: pod.status?.phase,
    // An unset serviceAccountName means the namespace's `default` account.
    serviceAccountName: pod.spec?.serviceAccountName || 'default',
    labels: { ...(m.labels ?? {}) },
    ownerRefs: refsOf(m),
    containers: (pod.spec?.containers ?? []).map((c) => c.name ?? ''),
    initContainers: (pod.spec?.initContainers ?? []).map((c) => c.name ?? ''),
    podIP: pod.status?.podIP ?? '',
  };
}

/** Maps an owner object of a known kind. */
export function toOwnerFacts(kind: OwnerKind, obj: { metadata?: KubeMeta }): OwnerFacts {
  const m = obj.metadata ?? {};
  return { kind, namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', ownerRefs: refsOf(m) };
}

export function toNamespaceFacts(obj: { metadata?: KubeMeta }): NamespaceFacts {
  return { name: obj.metadata?.name ?? '', labels: { ...(obj.metadata?.labels ?? {}) } };
}

export function toServiceAccountFacts(obj: { metadata?: KubeMeta }): ServiceAccountFacts {
  return { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

/** The ownerReference with controller=true, if any: the one Kubernetes itself follows. */
export function controllerOf(refs: readonly OwnerRef[]): OwnerRef | undefined {
  return refs.find((r) => r.controller);
}
