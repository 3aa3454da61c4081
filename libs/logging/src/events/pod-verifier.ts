import type { EventSpec } from './event';

/** Events of pod-verifier. */
export const podVerifierEvents = {
  K8S_INFORMER_SYNCED: { level: 'info', meaning: 'An informer finished its initial list; its cache answers from now on.' },
  K8S_INFORMER_ERROR: {
    level: 'warn',
    meaning: 'An informer of `cluster` lost its list or watch; it restarts with backoff and that cluster\'s cache may be stale meanwhile.',
    fix: 'Check that the cluster\'s API server is reachable and that RBAC grants list and watch on `resource` (status 403 means an RBAC gap; 401 means the credential is not the cluster\'s).',
  },
  CLUSTER_ADDED: { level: 'info', meaning: 'A cluster of the clusters file is connected (`cluster`, `trust_domain`, `credentials`); its authenticators serve from now on.' },
  CLUSTER_REMOVED: { level: 'info', meaning: 'A cluster left the clusters file; its clients and informers are closed and its authenticators answer 503 k8s_unavailable.' },
  CLUSTER_OPEN_FAILED: {
    level: 'error',
    meaning: 'A declared cluster could not be connected (`reason`); only its authenticators fail, and it is retried at every poll of the clusters file.',
    fix: 'Check the credential files the cluster names (docs/clusters.md) and that they are mounted.',
  },
  CLUSTER_CLOSE_FAILED: {
    level: 'warn',
    meaning: 'Closing a removed or changed cluster\'s clients failed (`reason`); it is dropped anyway.',
    fix: 'Nothing to do for the cluster; report the reason if it repeats, it may leak a connection.',
  },
  CLUSTERS_FILE_INVALID: {
    level: 'error',
    meaning: 'The clusters file changed to something invalid (`problems`, each with its line); the clusters in use stay until it is fixed.',
    fix: 'Fix the lines named; the next poll of the file picks up the fix, without a restart.',
  },
  K8S_CACHE_STALE: {
    level: 'error',
    meaning: 'An informer has failed to list its resource for longer than podid trusts its cache (60 s): it may have missed deletions, so its cluster answers 503 k8s_unavailable until a list succeeds.',
    fix: 'Restore the connection to that cluster\'s API server (see the K8S_INFORMER_ERROR lines before it: status and cause).',
  },
  K8S_CACHE_MISS: { level: 'debug', meaning: 'An object was not in the informer cache; it was read from the API server.' },
  K8S_FORBIDDEN: {
    level: 'error',
    meaning: 'The API server refused a read with 403: the service account lacks a permission.',
    fix: 'Grant the verb on the resource named in the log line (deploy/ ClusterRole of pod-verifier).',
  },
  K8S_UNAVAILABLE: {
    level: 'warn',
    meaning: 'The Kubernetes API server of `cluster` could not be reached; only that cluster\'s requests fail (503 k8s_unavailable).',
    fix: 'Check the API server URL of the cluster (KUBECONFIG, or its entry in PODID_CLUSTERS_FILE), the network and the CA.',
  },
  K8S_CLIENT_CERT_VALID: { level: 'info', meaning: 'The Kubernetes client certificate podid uses for `cluster` is valid beyond the warning threshold (`days_left`, `not_after`).' },
  K8S_CLIENT_CERT_EXPIRING: {
    level: 'warn',
    meaning: 'The Kubernetes client certificate podid uses for `cluster` expires within PODID_K8S_CERT_WARN_DAYS (`days_left`, `not_after`, `subject_cn`); repeated hourly.',
    fix: 'Make a new credential (`podid k8s-credentials create`, docs/kubernetes-access.md), point KUBECONFIG at it and restart the service.',
  },
  K8S_CLIENT_CERT_EXPIRED: {
    level: 'error',
    meaning: 'The Kubernetes client certificate podid uses for `cluster` has expired: every API call to that cluster will be refused with 401.',
    fix: 'Make a new credential (`podid k8s-credentials create`, docs/kubernetes-access.md), point KUBECONFIG at it and restart the service.',
  },
  K8S_CLIENT_CERT_UNREADABLE: {
    level: 'error',
    meaning: 'The client certificate named by the kubeconfig cannot be read or parsed, so its expiry is unknown.',
    fix: 'Check the kubeconfig user\'s client-certificate(-data) (`reason` names the source).',
  },
  POD_VERIFIED: { level: 'info', meaning: 'A pod passed every restriction.' },
  POD_REFUSED: { level: 'info', meaning: 'A pod failed a restriction; `code` names the check and the message says expected vs got.' },
  SA_TOKEN_REVIEWED: { level: 'info', meaning: 'A service-account token was valid and bound to a live pod.' },
  SA_TOKEN_REFUSED: { level: 'info', meaning: 'A service-account token was refused; `code` names the reason.' },
  SA_JWKS_REFRESHED: { level: 'info', meaning: 'The service-account issuer keys were fetched (OIDC discovery + JWKS).' },
  SA_JWKS_FETCH_FAILED: {
    level: 'warn',
    meaning: 'The service-account issuer keys could not be fetched.',
    fix: 'Check PODID_SA_TOKEN_ISSUER, that the API server serves /.well-known/openid-configuration, and that the credentials may read it.',
  },
  POD_DELETED: { level: 'info', meaning: 'A pod was deleted (watch event).' },
  POD_DELETED_TOKENS_REVOKED: { level: 'info', meaning: 'Every access token bound to a deleted pod was revoked.' },
  POD_DELETED_REVOKE_FAILED: {
    level: 'error',
    meaning: 'Revoking the tokens of a deleted pod failed after every retry; the gateway still refuses them (the pod is gone from the cache), and the next reconcile retries.',
    fix: 'Check that token-issuer is reachable (PODID_TOKEN_ISSUER_ADDR); revoke by pod uid through the gateway if needed.',
  },
  POD_RECONCILE_REVOKED: {
    level: 'warn',
    meaning: 'A pod that holds tokens was absent from the informer cache after a (re)list (deleted while nobody watched); its tokens were revoked.',
    fix: 'None needed; check why pod-verifier missed the deletion (it was down, or its watch broke) if it recurs.',
  },
  POD_RECONCILE_REVOKE_FAILED: {
    level: 'error',
    meaning: 'Revoking the tokens of a pod found absent by the reconcile failed after every retry; the next reconcile (each minute) retries.',
    fix: 'Check that token-issuer is reachable (PODID_TOKEN_ISSUER_ADDR).',
  },
  POD_RECONCILE_FAILED: {
    level: 'warn',
    meaning: 'The reconcile of live-token pods against the cache could not list them from token-issuer; it runs again after the next (re)list or minute.',
    fix: 'Check that token-issuer and its Redis are reachable.',
  },
} as const satisfies Record<string, EventSpec>;
