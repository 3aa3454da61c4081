import { UnsupportedMediaTypeError } from '@podid/errors';
import { authenticateCaller, requireGrant } from '../auth/caller';
import type { GatewayDeps } from '../gateway-deps';
import { MAX_FORM_BYTES, readBody } from '../http/read-body';
import { sendEmpty } from '../http/respond';
import type { Route } from '../http/route';
import { revokeTarget } from './revoke-target';

const TYPES = ['', 'text/plain', 'application/x-www-form-urlencoded', 'application/json'];

/**
 * POST /tokens/revoke (RFC 7009 style): a host may always revoke its own
 * token; anything else (another token, a host, a pod uid) needs the `revoke`
 * grant. An unknown or invalid token is still 200, as RFC 7009 says.
 */
export function tokensRevokeRoute(deps: GatewayDeps): Route {
  return {
    method: 'POST',
    path: ['tokens', 'revoke'],
    name: 'tokens/revoke',
    class: 'api',
    async handle({ req, res }) {
      const caller = await authenticateCaller(deps, req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!TYPES.includes(type)) throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', `content type: exp=form or JSON got=${JSON.stringify(type.slice(0, 80))}`);
      const body = (await readBody(req, MAX_FORM_BYTES)).toString('utf8');
      const target = revokeTarget(body, type);
      const { tokenIssuer } = deps.upstreams;
      let own = false;
      if (target.target?.$case === 'token') {
        const r = await tokenIssuer.introspect({ token: target.target.value, requireIssuerAudience: false });
        // RFC 7009: an invalid or already inactive token needs no revocation.
        if (!r.active) {
          deps.log.event('AUDIT_TOKEN_REVOKE', { caller: caller.hostId, target: 'token', result: 'inactive' });
          return sendEmpty(res, 200);
        }
        own = r.sub === `host/${caller.hostId}`;
      }
      if (!own) await requireGrant(deps, caller, 'revoke');
      await tokenIssuer.revoke(target);
      const audit = { caller: caller.hostId, target: target.target?.$case, value: target.target?.$case === 'token' ? undefined : target.target?.value, own };
      deps.log.event('AUDIT_TOKEN_REVOKE', { ...audit, result: 'success' });
      deps.audit.append('AUDIT_TOKEN_REVOKE', 'success', audit);
      sendEmpty(res, 200);
    },
  };
}
