import type { EventSpec } from './event';

/** Events of gateway: the public HTTPS endpoint. Login denials also get an audit event (audit.ts). */
export const gatewayEvents = {
  GATEWAY_LISTENING: { level: 'info', meaning: 'The public HTTPS endpoint is listening (TLS 1.2+, client certificates requested).' },
  GATEWAY_TLS_RELOADED: { level: 'info', meaning: 'The serving certificate or key file changed and the new pair is in use for new connections.' },
  GATEWAY_TLS_RELOAD_FAILED: {
    level: 'warn',
    meaning: 'The serving certificate or key file changed but could not be loaded; the previous pair stays in use.',
    fix: 'Check PODID_GATEWAY_TLS_CERT_FILE and PODID_GATEWAY_TLS_KEY_FILE hold a matching PEM certificate and key (write them atomically).',
  },
  GATEWAY_UPSTREAM_UNAVAILABLE: {
    level: 'warn',
    meaning: 'An upstream service or Redis could not answer; the request got 503.',
    fix: 'Check the service named in `upstream` is running and reachable over mTLS; GATEWAY_NOT_READY names the failing checks.',
  },
  GATEWAY_NOT_READY: {
    level: 'warn',
    meaning: 'Readiness failed; `failing` lists the upstreams (and redis) that do not answer. Logged once per change of that list; /readyz only says not ready.',
    fix: 'Check the services in `failing` are running and reachable over mTLS, and Redis at REDIS_URL.',
  },
  GATEWAY_CONNECTION_SHED: {
    level: 'warn',
    meaning: 'A connection was closed on accept: `reason` per_ip_cap (PODID_GATEWAY_MAX_CONNECTIONS_PER_IP open from `client_ip`) or total_cap (PODID_GATEWAY_MAX_CONNECTIONS). At most one line per reason per 10 s; `shed_since_last_line` counts the rest, podid_gateway_connections_shed_total counts all.',
    fix: 'A flood of idle connections is an attack; if it is real traffic (a proxy, many pods behind one NAT address), raise the cap.',
  },
  GATEWAY_BAD_REQUEST: { level: 'info', meaning: 'A request was refused as malformed (400/404/405/413/415); `code` says which check.' },
  GATEWAY_CLIENT_ABORTED: { level: 'debug', meaning: 'The client closed the connection before the response was written.' },
  RATE_LIMITED: { level: 'info', meaning: 'A request exceeded a rate limit (`scope` is ip, host or pod) and got 429.' },
  RATE_LIMIT_FALLBACK: {
    level: 'warn',
    meaning: 'Redis could not be reached for rate limiting; this replica counts in memory, so limits hold per replica only.',
    fix: 'Restore Redis (REDIS_URL); the metric podid_gateway_rate_limit_fallback_total counts fallbacks.',
  },
  AUTHN_CERT_MISSING: { level: 'info', meaning: 'Certificate login without a client certificate (none in the TLS session, none from a trusted proxy).' },
  AUTHN_CERT_UNTRUSTED: { level: 'info', meaning: 'A client certificate does not chain to the authenticator CA.' },
  AUTHN_CERT_EXPIRED: { level: 'info', meaning: 'A client certificate is not valid now (expired or not yet valid).' },
  AUTHN_CN_MISMATCH: { level: 'info', meaning: 'A client certificate CN does not equal the login (with / turned into .).' },
  AUTHN_SAN_INVALID: {
    level: 'info',
    meaning: "A client certificate does not carry exactly one pod SPIFFE id (in the authenticator's trust domain), one pod uid SAN and one cluster SAN (and nothing else).",
  },
  AUTHN_CLUSTER_MISMATCH: {
    level: 'info',
    meaning: "A client certificate of the authenticator CA does not carry exactly one cluster SAN (`urn:podid:cluster:<name>`) naming the authenticator's cluster (`cluster`): it was issued for a pod of another cluster, or before podid named clusters.",
    fix: 'A certificate from before clusters is replaced at the next login (the client calls inject_client_cert again). Otherwise the pod uses the authenticator of another cluster: point it at the authenticator of its own cluster (docs/clusters.md).',
  },
  AUTHN_CERT_USAGE: { level: 'info', meaning: 'A client certificate of the authenticator CA lacks the clientAuth extended key usage or the digitalSignature key usage.' },
  AUTHN_ACCOUNT_MISMATCH: { level: 'info', meaning: 'The account in the URL is not the account podid serves (PODID_ACCOUNT).' },
  AUTHN_LOGIN_INVALID: { level: 'info', meaning: 'The login is not of the form host/<id>.' },
  AUTHN_JWT_BINDING_MISMATCH: { level: 'info', meaning: 'A service-account token passed TokenReview but its claims match none of the authenticator bindings.' },
  AUTHN_JWT_HOST_UNBOUND: {
    level: 'info',
    meaning: 'An authn-jwt login named a host that declares no restrictions and is not the token\'s own host (hostPrefix + `/` + its identity claim); refused, as another identity\'s host.',
    fix: 'Log in without a host (the token names its own), or give the host restrictions (authn-k8s/namespace, authn-k8s/service-account, ...) the pod meets: docs/policy.md.',
  },
  AUTHN_UPSTREAM_DENIED: { level: 'info', meaning: 'An upstream check refused the login (policy, pod verification, revocation); `upstream_code` is its stable code.' },
  AUTHN_FORGED_PROXY_HEADER: {
    level: 'warn',
    meaning: 'X-SSL-Client-Certificate arrived from an address that is not a trusted proxy and was ignored.',
    fix: 'If a TLS-terminating proxy sits in front of the gateway, add its address to PODID_TRUSTED_PROXIES; otherwise this is an attack attempt.',
  },
  TOKEN_CALLER_INVALID: { level: 'info', meaning: 'A token API call carried no valid access token in Authorization.' },
} as const satisfies Record<string, EventSpec>;
