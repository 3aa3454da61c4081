import { FailedPreconditionError, NotFoundError, PermissionDeniedError, type PodidError } from '@podid/errors';
import { authorizeHost } from './authorize-host';
import { listAuthenticators } from './list-authenticators';
import { resolveHost } from './resolve-host';
import { policyOf } from './testing/policy-fixtures';

const policy = policyOf(`account: default
authenticators:
  - type: authn-k8s
    id: prod
    certTtl: 12h
  - type: authn-k8s
    id: off
    enabled: false
  - type: authn-jwt
    id: jwt
    jwt: {audience: podid}
hosts:
  - id: apps/web
    authenticators: [prod, off]
    annotations:
      authn-k8s/namespace: demo
      authn-k8s/deployment: web
      authn-k8s/prod/authentication-container-name: sidecar
  - id: ops/admin
    authenticators: [jwt]
    grants: [status, revoke]
    annotations: {authn-k8s/namespace: ops, authn-k8s/service-account: admin-sa}
`);

function thrown(fn: () => unknown): PodidError {
  try {
    fn();
  } catch (e) {
    return e as PodidError;
  }
  throw new Error('expected a throw');
}

describe('resolveHost', () => {
  it('returns the host, authenticator, restrictions and container name', () => {
    const r = resolveHost(policy, 'prod', 'authn-k8s', 'apps/web');
    expect(r).toMatchObject({ hostId: 'apps/web', restrictions: { namespace: 'demo', deployment: 'web' }, containerName: 'sidecar' });
    expect(r.authenticator).toMatchObject({ id: 'prod', type: 'authn-k8s', certTtlMs: 43_200_000, tokenTtlMs: 480_000 });
  });

  it.each([
    ['nope', 'authn-k8s', 'apps/web', NotFoundError, 'AUTHENTICATOR_NOT_FOUND'],
    ['off', 'authn-k8s', 'apps/web', FailedPreconditionError, 'AUTHENTICATOR_DISABLED'],
    ['prod', 'authn-k8s', 'apps/other', NotFoundError, 'HOST_NOT_FOUND'],
    ['prod', 'authn-k8s', 'ops/admin', PermissionDeniedError, 'HOST_NOT_PERMITTED'],
    ['prod', 'authn-jwt', 'apps/web', PermissionDeniedError, 'HOST_NOT_PERMITTED'],
    ['jwt', 'authn-jwt', 'apps/web', PermissionDeniedError, 'HOST_NOT_PERMITTED'],
  ] as const)('%s %s %s -> %p %s', (sid, type, host, cls, code) => {
    const e = thrown(() => resolveHost(policy, sid, type, host));
    expect(e).toBeInstanceOf(cls);
    expect(e.code).toBe(code);
  });

  it('says what was expected on a type mismatch', () => {
    expect(thrown(() => resolveHost(policy, 'prod', 'authn-jwt', 'apps/web')).message).toBe('authenticator "prod": exp=authn-jwt got=authn-k8s');
  });
});

describe('authorizeHost', () => {
  it('grants what the host holds, suite-wide or for a configured authenticator', () => {
    expect(() => authorizeHost(policy, 'ops/admin', 'status')).not.toThrow();
    expect(() => authorizeHost(policy, 'ops/admin', 'revoke', 'prod')).not.toThrow();
  });

  it.each([
    ['ops/admin', 'introspect', undefined, 'grants exp=introspect got=[status, revoke]'],
    ['apps/web', 'status', undefined, 'grants exp=status got=[]'],
    ['ghost', 'status', undefined, 'not in policy'],
    ['ops/admin', 'status', 'nope', '"nope" is not one'],
  ] as const)('refuses %s %s %s', (host, privilege, sid, message) => {
    const e = thrown(() => authorizeHost(policy, host, privilege, sid));
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.code).toBe('PRIVILEGE_MISSING');
    expect(e.message).toContain(message);
  });
});

describe('listAuthenticators', () => {
  it('lists installed types and configured and enabled authenticators as type/id', () => {
    const l = listAuthenticators(policy);
    expect(l.installed).toEqual(['authn-k8s', 'authn-jwt']);
    expect(l.configured).toEqual(['authn-jwt/jwt', 'authn-k8s/off', 'authn-k8s/prod']);
    expect(l.enabled).toEqual(['authn-jwt/jwt', 'authn-k8s/prod']);
    expect(l.authenticators.map((a) => a.id)).toEqual(['jwt', 'off', 'prod']);
  });
});
