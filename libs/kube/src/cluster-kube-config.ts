import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterDeclaration } from '@podid/policy-model';
import { loadKubeConfig, type KubeCredentialSource } from './load-kube-config';

/**
 * A client for one declared cluster. Token and client-certificate forms name files (a mounted Secret), which
 * are read here; a missing or unreadable file throws with the cluster's name and the path, never the content.
 */
export function clusterKubeConfig(decl: ClusterDeclaration): { kc: KubeConfig; source: KubeCredentialSource } {
  const c = decl.credentials;
  try {
    if (c.kind === 'in-cluster') return loadKubeConfig(undefined);
    if (c.kind === 'kubeconfig') return loadKubeConfig(c.kubeconfig);
  } catch (e) {
    throw new Error(`cluster "${decl.name}": ${(e as Error).message}`);
  }
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cluster "${decl.name}": cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const cluster = { name: decl.name, server: c.server, caData: Buffer.from(read('caFile', c.caFile)).toString('base64'), skipTLSVerify: false };
  const user =
    c.kind === 'token'
      ? { name: decl.name, token: read('tokenFile', c.tokenFile).trim() }
      : { name: decl.name, certData: Buffer.from(read('clientCertFile', c.clientCertFile)).toString('base64'), keyData: Buffer.from(read('clientKeyFile', c.clientKeyFile)).toString('base64') };
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: [user], contexts: [{ name: decl.name, cluster: decl.name, user: decl.name }], currentContext: decl.name });
  return { kc, source: c.kind === 'token' ? 'kubeconfig-token' : 'kubeconfig-client-cert' };
}
