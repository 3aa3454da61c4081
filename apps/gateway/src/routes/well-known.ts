import type { GatewayDeps } from '../gateway-deps';
import { send, sendJson } from '../http/respond';
import type { Route } from '../http/route';

/** Public keys change rarely; a short cache keeps verifiers fast and rotation visible. */
const JWKS_CACHE = 'public, max-age=60';

/** GET /.well-known/jwks.json and /.well-known/openid-configuration, so OIDC-aware services can verify podid tokens. */
export function wellKnownRoutes(deps: GatewayDeps): Route[] {
  return [
    {
      method: 'GET',
      path: ['.well-known', 'jwks.json'],
      name: 'jwks',
      class: 'api',
      async handle({ res }) {
        const r = await deps.upstreams.tokenIssuer.getJwks({});
        send(res, 200, r.jwksJson, { 'content-type': 'application/jwk-set+json', 'cache-control': JWKS_CACHE });
      },
    },
    {
      method: 'GET',
      path: ['.well-known', 'openid-configuration'],
      name: 'openid-configuration',
      class: 'api',
      async handle({ res }) {
        const issuer = (deps.issuer ?? (await deps.upstreams.tokenIssuer.getJwks({})).issuer).replace(/\/+$/, '');
        sendJson(
          res,
          200,
          {
            issuer,
            jwks_uri: `${issuer}/.well-known/jwks.json`,
            introspection_endpoint: `${issuer}/tokens/introspect`,
            revocation_endpoint: `${issuer}/tokens/revoke`,
            id_token_signing_alg_values_supported: ['ES256'],
            subject_types_supported: ['public'],
            response_types_supported: ['id_token'],
            token_endpoint_auth_methods_supported: ['tls_client_auth'],
          },
          { 'cache-control': JWKS_CACHE },
        );
      },
    },
  ];
}
