import { KubeConfig } from '@kubernetes/client-node';

/** How podid reaches the API server. */
export type KubeCredentialSource = 'in-cluster' | 'kubeconfig-token' | 'kubeconfig-client-cert' | 'kubeconfig-other';

/**
 * Loads credentials: the kubeconfig file at `kubeconfigPath` when given
 * (bearer token or client certificate), else the pod's in-cluster service
 * account. Throws with the file name when the kubeconfig cannot be used.
 */
export function loadKubeConfig(kubeconfigPath: string | undefined): { kc: KubeConfig; source: KubeCredentialSource } {
  const kc = new KubeConfig();
  if (!kubeconfigPath) {
    kc.loadFromCluster();
    return { kc, source: 'in-cluster' };
  }
  try {
    kc.loadFromFile(kubeconfigPath);
  } catch (e) {
    throw new Error(`KUBECONFIG=${JSON.stringify(kubeconfigPath)}: cannot load kubeconfig (${(e as Error).message})`);
  }
  const user = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster();
  if (!user || !cluster) throw new Error(`KUBECONFIG=${JSON.stringify(kubeconfigPath)}: no current context with a user and a cluster`);
  const source: KubeCredentialSource = user.certData || user.certFile ? 'kubeconfig-client-cert' : user.token ? 'kubeconfig-token' : 'kubeconfig-other';
  return { kc, source };
}
