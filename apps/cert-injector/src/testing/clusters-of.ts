import type { ClusterLookup } from '@podid/kube';
import { DEFAULT_TRUST_DOMAIN } from '@podid/spiffe';
import type { ContainerExec } from '../container-exec';

/** ClusterSet.lookup over fixed clusters, for CertInjector in tests. */
export function clustersOf(clusters: Record<string, { exec: ContainerExec; trustDomain?: string }>) {
  return (name: string | undefined): ClusterLookup<{ exec: ContainerExec }> => {
    const names = Object.keys(clusters);
    const picked = name ?? (names.length === 1 ? names[0] : undefined);
    const c = picked === undefined ? undefined : clusters[picked];
    if (!c || picked === undefined) return { ok: false, reason: `cluster "${name ?? ''}" is not declared (declared: ${names.join(', ')})` };
    return { ok: true, decl: { name: picked, trustDomain: c.trustDomain ?? DEFAULT_TRUST_DOMAIN, credentials: { kind: 'in-cluster' } }, value: { exec: c.exec } };
  };
}

/** The one cluster `default` of a cert-injector without a clusters file. */
export const defaultCluster = (exec: ContainerExec, trustDomain = DEFAULT_TRUST_DOMAIN) => clustersOf({ default: { exec, trustDomain } });
