import type { K8sObject } from './types';

/** The parts of a pod spec the simulated kubelet reads. */
export interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath?: string };
    configMapKeyRef?: { name?: string; key?: string; optional?: boolean };
    secretKeyRef?: { name?: string; key?: string; optional?: boolean };
  };
}

export interface VolumeMount {
  name?: string;
  mountPath?: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  name?: string;
  image?: string;
  env?: EnvVar[];
  volumeMounts?: VolumeMount[];
}

export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path?: string;
}

export interface VolumeSpec {
  name?: string;
  emptyDir?: Record<string, unknown>;
  projected?: { sources?: Array<{ serviceAccountToken?: ServiceAccountTokenProjection }> };
}

export interface PodSpec {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: VolumeSpec[];
  restartPolicy?: string;
  serviceAccountName?: string;
  nodeName?: string;
}

export const podSpec = (pod: K8sObject): PodSpec => (pod['spec'] ?? {}) as PodSpec;

/** The container spec named `name` (regular or init), if any. */
export function findContainer(pod: K8sObject, name: string): ContainerSpec | undefined {
  const spec = podSpec(pod);
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c) => c.name === name);
}
