import type { IncomingMessage } from 'node:http';
import type { IntrospectResponse } from '@podid/contracts';
import { UnauthenticatedError } from '@podid/errors';
import type { GatewayDeps } from '../gateway-deps';

/** Grants in policy (libs/policy-model PRIVILEGES). */
export type Privilege = 'status' | 'revoke' | 'introspect' | 'explain' | 'audit' | 'read';
import { callerToken } from '../protocol/caller-token';

/** The host behind the access token of an API call. */
export interface Caller {
  readonly hostId: string;
  readonly jti: string;
}

/**
 * Introspects a token and, if active, confirms its pod still exists in
 * pod-verifier's cache (so a pod deleted while podid missed the event loses
 * its tokens at once). Inactive results carry the reason. Fails closed:
 * Redis down or an unsynced cache is a 503.
 */
export async function introspectLive(deps: GatewayDeps, token: string, opts: { requireIssuerAudience: boolean }): Promise<IntrospectResponse> {
  const r = await deps.upstreams.tokenIssuer.introspect({ token, requireIssuerAudience: opts.requireIssuerAudience });
  if (!r.active) return r;
  const inactive = (reason: string): IntrospectResponse => ({ active: false, sub: '', jti: '', exp: 0, iat: 0, k8s: undefined, iss: '', aud: '', inactiveReason: reason });
  // Every podid token names its pod; one that does not cannot be checked, so it is not trusted.
  if (!r.k8s?.podUid) return inactive('no pod');
  // The pod is looked up in the cluster the token names; a token from before clusters names none, which means the only one.
  const { live } = await deps.upstreams.podVerifier.checkPodLive({ namespace: r.k8s.namespace, pod: r.k8s.pod, podUid: r.k8s.podUid, cluster: r.k8s.cluster });
  return live ? r : inactive('pod gone');
}

/** The stable code of a refused caller token, by the reason it is inactive. */
const CALLER_CODES: Record<string, string> = { audience: 'TOKEN_AUDIENCE', 'pod gone': 'TOKEN_POD_GONE' };

/**
 * Authenticates an API caller by its access token (`Authorization: Token
 * token="..."` or `Bearer`): it must be active for podid's own audience and
 * its pod alive (see introspectLive).
 */
export function authenticateCaller(deps: GatewayDeps, req: IncomingMessage): Promise<Caller> {
  return authenticateAuthorization(deps, req.headers['authorization']);
}

/** authenticateCaller for the value of an `authorization` header or gRPC metadata entry. */
export async function authenticateAuthorization(deps: GatewayDeps, authorization: string | undefined): Promise<Caller> {
  let token: string;
  try {
    token = callerToken(authorization);
  } catch (e) {
    deps.log.event('TOKEN_CALLER_INVALID', { reason: e instanceof Error ? e.message : 'invalid' });
    throw e;
  }
  const r = await introspectLive(deps, token, { requireIssuerAudience: true });
  if (!r.active || !r.sub.startsWith('host/')) {
    const code = CALLER_CODES[r.inactiveReason] ?? 'TOKEN_INACTIVE';
    deps.log.event('TOKEN_CALLER_INVALID', { reason: r.inactiveReason || 'not a host', code });
    throw new UnauthenticatedError(code, `access token: exp=active got=inactive (${r.inactiveReason || 'not a host'})`);
  }
  return { hostId: r.sub.slice('host/'.length), jti: r.jti };
}

/** Throws PermissionDeniedError (403) unless policy grants the privilege; Policy.Authorize raises it. */
export async function requireGrant(deps: GatewayDeps, caller: Pick<Caller, 'hostId'>, privilege: Privilege, serviceId = ''): Promise<void> {
  await deps.upstreams.policy.authorize({ hostId: caller.hostId, privilege, serviceId });
}
