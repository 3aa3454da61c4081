import type { EventSpec } from './event';

/** Events of the platform gRPC API (podid.platform.v1), served by the gateway on PODID_PLATFORM_PORT. */
export const platformApiEvents = {
  PLATFORM_API_LISTENING: { level: 'info', meaning: 'The platform gRPC API is listening (TLS, client certificates requested, reflection and health on the same port).' },
  AUDIT_PLATFORM_CALL: {
    level: 'info',
    meaning: 'Audit: a platform API call was decided; `caller` is the host (or `unauthenticated`), `method` the RPC, `via` cert or token, `result` success or failure, `code` the stable code.',
  },
  PLATFORM_CALLER_INVALID: {
    level: 'info',
    meaning: 'A platform API caller could not be authenticated (no identity, a certificate that fails the login checks, a revoked host or pod, an inactive token); `code` says which check.',
    fix: 'Send a podid access token as `authorization: Bearer <jwt>`, or a podid client certificate with metadata podid-authenticator and podid-host (docs/api.md, Platform gRPC API).',
  },
  POD_EXPLAINED: { level: 'info', meaning: 'pod-verifier ran every pod check for ExplainLogin (nothing signed or written); `failed` lists the codes of the checks the pod fails.' },
  PLATFORM_INTERNAL_ERROR: { level: 'error', meaning: 'A platform API call failed with an unexpected error; details are under logId.', fix: 'This is a bug: report it with the log line.' },
  PLATFORM_AUDIT_CLIENT_DROPPED: {
    level: 'warn',
    meaning: 'A WatchAudit client did not read fast enough and its buffer filled; the stream ended with RESOURCE_EXHAUSTED (AUDIT_CLIENT_SLOW).',
    fix: 'The client resumes from the last id it received (after_id); make it read faster or give it more bandwidth.',
  },
  PLATFORM_AUDIT_WRITE_FAILED: {
    level: 'warn',
    meaning: 'An audit event could not be appended to the Redis audit stream by the gateway or token-issuer (WatchAudit misses it; the log line of the event is still written).',
    fix: "Restore Redis (REDIS_URL); the gateway's metric podid_gateway_audit_stream_errors_total counts its failures.",
  },
} as const satisfies Record<string, EventSpec>;
