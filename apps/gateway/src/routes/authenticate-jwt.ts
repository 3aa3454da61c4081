import { AuthenticatorType, type Restrictions } from '@podid/contracts';
import { UnauthenticatedError, UnsupportedMediaTypeError } from '@podid/errors';
import { scopeOf } from '../auth/authenticator-scope';
import type { GatewayDeps } from '../gateway-deps';
import { MAX_FORM_BYTES, readBody } from '../http/read-body';
import type { Route, RouteRequest } from '../http/route';
import { formField } from '../protocol/form-field';
import { decodePathParam } from '../protocol/path-param';
import { enforceRateLimit } from '../rate-limit/login-rate-limits';
import { checkJwtBindings, checkJwtHostBound, jwtHostId } from './jwt-bindings';
import { onRateLimited } from './limited';
import { auditLogin } from './login-audit';
import { sendToken } from './send-token';

/** Content types the Conjur JWT client and form posts use; anything else is 415. */
const FORM_TYPES = ['', 'text/plain', 'application/x-www-form-urlencoded'];

/**
 * POST /authn-jwt/{serviceId}/{account}[/{login}]/authenticate: body
 * `jwt=<service-account token>`. PodVerifier.ReviewToken checks it with the
 * authenticator's audience and max age (bindings from ListAuthenticators),
 * the claims must match the bindings, then the host is resolved with type
 * AUTHN_JWT and TokenIssuer.Issue returns the token.
 */
export function authenticateJwtRoutes(deps: GatewayDeps): Route[] {
  const base = { method: 'POST', name: 'authn-jwt/authenticate', class: 'login' } as const;
  return [
    { ...base, path: ['authn-jwt', ':serviceId', ':account', 'authenticate'], handle: (r) => handle(deps, r) },
    { ...base, path: ['authn-jwt', ':serviceId', ':account', ':login', 'authenticate'], handle: (r) => handle(deps, r) },
  ];
}

async function handle(deps: GatewayDeps, { req, res, params, clientIp }: RouteRequest): Promise<void> {
  const audit: Record<string, unknown> = { operation: 'authn-jwt-authenticate', client_ip: clientIp };
  try {
    const serviceId = decodePathParam(params['serviceId']!, 'serviceId');
    const account = decodePathParam(params['account']!, 'account');
    audit['authenticator'] = `authn-jwt/${serviceId}`;
    await enforceRateLimit(deps.limiter, deps.rates, 'ip', clientIp, onRateLimited(deps));
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!FORM_TYPES.includes(type)) throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', `content type: exp=${FORM_TYPES.filter(Boolean).join(' or ')} got=${JSON.stringify(type.slice(0, 80))}`);
    const jwt = formField((await readBody(req, MAX_FORM_BYTES)).toString('utf8'), 'jwt');
    if (account !== deps.account) throw new UnauthenticatedError('AUTHN_ACCOUNT_MISMATCH', `account: exp=${JSON.stringify(deps.account)} got=${JSON.stringify(account)}`);
    if (!jwt) throw new UnauthenticatedError('AUTHN_JWT_MISSING', 'body: exp=jwt=<service-account token> got=no jwt field');
    const { policy, podVerifier, tokenIssuer } = deps.upstreams;
    const list = await policy.listAuthenticators({});
    const authn = list.authenticators.find((a) => a.type === AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_JWT && a.id === serviceId);
    if (!authn?.jwt) throw new UnauthenticatedError('AUTHN_AUTHENTICATOR_UNKNOWN', `authenticator: exp=a configured authn-jwt/${serviceId} got=none`);
    // The token is reviewed by the authenticator's cluster: a token of another cluster's pod fails there.
    const { cluster } = scopeOf(authn, deps.trustDomain);
    audit['cluster'] = cluster;
    const reviewed = await podVerifier.reviewToken({ token: jwt, audience: authn.jwt.audience, maxTokenAgeSeconds: authn.jwt.maxTokenAgeSeconds, cluster });
    Object.assign(audit, { namespace: reviewed.namespace, pod: reviewed.podName, pod_uid: reviewed.podUid, service_account: reviewed.serviceAccount });
    await enforceRateLimit(deps.limiter, deps.rates, 'pod', `${reviewed.namespace}/${reviewed.podName}`, onRateLimited(deps));
    checkJwtBindings(authn.jwt, reviewed);
    const hostId = jwtHostId(params['login'], authn.jwt, reviewed);
    audit['host_id'] = hostId;
    const resolved = await policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_JWT, hostId });
    // A host is bound by its declared restrictions (checked against the live pod) or, lacking any, by the token's identity claim.
    const restricted = hasRestrictions(resolved.restrictions);
    checkJwtHostBound(hostId, restricted, authn.jwt, reviewed);
    if (restricted) {
      await podVerifier.verifyPod({ namespace: reviewed.namespace, pod: reviewed.podName, restrictions: resolved.restrictions, containerName: resolved.containerName, expectedUid: reviewed.podUid, cluster });
    }
    // Only now is the token a claim to the host: charging its bucket earlier would let any token lock another host out.
    await enforceRateLimit(deps.limiter, deps.rates, 'host', hostId, onRateLimited(deps));
    const token = await tokenIssuer.issue({
      hostId: resolved.hostId || hostId,
      k8s: { namespace: reviewed.namespace, pod: reviewed.podName, podUid: reviewed.podUid, serviceAccount: reviewed.serviceAccount, authenticator: `authn-jwt/${serviceId}`, cluster },
      ttlSeconds: resolved.authenticator?.tokenTtlSeconds || authn.tokenTtlSeconds || 480,
      audience: '',
    });
    audit['jti'] = token.jti;
    deps.metrics.tokens.inc({ authenticator: `authn-jwt/${serviceId}` });
    auditLogin(deps, 'AUDIT_AUTHENTICATE_JWT', audit);
    sendToken(req, res, token);
  } catch (err) {
    auditLogin(deps, 'AUDIT_AUTHENTICATE_JWT', audit, err);
    throw err;
  }
}

function hasRestrictions(r: Restrictions | undefined): boolean {
  return !!r && Object.values(r).some((v) => typeof v === 'string' && v.length > 0);
}
