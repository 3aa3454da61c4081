import type { GatewayDeps } from '../gateway-deps';
import type { Route } from '../http/route';
import { authenticateJwtRoutes } from './authenticate-jwt';
import { authenticateK8sRoute } from './authenticate-k8s';
import { authenticatorsRoute } from './authenticators';
import { healthRoutes } from './health';
import { injectClientCertRoute } from './inject-client-cert';
import { statusRoute } from './status';
import { tokensIntrospectRoute } from './tokens-introspect';
import { tokensRevokeRoute } from './tokens-revoke';
import { wellKnownRoutes } from './well-known';

/** Every public route (docs/api.md). */
export function gatewayRoutes(deps: GatewayDeps, ready: () => Promise<boolean>): Route[] {
  return [
    injectClientCertRoute(deps),
    authenticateK8sRoute(deps),
    statusRoute(deps),
    ...authenticateJwtRoutes(deps),
    authenticatorsRoute(deps),
    ...wellKnownRoutes(deps),
    tokensIntrospectRoute(deps),
    tokensRevokeRoute(deps),
    ...healthRoutes(ready),
  ];
}
