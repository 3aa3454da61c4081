import { CertWaitTimeoutError, JwtFileError, LoginError, RequestTimeoutError, ServerStatusError, TokenFileError } from './client-errors';

/** The class of a failure, as operators filter on it (`cause` in CAKC015/CAKC016). */
export type FailureCause =
  | 'http_status'
  | 'dns'
  | 'tls'
  | 'connection_refused'
  | 'connection_reset'
  | 'timeout'
  | 'cert_wait_timeout'
  | 'token_file'
  | 'jwt_file'
  | 'unknown';

/** Log fields that name the cause of one failed attempt. Never holds key material. */
export interface FailureDescription {
  readonly cause: FailureCause;
  readonly detail: string;
  readonly status?: number;
  readonly error_code?: string;
  readonly request_id?: string;
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** OpenSSL verify codes Node reports on a server certificate it does not trust. */
const TLS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE', 'CERT_REVOKED', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'INVALID_CA', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Names the cause of a failed login or authenticate attempt: server status
 * with its error code and request id, DNS, TLS verification, refused
 * connection, timeout, a missing certificate, or a file problem.
 */
export function describeFailure(err: unknown): FailureDescription {
  if (err instanceof LoginError) return describeFailure(err.cause);
  if (err instanceof ServerStatusError) {
    return { cause: 'http_status', detail: err.message, status: err.status, error_code: err.errorCode, request_id: err.requestId };
  }
  if (err instanceof CertWaitTimeoutError) return { cause: 'cert_wait_timeout', detail: err.message };
  if (err instanceof TokenFileError) return { cause: 'token_file', detail: err.message };
  if (err instanceof JwtFileError) return { cause: 'jwt_file', detail: err.message };
  if (err instanceof RequestTimeoutError) return { cause: 'timeout', detail: err.message };
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === undefined) return { cause: 'unknown', detail: message };
  const detail = `${code}: ${message}`;
  if (DNS.has(code)) return { cause: 'dns', detail };
  if (REFUSED.has(code)) return { cause: 'connection_refused', detail };
  if (RESET.has(code)) return { cause: 'connection_reset', detail };
  if (TIMEOUT.has(code)) return { cause: 'timeout', detail };
  if (TLS.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return { cause: 'tls', detail };
  return { cause: 'unknown', detail };
}
