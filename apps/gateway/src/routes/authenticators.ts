import type { GatewayDeps } from '../gateway-deps';
import { sendJson } from '../http/respond';
import type { Route } from '../http/route';

/** GET /authenticators: Conjur's `{installed, configured, enabled}`. */
export function authenticatorsRoute(deps: GatewayDeps): Route {
  return {
    method: 'GET',
    path: ['authenticators'],
    name: 'authenticators',
    class: 'api',
    async handle({ res }) {
      const r = await deps.upstreams.policy.listAuthenticators({});
      sendJson(res, 200, { installed: r.installed, configured: r.configured, enabled: r.enabled });
    },
  };
}
