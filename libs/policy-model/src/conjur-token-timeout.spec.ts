import { tokenTtlsBelowConjurTimeout } from './conjur-token-timeout';
import { formatProblem } from './policy-problem';
import { policyOf } from './testing/policy-fixtures';

const policy = (authenticators: string) => policyOf(`account: default\nauthenticators:\n${authenticators}hosts:\n  - id: apps/web\n    authenticators: [prod]\n    annotations:\n      authn-k8s/namespace: demo\n`);

describe('tokenTtlsBelowConjurTimeout', () => {
  it('warns at the authenticator whose tokenTtl is under the Conjur client\'s 6m, and names both durations', () => {
    const p = policy('  - type: authn-k8s\n    id: prod\n    tokenTtl: 5m59s\n  - type: authn-jwt\n    id: jwt\n    tokenTtl: 1m\n    jwt:\n      audience: podid\n');
    expect(tokenTtlsBelowConjurTimeout(p).map(formatProblem)).toEqual([
      expect.stringMatching(/^policy\.yaml:3: authenticator "prod": tokenTtl 5m59s is shorter than the Conjur client's default CONJUR_TOKEN_TIMEOUT \(6m\)/),
      expect.stringMatching(/^policy\.yaml:6: authenticator "jwt": tokenTtl 1m is shorter/),
    ]);
  });

  it('is silent at 6m and above, and on the 8m default', () => {
    expect(tokenTtlsBelowConjurTimeout(policy('  - type: authn-k8s\n    id: prod\n    tokenTtl: 6m\n  - type: authn-k8s\n    id: other\n'))).toEqual([]);
  });

  it('is a warning: the policy still parses', () => {
    expect(() => policy('  - type: authn-k8s\n    id: prod\n    tokenTtl: 1m\n')).not.toThrow();
  });
});
