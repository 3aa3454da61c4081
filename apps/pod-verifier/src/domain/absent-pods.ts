/** A pod that token-issuer says holds unexpired tokens. */
export interface TokenHoldingPod {
  readonly namespace: string;
  readonly podUid: string;
}

/**
 * The token-holding pods that the cache no longer has: deleted while nobody
 * watched. Pods of namespaces this pod-verifier does not watch are left to
 * the pod-verifier that does.
 */
export function absentPods<T extends TokenHoldingPod>(live: readonly T[], present: ReadonlySet<string>, watches: (namespace: string) => boolean): T[] {
  return live.filter((p) => watches(p.namespace) && !present.has(p.podUid));
}
