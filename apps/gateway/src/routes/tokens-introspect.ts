import { authenticateCaller, introspectLive, requireGrant } from '../auth/caller';
import type { GatewayDeps } from '../gateway-deps';
import { MAX_FORM_BYTES, readBody } from '../http/read-body';
import { sendJson } from '../http/respond';
import type { Route } from '../http/route';
import { formField } from '../protocol/form-field';

/**
 * POST /tokens/introspect (RFC 7662): form `token=...`. The caller needs the
 * `introspect` grant. Anything that is not a valid, unexpired, unrevoked
 * token of a pod that still exists is `{"active":false}`, never an error.
 */
export function tokensIntrospectRoute(deps: GatewayDeps): Route {
  return {
    method: 'POST',
    path: ['tokens', 'introspect'],
    name: 'tokens/introspect',
    class: 'api',
    async handle({ req, res }) {
      const caller = await authenticateCaller(deps, req);
      await requireGrant(deps, caller, 'introspect');
      const token = formField((await readBody(req, MAX_FORM_BYTES)).toString('utf8'), 'token') ?? '';
      const r = token ? await introspectLive(deps, token, { requireIssuerAudience: false }) : undefined;
      deps.log.event('AUDIT_TOKEN_INTROSPECT', { caller: caller.hostId, active: !!r?.active, jti: r?.active ? r.jti : undefined, reason: r?.active ? undefined : r?.inactiveReason || 'no token' });
      if (!r?.active) return sendJson(res, 200, { active: false });
      sendJson(res, 200, {
        active: true,
        sub: r.sub,
        jti: r.jti,
        exp: Number(r.exp),
        iat: Number(r.iat),
        iss: r.iss,
        aud: r.aud,
        token_type: 'access_token',
        ...(r.k8s ? { k8s: { namespace: r.k8s.namespace, pod: r.k8s.pod, pod_uid: r.k8s.podUid, service_account: r.k8s.serviceAccount, authenticator: r.k8s.authenticator, cluster: r.k8s.cluster } } : {}),
      });
    },
  };
}
