import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { PodFs } from './pod-fs';
import { findContainer, podSpec, type VolumeSpec } from './pod-spec';
import type { Bind } from './sandbox';
import type { K8sObject } from './types';

/** A volume kind the simulator backs with a host folder. */
const isBacked = (v: VolumeSpec): boolean => v.emptyDir !== undefined || v.projected !== undefined;

/**
 * Host folders bound at a container's volumeMounts: `<stateDir>/pods/<ns>/<pod>/.volumes/<name>/`, shared by the
 * pod's containers and by exec. Mounts of volumes the simulator does not back are left out.
 */
export function volumeBinds(podFs: PodFs, pod: K8sObject, container: string): Bind[] {
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const volumes = new Map((podSpec(pod).volumes ?? []).filter(isBacked).map((v) => [v.name ?? '', v]));
  const binds: Bind[] = [];
  for (const m of findContainer(pod, container)?.volumeMounts ?? []) {
    const v = volumes.get(m.name ?? '');
    if (!v?.name || typeof m.mountPath !== 'string' || !isAbsolute(m.mountPath)) continue;
    const hostPath = podFs.volumeDir(ns, name, v.name);
    mkdirSync(hostPath, { recursive: true });
    // projected volumes are read-only in Kubernetes whatever the mount says
    binds.push({ hostPath, path: normalize(m.mountPath), readOnly: m.readOnly === true || v.projected !== undefined });
  }
  return binds;
}

/** Empties the pod's emptyDir volumes: a new pod (uid) starts with fresh ones. */
export function resetVolumes(podFs: PodFs, pod: K8sObject): void {
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of podSpec(pod).volumes ?? []) {
    if (!v.name || !isBacked(v)) continue;
    const dir = podFs.volumeDir(ns, pod.metadata.name ?? '', v.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
}

/** Writes `content` at `dir/rel` atomically (temp file + rename), as the kubelet's atomic writer does. */
export function writeProjectedFile(dir: string, rel: string, content: string): void {
  const target = join(dir, normalize(rel));
  if (!target.startsWith(`${dir}/`)) throw new Error(`projected path ${JSON.stringify(rel)} leaves its volume`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o644 });
  renameSync(tmp, target);
}
