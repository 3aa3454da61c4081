import { AuthenticatorType, type Authenticator, type IntrospectResponse, type platformV1, type RevokeRequest as InternalRevokeRequest } from '@podid/contracts';
import { NotFoundError } from '@podid/errors';
import type { RevocationStore } from '@podid/redis-stores';
import { isPodUid } from '@podid/spiffe';
import { introspectLive } from '../auth/caller';
import type { GatewayDeps } from '../gateway-deps';
import { statusChecks } from '../routes/status';
import { explainLogin } from './explain-login';
import { InvalidFieldError, requiredString } from './invalid-field';
import type { PlatformCaller } from './platform-caller';

/** Longest token read; a token is a few KiB (as the REST Authorization limit). */
const MAX_TOKEN = 16 * 1024;

const TYPE_NAMES: Partial<Record<AuthenticatorType, string>> = {
  [AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S]: 'authn-k8s',
  [AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_JWT]: 'authn-jwt',
};

function publicAuthenticator(a: Authenticator): platformV1.Authenticator {
  return {
    type: TYPE_NAMES[a.type] ?? 'unknown',
    id: a.id,
    enabled: a.enabled,
    certTtlSeconds: a.certTtlSeconds,
    tokenTtlSeconds: a.tokenTtlSeconds,
    jwtAudience: a.jwt?.audience ?? '',
    cluster: a.cluster,
  };
}

/** The unary RPCs of podid.platform.v1.PlatformService; the caller is authenticated and granted before these run. */
export function platformHandlers(deps: GatewayDeps, revocations: RevocationStore) {
  return {
    /** The lookup of introspect, without logging: it may start before the caller is admitted. */
    async prefetchIntrospect(req: platformV1.IntrospectRequest): Promise<IntrospectResponse> {
      return introspectLive(deps, requiredString(req.token, 'token', MAX_TOKEN), { requireIssuerAudience: false });
    },

    async introspect(req: platformV1.IntrospectRequest, caller: PlatformCaller, pre?: Promise<IntrospectResponse>): Promise<platformV1.IntrospectResponse> {
      const r = await (pre ?? introspectLive(deps, requiredString(req.token, 'token', MAX_TOKEN), { requireIssuerAudience: false }));
      deps.log.event('AUDIT_TOKEN_INTROSPECT', { caller: caller.hostId, via: 'platform', active: r.active, jti: r.active ? r.jti : undefined, reason: r.active ? undefined : r.inactiveReason });
      if (!r.active) return { active: false, sub: '', jti: '', exp: 0, iat: 0, iss: '', aud: '', k8s: undefined, tokenType: '' };
      return { active: true, sub: r.sub, jti: r.jti, exp: Number(r.exp), iat: Number(r.iat), iss: r.iss, aud: r.aud, k8s: r.k8s, tokenType: 'access_token' };
    },

    async revoke(req: platformV1.RevokeRequest, caller: PlatformCaller): Promise<platformV1.RevokeResponse> {
      const t = req.target;
      if (!t) throw new InvalidFieldError('target', 'one of jti, host_id, pod_uid', 'none');
      let internal: InternalRevokeRequest;
      let kind: string;
      let value: string;
      if (t.$case === 'jti') {
        value = requiredString(t.value, 'jti', 256);
        kind = 'jti';
        internal = { target: { $case: 'jti', value }, expiresAt: 0 };
      } else if (t.$case === 'hostId') {
        value = requiredString(t.value, 'host_id', 1024).replace(/^host\//, '');
        if (!value) throw new InvalidFieldError('host_id', 'a host id', 'host/');
        kind = 'host_id';
        internal = { target: { $case: 'hostId', value }, expiresAt: 0 };
      } else {
        value = t.value;
        if (!isPodUid(value)) throw new InvalidFieldError('pod_uid', 'lowercase UUID', JSON.stringify(value.slice(0, 60)));
        kind = 'pod_uid';
        internal = { target: { $case: 'podUid', value }, expiresAt: 0 };
      }
      await deps.upstreams.tokenIssuer.revoke(internal);
      deps.log.event('AUDIT_TOKEN_REVOKE', { caller: caller.hostId, via: 'platform', target: kind, value, result: 'success' });
      deps.audit.append('AUDIT_TOKEN_REVOKE', 'success', { caller: caller.hostId, via: 'platform', target: kind, value });
      return { targetKind: kind, target: value };
    },

    explainLogin: (req: platformV1.ExplainLoginRequest) => explainLogin(deps, revocations, req),

    async listAuthenticators(): Promise<platformV1.ListAuthenticatorsResponse> {
      const l = await deps.upstreams.policy.listAuthenticators({});
      return { authenticators: l.authenticators.map(publicAuthenticator) };
    },

    async getAuthenticator(req: platformV1.GetAuthenticatorRequest): Promise<platformV1.GetAuthenticatorResponse> {
      const name = requiredString(req.name, 'name', 200);
      const m = /^(authn-k8s|authn-jwt)\/([^/]+)$/.exec(name);
      if (!m) throw new InvalidFieldError('name', 'authn-k8s/<id> or authn-jwt/<id>', JSON.stringify(name.slice(0, 80)));
      const l = await deps.upstreams.policy.listAuthenticators({});
      const a = l.authenticators.map(publicAuthenticator).find((x) => x.type === m[1] && x.id === m[2]);
      if (!a) throw new NotFoundError('AUTHENTICATOR_NOT_FOUND', `authenticator: exp=one of [${l.configured.join(', ')}] got=${name}`);
      const [bundle, jwks] = await Promise.all([a.type === 'authn-k8s' ? deps.upstreams.caSigner.getBundle({ serviceId: a.id }) : undefined, deps.upstreams.tokenIssuer.getJwks({})]);
      return { authenticator: a, caBundlePem: bundle?.bundlePem ?? '', caNotAfter: Number(bundle?.notAfter ?? 0), jwksJson: jwks.jwksJson, issuer: deps.issuer ?? jwks.issuer };
    },

    async getStatus(req: platformV1.GetStatusRequest): Promise<platformV1.GetStatusResponse> {
      const checks = await statusChecks(deps, req.authenticator);
      const status = !checks.every((c) => c.ok) ? 'error' : checks.some((c) => c.warning) ? 'warning' : 'ok';
      return { status, checks: checks.map((c) => ({ name: c.name, ok: c.ok, warning: !!c.warning, code: c.code ?? '', hint: c.hint ?? '' })) };
    },
  };
}

export type PlatformHandlers = ReturnType<typeof platformHandlers>;
