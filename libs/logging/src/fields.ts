/**
 * Log field names. podid logs snake_case field names (most fields already
 * were: pod_uid, host_id, request_id), so every `event()` field and child
 * binding is snake_case. Fields that several services log are named here,
 * once, with one meaning and one type, so an operator can join the lines of
 * different services on them.
 */
export interface SharedLogFields {
  /** Set by the logger from the request context; every service logs it. */
  request_id: string;
  /** An authenticator's service id, e.g. `dev-cluster`. */
  service_id: string;
  /** Host id without the `host/` prefix. */
  host_id: string;
  spiffe_id: string;
  namespace: string;
  pod: string;
  /** Kubernetes pod uid (lowercase UUID). */
  pod_uid: string;
  container: string;
  cert_serial: string;
  /** Full hex sha256 of the CSR's DER (`derSha256` in libs/x509), in the gateway's audit and in ca-signer's CERT_ISSUED. */
  csr_sha256: string;
  /** Full hex sha256 of a certificate's DER (`derSha256`). */
  cert_sha256: string;
  not_after: string;
  /** The listening ports a service logs in SERVICE_READY. */
  grpc_port: number;
  ops_port: number;
  /** A cluster of the clusters file (`default` without one): every line about one cluster's Kubernetes API names it. */
  cluster: string;
  /** Where Kubernetes credentials came from (a KubeCredentialSource). */
  kube_credentials: string;
  /** A stable error code (docs/troubleshooting.md). */
  code: string;
  reason: string;
  duration_ms: number;
}

/** What `Logger.event` takes: any snake_case fields, and the shared ones with their types. */
export type LogFields = Partial<SharedLogFields> & Record<string, unknown>;

/** The naming rule of log fields: lowercase words joined by `_`. */
export function isLogFieldName(name: string): boolean {
  return /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(name);
}
