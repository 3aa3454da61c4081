import type { IncomingMessage } from 'node:http';
import { UnauthenticatedError } from '@podid/errors';
import type { GatewayDeps } from '../gateway-deps';
import { callerToken } from '../protocol/caller-token';

/** The host behind the access token of an API call. */
export interface Caller {
  readonly hostId: string;
  readonly jti: string;
}

/**
 * Authenticates an API caller by its access token (`Authorization: Token
 * token="..."` or `Bearer`), asking TokenIssuer.Introspect, which checks the
 * signature, expiry and revocation (fail closed: Redis down is a 503).
 */
export async function authenticateCaller(deps: GatewayDeps, req: IncomingMessage): Promise<Caller> {
  let token: string;
  try {
    token = callerToken(req.headers['authorization']);
  } catch (e) {
    deps.log.event('TOKEN_CALLER_INVALID', { reason: e instanceof Error ? e.message : 'invalid' });
    throw e;
  }
  const r = await deps.upstreams.tokenIssuer.introspect({ token });
  if (!r.active || !r.sub.startsWith('host/')) {
    deps.log.event('TOKEN_CALLER_INVALID', { reason: 'token not active' });
    throw new UnauthenticatedError('TOKEN_INACTIVE', 'access token: exp=active got=inactive');
  }
  return { hostId: r.sub.slice('host/'.length), jti: r.jti };
}

/** Throws PermissionDeniedError (403) unless policy grants the privilege; Policy.Authorize raises it. */
export async function requireGrant(deps: GatewayDeps, caller: Caller, privilege: 'status' | 'revoke' | 'introspect', serviceId = ''): Promise<void> {
  await deps.upstreams.policy.authorize({ hostId: caller.hostId, privilege, serviceId });
}
