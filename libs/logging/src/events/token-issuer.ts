import type { EventSpec } from './event';

/** Events of token-issuer and of the Redis stores (@podid/redis-stores). */
export const tokenIssuerEvents = {
  TOKEN_ISSUED: { level: 'info', meaning: 'An access token was signed (fields: host_id, pod_uid, jti, kid, exp).' },
  TOKEN_ISSUE_REVOKED: {
    level: 'warn',
    meaning: 'Issue was refused because the host or the pod uid is revoked.',
    fix: 'Expected after a revocation or a pod deletion; if not, find the Revoke call with the same host_id or pod_uid.',
  },
  TOKEN_REVOKED: { level: 'info', meaning: 'A revocation was stored (fields: target kind, until).' },
  TOKEN_INTROSPECT_INACTIVE: { level: 'info', meaning: 'Introspect answered active=false (field reason: bad signature, expired, revoked, unknown kid...).' },
  TOKEN_KEY_GENERATED: { level: 'info', meaning: 'A new signing key was generated and published; it signs after the propagation delay (field kid).' },
  TOKEN_KEY_ACTIVATED: { level: 'info', meaning: 'A published signing key became the active key (field kid); the previous key is retiring.' },
  TOKEN_KEY_RETIRED: { level: 'info', meaning: 'A retired signing key left the JWKS: every token it signed has expired (field kid).' },
  TOKEN_KEYS_LOADED: { level: 'info', meaning: 'Signing keys were loaded from the key store at start (fields: store, keys).' },
  TOKEN_KEY_ROTATION_FAILED: {
    level: 'error',
    meaning: 'The rotation task could not load, advance or save the key ring; the current key keeps signing.',
    fix: 'Check the key store (PODID_TOKEN_KEYS_DIR permissions, or the Secret and RBAC for PODID_TOKEN_KEYS_SECRET_NAMESPACE).',
  },
  REDIS_UNAVAILABLE: {
    level: 'error',
    meaning: 'Redis cannot be reached; revocation checks fail closed (UNAVAILABLE).',
    fix: 'Check REDIS_URL, the Redis server (or Sentinel/Cluster) and the network; the client reconnects by itself.',
  },
  // RATE_LIMIT_FALLBACK is defined in gateway.ts; the fallback limiter logs it.
  RATE_LIMIT_RECOVERED: { level: 'info', meaning: 'Redis answers again: rate limits hold across replicas again.' },
} as const satisfies Record<string, EventSpec>;
