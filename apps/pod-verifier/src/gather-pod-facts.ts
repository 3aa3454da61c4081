import { controllerOf, OWNER_KINDS, type OwnerKind, type OwnerRef, type PodDirectory } from '@podid/kube';
import { needsOwners, type OwnerLink, type PodCheckFacts, type PodCheckRequest } from './domain/pod-restrictions';

/** Pod -> ReplicaSet -> Deployment and Pod -> Job -> CronJob are the longest chains we check. */
const MAX_OWNER_HOPS = 2;

const isOwnerKind = (kind: string): kind is OwnerKind => (OWNER_KINDS as readonly string[]).includes(kind);

/**
 * Fetches what verifyPod needs, and only that: the namespace and service
 * account only when a restriction names them, owners only when one is set.
 */
export async function gatherPodFacts(dir: PodDirectory, req: PodCheckRequest): Promise<PodCheckFacts> {
  let pod = await dir.getPod(req.namespace, req.pod);
  // The cache may lag a recreate: confirm a uid mismatch with the API server before refusing.
  if (pod && req.expectedUid && pod.uid !== req.expectedUid) pod = await dir.getPod(req.namespace, req.pod, { fresh: true });
  if (!pod) return { owners: [] };
  const r = req.restrictions;
  const [namespace, serviceAccount, owners] = await Promise.all([
    r.namespaceLabelSelector ? dir.getNamespace(req.namespace) : undefined,
    r.serviceAccount ? dir.getServiceAccount(req.namespace, r.serviceAccount) : undefined,
    needsOwners(r) ? ownerChain(dir, req.namespace, pod.ownerRefs) : [],
  ]);
  return { pod, namespace, serviceAccount, owners };
}

async function ownerChain(dir: PodDirectory, namespace: string, refs: readonly OwnerRef[]): Promise<OwnerLink[]> {
  const chain: OwnerLink[] = [];
  let ref = controllerOf(refs);
  while (ref && chain.length < MAX_OWNER_HOPS) {
    const object = isOwnerKind(ref.kind) ? await dir.getOwner(namespace, ref.kind, ref.name) : undefined;
    chain.push({ ref, object });
    ref = object ? controllerOf(object.ownerRefs) : undefined;
  }
  return chain;
}
