import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PodFs } from './pod-fs';
import { podSpec } from './pod-spec';
import { writeProjectedFile } from './pod-volumes';
import { resourceByName } from './resources';
import type { ObjectStore } from './store';
import type { ServiceAccountTokens } from './token-request';
import { API_AUDIENCES } from './tokens';
import type { K8sObject } from './types';

const SERVICE_ACCOUNTS = resourceByName('serviceaccounts');
const CONFIG_MAPS = resourceByName('configmaps');
/** Where the ServiceAccount admission plugin mounts a pod's API credentials. */
export const SA_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap the root-ca-cert-publisher keeps in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The token the admission plugin projects lives 3607 s (the kubelet refreshes it). */
const SA_TOKEN_TTL_S = 3607;

type Dict = Record<string, unknown>;

interface ProjectedSource {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path?: string };
  configMap?: { name?: string; items?: Array<{ key?: string; path?: string }>; optional?: boolean };
  downwardAPI?: { items?: Array<{ path?: string; fieldRef?: { fieldPath?: string } }> };
}

/**
 * The ServiceAccount admission plugin, for pods created over the API: unless the pod or its service account sets
 * automountServiceAccountToken: false, a projected `kube-api-access-*` volume (token, ca.crt, namespace) is added and
 * mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container.
 */
export function admitServiceAccountVolume(store: ObjectStore, pod: K8sObject): void {
  const spec = (pod['spec'] ?? {}) as Dict;
  const saName = String(spec['serviceAccountName'] ?? spec['serviceAccount'] ?? 'default');
  const sa = store.get(SERVICE_ACCOUNTS, pod.metadata.namespace, saName);
  const automount = spec['automountServiceAccountToken'] ?? sa?.['automountServiceAccountToken'] ?? true;
  if (automount === false) return;
  const containers = [...((spec['containers'] as Dict[] | undefined) ?? []), ...((spec['initContainers'] as Dict[] | undefined) ?? [])];
  if (containers.some((c) => ((c['volumeMounts'] as Dict[] | undefined) ?? []).some((m) => m['mountPath'] === SA_MOUNT_PATH))) return;
  const name = `kube-api-access-${randomBytes(4).toString('hex').slice(0, 5)}`;
  const sources: ProjectedSource[] = [
    { serviceAccountToken: { expirationSeconds: SA_TOKEN_TTL_S, path: 'token' } },
    { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
  ];
  spec['volumes'] = [...((spec['volumes'] as Dict[] | undefined) ?? []), { name, projected: { defaultMode: 0o644, sources } }];
  for (const c of containers) c['volumeMounts'] = [...((c['volumeMounts'] as Dict[] | undefined) ?? []), { name, readOnly: true, mountPath: SA_MOUNT_PATH }];
}

function fieldOf(pod: K8sObject, path: string | undefined): string | undefined {
  const m = pod.metadata;
  return path === 'metadata.namespace' ? m.namespace : path === 'metadata.name' ? m.name : path === 'metadata.uid' ? m.uid : undefined;
}

/**
 * Writes a pod's projected ConfigMap and downward-API files, and any of its projected tokens that are missing
 * (ProjectedTokens keeps the tokens of running containers fresh), so that exec sees what a container would.
 */
export function writeProjectedVolumes(podFs: PodFs, store: ObjectStore, tokens: ServiceAccountTokens, pod: K8sObject): void {
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of podSpec(pod).volumes ?? []) {
    const sources = (v.projected?.sources ?? []) as ProjectedSource[];
    if (!v.name || !sources.length) continue;
    const dir = podFs.volumeDir(ns, pod.metadata.name ?? '', v.name);
    for (const s of sources) {
      if (s.configMap) {
        const data = (store.get(CONFIG_MAPS, ns, s.configMap.name ?? '')?.['data'] ?? {}) as Record<string, string>;
        const items = s.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
        for (const it of items) if (it.key && data[it.key] !== undefined) writeProjectedFile(dir, it.path ?? it.key, data[it.key] ?? '');
      }
      for (const it of s.downwardAPI?.items ?? []) {
        const value = fieldOf(pod, it.fieldRef?.fieldPath);
        if (it.path && value !== undefined) writeProjectedFile(dir, it.path, value);
      }
      const t = s.serviceAccountToken;
      if (t && !existsSync(join(dir, t.path ?? 'token'))) {
        const issued = tokens.issue({
          namespace: ns,
          serviceAccount: podSpec(pod).serviceAccountName ?? 'default',
          audiences: t.audience ? [t.audience] : API_AUDIENCES,
          expirationSeconds: t.expirationSeconds ?? 3600,
          pod: { name: pod.metadata.name ?? '', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        });
        writeProjectedFile(dir, t.path ?? 'token', issued.token);
      }
    }
  }
}
