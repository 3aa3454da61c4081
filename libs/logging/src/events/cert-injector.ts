import type { EventSpec } from './event';

/** Events of cert-injector. Certificates appear only as serial and sha256 fingerprint. */
export const certInjectorEvents = {
  CERT_INJECTED: { level: 'info', meaning: 'A certificate was written atomically to /etc/conjur/ssl/client.pem in the named container.' },
  CERT_TARGET_MISMATCH: {
    level: 'warn',
    meaning: 'Refused to inject: the certificate SANs (SPIFFE id, pod uid, cluster) do not name the target pod in the target `cluster` and its trust domain; nothing was written.',
    fix: 'A caller asked to write one pod\'s certificate into another pod. Check the gateway and ca-signer logs with the same request_id.',
  },
  CERT_INJECT_FAILED: {
    level: 'warn',
    meaning: 'An injection failed; `code` says why (EXEC_FAILED, EXEC_TIMEOUT, EXEC_QUEUE_TIMEOUT, K8S_FORBIDDEN, K8S_UNAVAILABLE, POD_NOT_FOUND, CONTAINER_NOT_FOUND).',
    fix: 'EXEC_FAILED: /etc/conjur/ssl must be writable by the container user and the image needs sh, cat, chmod, mv, mkdir, rm. K8S_FORBIDDEN: grant create and get on pods/exec.',
  },
  EXEC_RETRY: { level: 'info', meaning: 'An exec could not start (connection error or API 5xx) and is being retried; the command had not run.' },
  EXEC_QUEUE_FULL: {
    level: 'warn',
    meaning: 'Every exec slot is busy and the wait queue is full; the request was refused with RESOURCE_EXHAUSTED.',
    fix: 'Raise PODID_EXEC_CONCURRENCY or PODID_EXEC_QUEUE, or add cert-injector replicas; check the Kubernetes API latency.',
  },
  KUBE_API_REACHABLE: { level: 'info', meaning: 'The Kubernetes API of `cluster` answered GET /version; the cluster counts as ready.' },
  KUBE_API_UNREACHABLE: {
    level: 'warn',
    meaning: 'The Kubernetes API of `cluster` did not answer GET /version; the service is not ready until every cluster has answered, or, after PODID_CLUSTER_SYNC_GRACE_MS, one has.',
    fix: 'Check KUBECONFIG (or the in-cluster service account, or the cluster\'s entry in PODID_CLUSTERS_FILE), the API address and network policies.',
  },
} as const satisfies Record<string, EventSpec>;
