import type { EventSpec } from './event';

/**
 * Audit events: one line per security decision, with who (host id, client
 * ip), what (operation), pod, result, stable code and the request id. Never
 * keys, tokens, CSRs or certificate PEMs: fingerprints and serials only.
 */
export const auditEvents = {
  AUDIT_INJECT_CLIENT_CERT: { level: 'info', meaning: 'Audit: a certificate login (inject_client_cert) was decided; `result` is success or failure, `code` the check.' },
  AUDIT_AUTHENTICATE: { level: 'info', meaning: 'Audit: an authn-k8s (mTLS) authentication was decided; `result` is success or failure, `code` the check.' },
  AUDIT_AUTHENTICATE_JWT: { level: 'info', meaning: 'Audit: an authn-jwt (service-account token) authentication was decided.' },
  AUDIT_TOKEN_REVOKE: { level: 'info', meaning: 'Audit: a token revocation was requested; `target` says what was revoked.' },
  AUDIT_TOKEN_INTROSPECT: { level: 'info', meaning: 'Audit: a token introspection was answered (the token itself is never logged).' },
  AUDIT_STATUS: { level: 'info', meaning: 'Audit: an authenticator status check was requested.' },
} as const satisfies Record<string, EventSpec>;
