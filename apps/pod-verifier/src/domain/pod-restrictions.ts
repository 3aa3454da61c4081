import type { NamespaceFacts, OwnerFacts, OwnerRef, PodFacts, ServiceAccountFacts } from '@podid/kube';

/** What policy requires of a pod. Empty strings are not checked. */
export interface PodRestrictions {
  readonly namespace: string;
  readonly namespaceLabelSelector: string;
  readonly serviceAccount: string;
  readonly pod: string;
  readonly deployment: string;
  readonly statefulSet: string;
  readonly daemonSet: string;
  readonly job: string;
  readonly cronJob: string;
  readonly podLabelSelector: string;
}

/** A VerifyPod request in domain terms. */
export interface PodCheckRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly restrictions: PodRestrictions;
  readonly containerName: string;
  /** When set, the pod must have this uid. */
  readonly expectedUid?: string;
}

/** One hop of a pod's controller chain: the reference, and the object it names if it exists. */
export interface OwnerLink {
  readonly ref: OwnerRef;
  readonly object?: OwnerFacts;
}

/** Everything fetched about a pod before it is checked. */
export interface PodCheckFacts {
  readonly pod?: PodFacts;
  /** Fetched only when a namespace label selector is set. */
  readonly namespace?: NamespaceFacts;
  /** Fetched only when a service-account restriction is set. */
  readonly serviceAccount?: ServiceAccountFacts;
  /** Controller chain from the pod upwards, at most two hops. */
  readonly owners: readonly OwnerLink[];
}

/** The identity of a pod that passed every check. */
export interface VerifiedPod {
  readonly uid: string;
  readonly serviceAccount: string;
  readonly podIP: string;
}

/** Whether any restriction names an owner. */
export function needsOwners(r: PodRestrictions): boolean {
  return Boolean(r.deployment || r.statefulSet || r.daemonSet || r.job || r.cronJob);
}
