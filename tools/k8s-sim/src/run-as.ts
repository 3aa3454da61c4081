import { findContainer, podSpec } from './pod-spec';
import type { RunAs } from './sandbox';
import type { K8sObject } from './types';

interface SecurityContext {
  runAsUser?: unknown;
  runAsGroup?: unknown;
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** The uid/gid a container's processes (and exec) run as: the container's securityContext, else the pod's; root when unset. */
export function runAsOf(pod: K8sObject, container: string): RunAs | undefined {
  const podSc = ((podSpec(pod) as { securityContext?: SecurityContext }).securityContext ?? {}) as SecurityContext;
  const cSc = ((findContainer(pod, container) as { securityContext?: SecurityContext } | undefined)?.securityContext ?? {}) as SecurityContext;
  const uid = int(cSc.runAsUser) ?? int(podSc.runAsUser) ?? 0;
  const gid = int(cSc.runAsGroup) ?? int(podSc.runAsGroup) ?? 0;
  return uid === 0 && gid === 0 ? undefined : { uid, gid };
}
