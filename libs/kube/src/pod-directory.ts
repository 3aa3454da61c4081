import type { NamespaceFacts, OwnerFacts, OwnerKind, PodFacts, ServiceAccountFacts } from './pod-facts';

/** Called when a pod disappears from the cluster. */
export type PodDeletedListener = (uid: string, namespace: string, name: string) => void;

/**
 * Read access to pods and the objects around them. Each get resolves
 * undefined when the object does not exist, and throws
 * DependencyUnavailableError (K8S_UNAVAILABLE, K8S_FORBIDDEN) when the API
 * server cannot answer.
 */
export interface PodDirectory {
  /** `fresh` skips the cache, e.g. to confirm a uid mismatch against the API server. */
  getPod(namespace: string, name: string, opts?: { fresh?: boolean }): Promise<PodFacts | undefined>;
  getOwner(namespace: string, kind: OwnerKind, name: string): Promise<OwnerFacts | undefined>;
  getNamespace(name: string): Promise<NamespaceFacts | undefined>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccountFacts | undefined>;
  /** Returns a function that unsubscribes. */
  onPodDeleted(listener: PodDeletedListener): () => void;
}

/**
 * What the informer cache alone says about pods, never an API read: for
 * liveness checks on every token use and for reconciling revocations.
 */
export interface PodCache {
  /** True once the pod informers have finished their first list (owners' informers do not matter here). */
  readonly podsSynced: boolean;
  /** Whether the cache holds this pod with this uid. */
  hasPod(namespace: string, name: string, uid: string): boolean;
  /** The uids of every cached pod. */
  podUids(): Set<string>;
  /** Whether pods of this namespace are watched. */
  watches(namespace: string): boolean;
  /** Called after each pod informer (re)start has listed into the cache. Returns a function that unsubscribes. */
  onPodsListed(listener: () => void): () => void;
}
