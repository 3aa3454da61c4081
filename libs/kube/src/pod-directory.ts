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
