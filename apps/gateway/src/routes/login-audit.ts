import { PodidError } from '@podid/errors';
import type { EventCode } from '@podid/logging';
import type { GatewayDeps } from '../gateway-deps';

/** Stable code of a failed login: the typed error's code, or `INTERNAL` for a bug. */
export function failureCode(err: unknown): string {
  return err instanceof PodidError ? err.code : 'INTERNAL';
}

/**
 * Writes the audit line of a login decision (who, what, pod, result, code;
 * the request id comes from the logger's context) and, on failure, the AUTHN_*
 * line naming the exact check. Never material: serials and fingerprints only.
 */
export function auditLogin(deps: GatewayDeps, event: EventCode, fields: Record<string, unknown>, err?: unknown): void {
  if (err === undefined) {
    deps.log.event(event, { ...fields, result: 'success' });
    deps.audit.append(event, 'success', fields);
    return;
  }
  const code = failureCode(err);
  const kind = err instanceof PodidError ? err.kind : 'internal';
  const reason = err instanceof PodidError ? err.message : 'unexpected error (see HTTP_INTERNAL_ERROR)';
  deps.log.event(event, { ...fields, result: 'failure', code, kind, reason });
  deps.audit.append(event, 'failure', { ...fields, code, kind, reason });
  if (!(err instanceof PodidError)) return;
  const own: Record<string, EventCode> = {
    AUTHN_CERT_MISSING: 'AUTHN_CERT_MISSING',
    AUTHN_CERT_UNTRUSTED: 'AUTHN_CERT_UNTRUSTED',
    AUTHN_CERT_EXPIRED: 'AUTHN_CERT_EXPIRED',
    AUTHN_CN_MISMATCH: 'AUTHN_CN_MISMATCH',
    AUTHN_SAN_INVALID: 'AUTHN_SAN_INVALID',
    AUTHN_CLUSTER_MISMATCH: 'AUTHN_CLUSTER_MISMATCH',
    AUTHN_CERT_USAGE: 'AUTHN_CERT_USAGE',
    AUTHN_ACCOUNT_MISMATCH: 'AUTHN_ACCOUNT_MISMATCH',
    AUTHN_LOGIN_INVALID: 'AUTHN_LOGIN_INVALID',
    AUTHN_JWT_BINDING_MISMATCH: 'AUTHN_JWT_BINDING_MISMATCH',
    AUTHN_JWT_HOST_UNBOUND: 'AUTHN_JWT_HOST_UNBOUND',
  };
  const denial = ['unauthenticated', 'permission_denied', 'not_found', 'failed_precondition', 'aborted'].includes(err.kind);
  if (own[code]) deps.log.event(own[code], { ...fields, reason });
  else if (denial) deps.log.event('AUTHN_UPSTREAM_DENIED', { ...fields, upstream_code: code, kind: err.kind, reason });
}
