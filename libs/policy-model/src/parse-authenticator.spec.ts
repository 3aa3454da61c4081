import { policyOf, problemsOf } from './testing/policy-fixtures';

const authn = (body: string) => `account: default\nauthenticators:\n${body}`;

describe('authenticators', () => {
  it('applies defaults: enabled, 24h certificates, 8m tokens', () => {
    const a = policyOf(authn('  - type: authn-k8s\n    id: prod\n')).authenticators.get('prod');
    expect(a).toMatchObject({ type: 'authn-k8s', id: 'prod', enabled: true, certTtlMs: 86_400_000, tokenTtlMs: 480_000, source: { file: 'policy.yaml', line: 3 } });
    expect(a?.jwt).toBeUndefined();
  });

  it('reads explicit values at the edges of the allowed ranges', () => {
    const p = policyOf(authn('  - type: authn-k8s\n    id: a.b_c-1\n    enabled: false\n    certTtl: 30d\n    tokenTtl: 5h\n  - type: authn-k8s\n    id: short\n    certTtl: 1m\n    tokenTtl: 1m\n'));
    expect(p.authenticators.get('a.b_c-1')).toMatchObject({ enabled: false, certTtlMs: 30 * 86_400_000, tokenTtlMs: 5 * 3_600_000 });
    expect(p.authenticators.get('short')).toMatchObject({ certTtlMs: 60_000, tokenTtlMs: 60_000 });
  });

  it.each([
    ['certTtl: 59s', 'policy.yaml:5: authenticator "prod": certTtl: expected a duration such as 8m or 24h (1m..30d), got "59s"'],
    ['certTtl: 31d', 'policy.yaml:5: authenticator "prod": certTtl: expected a duration such as 8m or 24h (1m..30d), got "31d"'],
    ['tokenTtl: 6h', 'policy.yaml:5: authenticator "prod": tokenTtl: expected a duration such as 8m or 24h (1m..5h), got "6h"'],
    ['tokenTtl: soon', 'policy.yaml:5: authenticator "prod": tokenTtl: expected a duration such as 8m or 24h (1m..5h), got "soon"'],
    ['enabled: yes', 'policy.yaml:5: authenticator "prod": enabled: expected true or false, got string "yes"'],
    ['rateLimt: 5', 'policy.yaml:5: authenticator: unknown field "rateLimt" (expected one of type, id, enabled, certTtl, tokenTtl, jwt, cluster)'],
    ['jwt: {audience: x}', 'policy.yaml:5: authenticator "prod": a jwt block is only for type authn-jwt'],
  ])('rejects %s', (line, problem) => {
    expect(problemsOf(authn(`  - type: authn-k8s\n    id: prod\n    ${line}\n`))).toEqual([problem]);
  });

  it('rejects unknown types, bad ids and a missing id', () => {
    expect(problemsOf(authn('  - type: authn-oidc\n    id: prod\n  - type: authn-k8s\n    id: "a/b"\n  - type: authn-k8s\n'))).toEqual([
      'policy.yaml:3: authenticator "prod": type must be one of authn-k8s, authn-jwt, got "authn-oidc"',
      'policy.yaml:6: authenticator "a/b": id must match /^[A-Za-z0-9._-]{1,128}$/ (it is the service id in URLs)',
      'policy.yaml:7: authenticator id is required',
    ]);
  });

  describe('authn-jwt', () => {
    it('reads the jwt block and defaults identityClaim and hostPrefix', () => {
      const p = policyOf(authn('  - type: authn-jwt\n    id: k8s-sa\n    jwt:\n      audience: podid\n      namespaces: [demo, "team-*"]\n      serviceAccounts: ["?pp"]\n      podNames: [web-0]\n      maxTokenAge: 10m\n'));
      expect(p.authenticators.get('k8s-sa')?.jwt).toEqual({
        audience: 'podid',
        namespaces: ['demo', 'team-*'],
        serviceAccounts: ['?pp'],
        podNames: ['web-0'],
        maxTokenAgeMs: 600_000,
        identityClaim: 'service_account',
        hostPrefix: 'authn-jwt/k8s-sa',
      });
    });

    it('accepts every identity claim and a custom host prefix', () => {
      for (const claim of ['service_account', 'pod_name', 'namespace', 'sub']) {
        const p = policyOf(authn(`  - type: authn-jwt\n    id: j\n    jwt:\n      audience: a\n      identityClaim: ${claim}\n      hostPrefix: apps/jwt\n`));
        expect(p.authenticators.get('j')?.jwt).toMatchObject({ identityClaim: claim, hostPrefix: 'apps/jwt', maxTokenAgeMs: 0 });
      }
    });

    it('rejects a missing block, a missing audience, bad globs, claims, prefixes and ages', () => {
      expect(problemsOf(authn('  - type: authn-jwt\n    id: a\n'))).toEqual(['policy.yaml:3: authenticator "a": type authn-jwt needs a jwt block with at least an audience']);
      expect(
        problemsOf(authn('  - type: authn-jwt\n    id: b\n    jwt:\n      namespaces: [Demo, "ok-*"]\n      identityClaim: email\n      hostPrefix: host/x\n      maxTokenAge: 2d\n')),
      ).toEqual([
        'policy.yaml:5: authenticator "b": jwt.audience is required',
        'policy.yaml:6: authenticator "b": jwt.namespaces: "Demo" is not a DNS label (lowercase a-z, 0-9, "-", at most 63)',
        'policy.yaml:7: authenticator "b": jwt.identityClaim must be one of service_account, pod_name, namespace, sub, got "email"',
        'policy.yaml:8: authenticator "b": jwt.hostPrefix must be a host id path without "host/" and without empty segments, got "host/x"',
        'policy.yaml:9: authenticator "b": jwt.maxTokenAge: expected a duration such as 8m or 24h (1s..1d), got "2d"',
      ]);
    });
  });
});
