import { policyOf, problemsOf, withHosts } from './testing/policy-fixtures';

/** One host bound to `authenticators`, with the given annotation lines (8 spaces deep). The host is on line 10, its first annotation on line 13. */
const host = (annotations: string[], authenticators = '[prod]', id = 'apps/web') =>
  withHosts(`  - id: ${id}\n    authenticators: ${authenticators}\n    annotations:\n${annotations.map((a) => `      ${a}\n`).join('')}`);
const binding = (annotations: string[], service = 'prod', authenticators = '[prod]') => policyOf(host(annotations, authenticators)).hosts.get('apps/web')?.bindings.get(service);

describe('host restrictions from annotations', () => {
  it('maps every restriction annotation to its field', () => {
    expect(binding(['authn-k8s/namespace: demo', 'authn-k8s/service-account: sa', 'authn-k8s/pod: web-0', 'authn-k8s/pod-label-selector: app=web,tier==front', 'authn-k8s/deployment: web'])).toEqual({
      restrictions: { namespace: 'demo', serviceAccount: 'sa', pod: 'web-0', podLabelSelector: 'app=web,tier==front', deployment: 'web' },
      containerName: 'authenticator',
      restrictionsFrom: 'annotations',
    });
    for (const [name, field] of [['stateful-set', 'statefulSet'], ['daemon-set', 'daemonSet'], ['job', 'job'], ['cron-job', 'cronJob']]) {
      expect(binding(['authn-k8s/namespace-label-selector: team=a', `authn-k8s/${name}: x`])?.restrictions).toEqual({ namespaceLabelSelector: 'team=a', [field!]: 'x' });
    }
  });

  it('needs exactly one of namespace and namespace-label-selector (CONJ00131E)', () => {
    expect(problemsOf(host(['authn-k8s/service-account: sa']))).toEqual([
      'policy.yaml:13: host "apps/web": on prod: needs exactly one of authn-k8s/namespace and authn-k8s/namespace-label-selector, got 0 (Conjur CONJ00131E)',
    ]);
    expect(problemsOf(host(['authn-k8s/namespace: demo', 'authn-k8s/namespace-label-selector: a=b']))).toEqual([
      'policy.yaml:14: host "apps/web": on prod: needs exactly one of authn-k8s/namespace and authn-k8s/namespace-label-selector, got 2 (Conjur CONJ00131E)',
    ]);
  });

  it.each([
    ['deployment', 'stateful-set'],
    ['deployment', 'daemon-set'],
    ['stateful-set', 'job'],
    ['job', 'cron-job'],
    ['daemon-set', 'cron-job'],
  ])('allows at most one owner kind: %s with %s (CONJ00055E)', (a, b) => {
    expect(problemsOf(host(['authn-k8s/namespace: demo', `authn-k8s/${a}: x`, `authn-k8s/${b}: y`]))).toEqual([
      `policy.yaml:15: host "apps/web": authn-k8s/${a} and authn-k8s/${b} cannot be combined (Conjur CONJ00055E)`,
    ]);
  });

  it('rejects unknown restrictions (CONJ00050E) and deployment-config with a reason', () => {
    expect(problemsOf(host(['authn-k8s/namespace: demo', 'authn-k8s/replica-set: web', 'authn-k8s/deployment-config: web']))).toEqual([
      'policy.yaml:14: host "apps/web": annotation authn-k8s/replica-set: "replica-set" is not a supported restriction (Conjur CONJ00050E)',
      'policy.yaml:15: host "apps/web": annotation authn-k8s/deployment-config: deployment-config (OpenShift DeploymentConfig) is not supported by podid; use deployment',
    ]);
  });

  it('ignores empty values, free-form keys and kubernetes/* keys', () => {
    expect(binding(['authn-k8s/namespace: demo', 'authn-k8s/pod: ""', 'authn-k8s/deployment:', 'description: the web tier', 'kubernetes/namespace: other'])?.restrictions).toEqual({ namespace: 'demo' });
  });

  it('lets authn-k8s/<service>/<name> override the general annotation for that service only', () => {
    const text = host(['authn-k8s/namespace: demo', 'authn-k8s/service-account: general', 'authn-k8s/prod/service-account: special', 'authn-k8s/prod/pod: ""'], '[prod, jwt]');
    const h = policyOf(text).hosts.get('apps/web')!;
    expect(h.bindings.get('prod')?.restrictions).toEqual({ namespace: 'demo', serviceAccount: 'special' });
    expect(h.bindings.get('jwt')?.restrictions).toEqual({ namespace: 'demo', serviceAccount: 'general' });
  });

  it('takes a service-specific restriction alone as satisfying the namespace rule for that service', () => {
    expect(binding(['authn-k8s/prod/namespace: demo'])?.restrictions).toEqual({ namespace: 'demo' });
  });

  it('rejects service-specific annotations for services the host is not bound to', () => {
    expect(problemsOf(host(['authn-k8s/namespace: demo', 'authn-k8s/prdo/pod: x']))).toEqual([
      'policy.yaml:14: host "apps/web": annotation authn-k8s/prdo/pod names service "prdo", which is not in the host\'s authenticators',
    ]);
  });

  describe('container name', () => {
    const all = ['authn-k8s/namespace: demo', 'authn-k8s/prod/authentication-container-name: svc', 'authn-k8s/authentication-container-name: general', 'kubernetes/authentication-container-name: kube'];
    it.each([
      [all, 'svc'],
      [all.filter((a) => !a.startsWith('authn-k8s/prod/')), 'general'],
      [['authn-k8s/namespace: demo', 'kubernetes/authentication-container-name: kube'], 'kube'],
      [['authn-k8s/namespace: demo', 'authn-k8s/authentication-container-name: ""'], 'authenticator'],
    ])('follows service > general > kubernetes > default (%#)', (annotations, expected) => {
      expect(binding(annotations)?.containerName).toBe(expected);
    });

    it('is not a restriction and must be a DNS label', () => {
      expect(problemsOf(host(['authn-k8s/namespace: demo', 'authn-k8s/authentication-container-name: Auth_C']))).toEqual([
        'policy.yaml:14: host "apps/web": annotation authn-k8s/authentication-container-name: "Auth_C" is not a DNS label (container name) (lowercase a-z, 0-9, "-", at most 63)',
      ]);
    });
  });

  it('validates names and label selectors (CONJ00094E)', () => {
    expect(
      problemsOf(host(['authn-k8s/namespace: Demo', 'authn-k8s/service-account: "sa/x"', 'authn-k8s/pod-label-selector: app!=web', 'authn-k8s/cron-job: ' + 'c'.repeat(53)])),
    ).toEqual([
      'policy.yaml:13: host "apps/web": annotation authn-k8s/namespace: "Demo" is not a DNS label (lowercase a-z, 0-9, "-", at most 63)',
      'policy.yaml:14: host "apps/web": annotation authn-k8s/service-account: "sa/x" is not a DNS subdomain (lowercase a-z, 0-9, "-", ".", at most 253)',
      'policy.yaml:15: host "apps/web": annotation authn-k8s/pod-label-selector: invalid label selector "app!=web": negation is not supported (Conjur CONJ00094E)',
      `policy.yaml:16: host "apps/web": annotation authn-k8s/cron-job: "${'c'.repeat(53)}" is not a DNS subdomain of at most 52 characters`,
    ]);
    expect(problemsOf(host(['authn-k8s/namespace-label-selector: team']))).toEqual([
      'policy.yaml:13: host "apps/web": annotation authn-k8s/namespace-label-selector: invalid label selector "team": expected key=value or key==value (Conjur CONJ00094E)',
    ]);
  });

  it('rejects host ids with dots on authn-k8s, where no CN can reach them, but allows them on authn-jwt', () => {
    const dotted = (authns: string) => withHosts(`  - id: apps/web.v2\n    authenticators: ${authns}\n    annotations:\n      authn-k8s/namespace: demo\n`);
    expect(problemsOf(dotted('[prod]'))).toEqual(['policy.yaml:10: host "apps/web.v2": id contains ".", which no certificate CN can reach on authn-k8s (the CN\'s dots all become "/", as in Conjur)']);
    expect(policyOf(dotted('[jwt]')).hosts.get('apps/web.v2')?.bindings.get('jwt')?.restrictions).toEqual({ namespace: 'demo' });
  });

  it('lets authn-jwt hosts have no restrictions, but not two namespace rules', () => {
    expect(policyOf(withHosts('  - id: authn-jwt/jwt/app-sa\n    authenticators: [jwt]\n')).hosts.get('authn-jwt/jwt/app-sa')?.bindings.get('jwt')).toEqual({ restrictions: {}, containerName: 'authenticator', restrictionsFrom: 'none' });
    expect(problemsOf(host(['authn-k8s/namespace: a', 'authn-k8s/namespace-label-selector: x=y'], '[jwt]'))[0]).toContain('got 2 (Conjur CONJ00131E)');
  });

  it('rejects an unrestricted authn-jwt host that no token names by itself, since a URL login could never be bound to it', () => {
    const jwtHost = (id: string, annotations = '') => withHosts(`  - id: ${id}\n    authenticators: [jwt]\n${annotations}`);
    const problem = (id: string) =>
      `policy.yaml:10: host "${id}": on jwt: declares no restrictions, so only a token whose service_account claim names it can log in as it, and its id is not "authn-jwt/jwt/<service_account>"; add restrictions (authn-k8s/namespace, authn-k8s/service-account, ...) or rename it`;
    for (const id of ['apps/jwt-only', 'authn-jwt/jwt', 'authn-jwt/jwt/team/app-sa', 'authn-jwt/jwtx/app-sa', 'authn-jwt/jwt/App_SA']) expect(problemsOf(jwtHost(id))).toEqual([problem(id)]);
    const bySub = (id: string) =>
      `account: default\nauthenticators:\n  - type: authn-jwt\n    id: jwt\n    jwt: {audience: podid, identityClaim: sub, hostPrefix: k8s}\nhosts:\n  - id: "${id}"\n    authenticators: [jwt]\n`;
    expect(policyOf(bySub('k8s/system:serviceaccount:demo:app-sa')).hosts.has('k8s/system:serviceaccount:demo:app-sa')).toBe(true);
    expect(problemsOf(bySub('k8s/app-sa'))).toEqual([expect.stringContaining('its id is not "k8s/<sub>"')]);
    // A container name alone restricts nothing; annotations for another service do not apply here.
    expect(problemsOf(jwtHost('apps/web', '    annotations:\n      authn-k8s/authentication-container-name: app\n'))).toEqual([problem('apps/web')]);
    expect(policyOf(jwtHost('apps/web', '    annotations:\n      authn-k8s/service-account: app-sa\n')).hosts.get('apps/web')?.bindings.get('jwt')?.restrictionsFrom).toBe('annotations');
  });

  it('rejects authn-jwt claim annotations rather than ignoring them', () => {
    expect(problemsOf(host(['authn-k8s/namespace: demo', 'authn-jwt/jwt/sub: x']))).toEqual([
      "policy.yaml:14: host \"apps/web\": annotation authn-jwt/jwt/sub: authn-jwt claim annotations are not supported; use the authenticator's jwt block",
    ]);
  });
});
