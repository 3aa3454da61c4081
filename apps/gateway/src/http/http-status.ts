import { PodidError, ResourceExhaustedError, type ErrorKind } from '@podid/errors';

/**
 * The one table from error kind to HTTP status, with Conjur's per-route
 * exceptions beside it (STYLE rule 14). `login` routes (inject_client_cert,
 * authenticate) answer every denial with the same 401 (STYLE rule 15);
 * `api` routes say 403 for a missing privilege and 404 for what is absent.
 */
export type RouteClass = 'login' | 'api';

const BASE: Record<ErrorKind, number> = {
  invalid_argument: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  deadline_exceeded: 503,
  unavailable: 503,
  aborted: 503,
};

/**
 * Conjur answers 401 for nearly every failure on its login routes
 * (docs/conjur-compatibility.md section 1): unknown host, disabled authenticator, pod checks,
 * exec failures. Only the kinds below keep their base status there.
 */
const LOGIN_KEEPS: ReadonlySet<ErrorKind> = new Set(['invalid_argument', 'payload_too_large', 'unsupported_media_type', 'resource_exhausted', 'deadline_exceeded', 'unavailable']);

/** Stable public code of a login denial; the exact check is in the audit log. */
export const AUTHENTICATION_FAILED = 'authentication_failed';

export interface HttpErrorShape {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
  /** True when the body must not reveal the check (login denial). */
  generic: boolean;
}

/** Maps a typed error to its HTTP answer on a route of the given class. */
export function httpErrorOf(err: PodidError, route: RouteClass): HttpErrorShape {
  const retry = err instanceof ResourceExhaustedError ? { retryAfterSeconds: Math.max(1, Math.ceil(err.retryAfterSeconds)) } : {};
  if (route === 'login' && !LOGIN_KEEPS.has(err.kind)) {
    return { status: 401, code: AUTHENTICATION_FAILED, message: 'authentication failed: the identity checks did not pass (see the audit log for this request id)', generic: true };
  }
  const status = BASE[err.kind];
  // The stable code names the dependency (redis_unavailable, k8s_unavailable, ...): operators act on it, and it reveals nothing of other tenants.
  if (status === 503) return { status, code: err.code.toLowerCase(), message: 'a dependency is unavailable; retry later', generic: true };
  if (err.kind === 'unauthenticated') return { status, code: 'unauthenticated', message: 'a valid access token is required', generic: true };
  if (err.kind === 'permission_denied') return { status, code: 'forbidden', message: 'the caller lacks the privilege for this request', generic: true };
  return { status, code: err.code.toLowerCase(), message: err.message, generic: false, ...retry };
}
