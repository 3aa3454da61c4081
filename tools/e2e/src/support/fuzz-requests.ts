import fc from 'fast-check';
import { platformV1 } from '@podid/contracts';
import { HOST } from './e2e-suite';

/** One generated HTTP request to the gateway. */
export interface FuzzHttp {
  readonly kind: 'http';
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Present the admin pod's client certificate. */
  readonly withCert: boolean;
}

/** One generated call of a platform gRPC method. */
export interface FuzzGrpc {
  readonly kind: 'grpc';
  readonly method: keyof typeof platformV1.PlatformServiceService;
  /** The serialized request: a well-formed message with fuzzed fields, or arbitrary bytes. */
  readonly payload: Buffer;
  readonly metadata: Record<string, string>;
  readonly withCert: boolean;
}

export type FuzzRequest = FuzzHttp | FuzzGrpc;

/** Valid credentials the generators may put in a request, so some requests get past authentication. */
export interface FuzzCredentials {
  /** A gateway token (JSON) of the admin host. */
  readonly adminToken: string;
}

// Every public route of the gateway (apps/gateway/src/routes/gateway-routes.ts); `:x` segments are fuzzed.
const ROUTES = [
  ['POST', 'authn-k8s', ':serviceId', 'inject_client_cert'],
  ['POST', 'authn-k8s', ':serviceId', ':account', ':login', 'authenticate'],
  ['GET', 'authn-k8s', ':serviceId', ':account', 'status'],
  ['POST', 'authn-jwt', ':serviceId', ':account', 'authenticate'],
  ['POST', 'authn-jwt', ':serviceId', ':account', ':login', 'authenticate'],
  ['GET', 'authenticators'],
  ['GET', '.well-known', 'jwks.json'],
  ['GET', '.well-known', 'openid-configuration'],
  ['POST', 'tokens', 'introspect'],
  ['POST', 'tokens', 'revoke'],
  ['GET', 'healthz'],
  ['GET', 'readyz'],
] as const;

const METHODS = Object.keys(platformV1.PlatformServiceService) as Array<keyof typeof platformV1.PlatformServiceService>;

/** Text that reaches handlers: known names, ids, and arbitrary unicode. */
const text = fc.oneof(
  fc.constantFrom('dev', 'other', 'jwt-dev', 'conjur', 'default', 'demo', 'demo-app-5c7d9-abcde', HOST.deployment, `host/${HOST.deployment}`, '', '..', 'authn-k8s/dev'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
);

/** A path segment as a client could send it: encoded text, or raw bytes with stray percent signs. */
const segment = fc.oneof(
  text.map((t) => encodeURIComponent(t)),
  // The admin pod's login: with its client certificate, an authenticate gets past the CN check.
  fc.constant(encodeURIComponent(`host/${HOST.admin}`)),
  fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,30}$/),
  fc.constantFrom('%', '%zz', '%00', '%2F', '%2e%2e', '%C0%AF', '%FF%FE'),
);

const pathOf = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 5, maxLength: 5 })).map(([r, segs]) => ({ method: r[0] as string, path: `/${r.slice(1).map((p, i) => (p.startsWith(':') ? segs[i]! : p)).join('/')}` })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST'), fc.array(segment, { maxLength: 7 })).map(([method, segs]) => ({ method, path: `/${segs.join('/')}` })) },
);

const query = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.array(fc.tuple(segment, segment), { maxLength: 3 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`) });

const b64 = (s: string) => Buffer.from(s).toString('base64');

const jwtLike = fc
  .tuple(fc.json(), fc.json(), fc.string({ maxLength: 20 }))
  .map(([h, p, s]) => `${Buffer.from(h).toString('base64url')}.${Buffer.from(p).toString('base64url')}.${Buffer.from(s).toString('base64url')}`);

function authorization(creds: FuzzCredentials) {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(`Token token="${b64(creds.adminToken)}"`),
    text.map((t) => `Token token="${b64(t)}"`),
    jwtLike.map((j) => `Bearer ${j}`),
    fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  );
}

const body = fc.oneof(
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  text,
  jwtLike.map((j) => `jwt=${j}`),
  fc.record({ token: fc.oneof(text, jwtLike), token_type_hint: text }).map((r) => new URLSearchParams(r).toString()),
  fc.string({ maxLength: 200 }).map((s) => `-----BEGIN CERTIFICATE REQUEST-----\n${b64(s)}\n-----END CERTIFICATE REQUEST-----\n`),
  fc.record({ target: fc.constantFrom('jti', 'host', 'pod', 'x'), value: text }).map((r) => JSON.stringify({ [r.target]: r.value })),
  { arbitrary: fc.integer({ min: 1, max: 80 }).map((k) => 'x'.repeat(k * 1024)), weight: 1 },
);

/** Mostly null, one time in eight a value: for request parts that would mask the rest (a wrong method answers 405 first). */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: a });

/** HTTP requests across every route, mostly the route's own method, with fuzzed segments, headers and bodies. */
export function httpRequest(creds: FuzzCredentials): fc.Arbitrary<FuzzHttp> {
  const header = (v: string) => v.replace(/[^\x20-\x7e]/g, '');
  return fc
    .record({
      target: pathOf,
      otherMethod: rarely(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')),
      query,
      contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/x-x509-user-cert'), fc.string({ maxLength: 30 }).map(header)), { freq: 3 }),
      authorization: authorization(creds),
      acceptEncoding: fc.option(fc.constantFrom('base64', 'gzip', 'identity'), { freq: 2 }),
      forwardedFor: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 }).map(header)), { freq: 4 }),
      hostHeader: rarely(fc.string({ maxLength: 20 }).map(header)),
      body,
      withCert: fc.boolean(),
    })
    .map((r) => {
      const headers: Record<string, string> = {};
      if (r.contentType !== null) headers['content-type'] = r.contentType;
      if (r.authorization !== undefined) headers['authorization'] = r.authorization;
      if (r.acceptEncoding !== null) headers['accept-encoding'] = r.acceptEncoding;
      if (r.forwardedFor !== null) headers['x-forwarded-for'] = r.forwardedFor;
      if (r.hostHeader !== null && r.hostHeader !== '') headers['host'] = r.hostHeader;
      return { kind: 'http' as const, method: r.otherMethod ?? r.target.method, path: r.target.path + r.query, headers, body: r.body, withCert: r.withCert };
    });
}

/** A well-formed request message of the method with fuzzed fields. */
function message(method: FuzzGrpc['method']): fc.Arbitrary<Buffer> {
  const svc = platformV1.PlatformServiceService[method];
  const serialize = svc.requestSerialize as (v: unknown) => Buffer;
  switch (method) {
    case 'introspect':
      return fc.oneof(text, jwtLike).map((token) => serialize(platformV1.IntrospectRequest.fromPartial({ token })));
    case 'revoke':
      return fc
        .tuple(fc.constantFrom('jti', 'hostId', 'podUid') as fc.Arbitrary<'jti' | 'hostId' | 'podUid'>, text, fc.option(fc.integer(), { nil: undefined }))
        .map(([$case, value]) => serialize(platformV1.RevokeRequest.fromPartial({ target: { $case, value } } as Parameters<typeof platformV1.RevokeRequest.fromPartial>[0])));
    case 'explainLogin':
      return fc.record({ authenticator: text, host: text, namespace: text, pod: text, container: text }).map((r) => serialize(platformV1.ExplainLoginRequest.fromPartial(r)));
    case 'listAuthenticators':
      return fc.constant(serialize(platformV1.ListAuthenticatorsRequest.fromPartial({})));
    case 'getAuthenticator':
      return text.map((name) => serialize(platformV1.GetAuthenticatorRequest.fromPartial({ name })));
    case 'getStatus':
      return text.map((authenticator) => serialize(platformV1.GetStatusRequest.fromPartial({ authenticator })));
    case 'watchAudit':
      return fc.oneof(text, fc.constantFrom('0-0', '0', '$', '99999999999999999999-0', '1-1')).map((afterId) => serialize(platformV1.WatchAuditRequest.fromPartial({ afterId })));
  }
}

/** Calls of every platform gRPC method: fuzzed fields of a valid message, or arbitrary bytes; various credentials. */
export function grpcRequest(creds: FuzzCredentials): fc.Arbitrary<FuzzGrpc> {
  return fc.constantFrom(...METHODS).chain((method) =>
    fc.record({
      kind: fc.constant('grpc' as const),
      method: fc.constant(method),
      payload: fc.oneof({ weight: 4, arbitrary: message(method) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) }),
      metadata: fc.record(
        {
          // Mostly the admin's credentials, so most calls reach the method's own checks.
          authorization: fc.oneof({ weight: 2, arbitrary: fc.constant(`Token token="${b64(creds.adminToken)}"`) }, { weight: 1, arbitrary: authorization(creds).map((a) => a ?? '') }),
          'podid-authenticator': fc.oneof({ weight: 3, arbitrary: fc.constant('dev') }, { weight: 1, arbitrary: text.map((t) => t.replace(/[^\x20-\x7e]/g, '')) }),
          'podid-host': fc.oneof({ weight: 3, arbitrary: fc.constant(HOST.admin) }, { weight: 1, arbitrary: text.map((t) => t.replace(/[^\x20-\x7e]/g, '')) }),
        },
        { requiredKeys: [] },
      ),
      withCert: fc.boolean(),
    }),
  );
}
