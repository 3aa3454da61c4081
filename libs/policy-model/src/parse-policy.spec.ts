import { parsePolicy } from './parse-policy';
import { MAX_POLICY_FILE_BYTES } from './policy-file-reader';
import { PolicyInvalidError } from './policy-problem';
import { policyOf, problemsOf } from './testing/policy-fixtures';

const authnFile = 'account: default\nauthenticators:\n  - type: authn-k8s\n    id: prod\n';
const hostFile = (id: string) => `hosts:\n  - id: ${id}\n    authenticators: [prod]\n    annotations:\n      authn-k8s/namespace: demo\n`;

describe('parsePolicy', () => {
  it('merges files: authenticators from one, hosts from others, account stated once or identically', () => {
    const p = parsePolicy([
      { name: 'authn.yaml', text: authnFile },
      { name: 'team-a.yaml', text: hostFile('a/web') },
      { name: 'team-b.yaml', text: `account: default\n${hostFile('b/web')}` },
      { name: 'empty.yaml', text: '' },
    ]);
    expect(p.account).toBe('default');
    expect([...p.hosts.keys()]).toEqual(['a/web', 'b/web']);
    expect(p.hosts.get('b/web')?.source).toEqual({ file: 'team-b.yaml', line: 3 });
    expect(p.files).toEqual(['authn.yaml', 'team-a.yaml', 'team-b.yaml', 'empty.yaml']);
  });

  it('names both files for duplicates and for disagreeing accounts', () => {
    expect(problemsOf({ name: 'a.yaml', text: authnFile + hostFile('x/web').replace('hosts:\n', 'hosts:\n') }, { name: 'b.yaml', text: `account: other\n${authnFile.replace('account: default\n', '')}${hostFile('x/web')}` })).toEqual([
      'b.yaml:1: account "other" disagrees with account "default" in a.yaml:1',
      'b.yaml:3: authenticator "prod" is already defined at a.yaml:3',
      'b.yaml:6: host "x/web" is already defined at a.yaml:6',
    ]);
  });

  it('requires an account and defined authenticators', () => {
    expect(problemsOf(hostFile('x/web'))).toEqual([
      'policy.yaml: account is required in one of the policy files',
      'policy.yaml:3: host "x/web": authenticator "prod" is not defined in any policy file',
    ]);
    // Found by the property test: an empty `account:` used to crash the parser with a TypeError.
    expect(problemsOf('account:\n')).toEqual(['policy.yaml: account is required in one of the policy files']);
    expect(problemsOf('account: ~\n', 'hosts: []\n')).toEqual(['policy.yaml: account is required in one of the policy files']);
  });

  it('reports every problem of every file at once, in file and line order', () => {
    const bad = `account: default\nauthenticators:\n  - type: authn-k8s\n    id: prod\n    tokenTtl: 1y\nhosts:\n  - id: host/x\n    authenticators: []\n  - id: ok/web\n    authenticators: [prod, prod]\n    grants: [status, admin]\n    annotations:\n      authn-k8s/namespace: demo\n      authn-k8s/deployment: a\n      authn-k8s/stateful-set: b\n`;
    expect(problemsOf(bad, 'hosts: 3\n')).toEqual([
      'policy.yaml:5: authenticator "prod": tokenTtl: expected a duration such as 8m or 24h (1m..5h), got "1y"',
      'policy.yaml:7: host "host/x": write the id without "host/" (the login is host/<id>)',
      'policy.yaml:8: host "host/x": authenticators must list at least one authenticator id',
      'policy.yaml:10: host "ok/web": authenticator "prod" is listed twice',
      'policy.yaml:11: host "ok/web": unknown grant "admin" (expected one of status, introspect, revoke, explain, audit, read)',
      'policy.yaml:15: host "ok/web": authn-k8s/deployment and authn-k8s/stateful-set cannot be combined (Conjur CONJ00055E)',
      'policy-1.yaml:1: hosts: expected a list, got number 3',
    ]);
  });

  it('locates YAML syntax errors and refuses Conjur policy, aliases, non-mappings and oversize files', () => {
    expect(problemsOf('account: default\nhosts:\n  - id: a\n   bad: [\n')[0]).toMatch(/^policy\.yaml:4: YAML: /);
    expect(problemsOf('- !host\n  id: x\n')[0]).toBe('policy.yaml:1: YAML: Unresolved tag: !host (Conjur policy tags such as !host are not podid policy; see docs/policy.md, "Migrating")');
    expect(problemsOf('account: default\nauthenticators:\n  - &a {type: authn-k8s, id: p}\n  - *a\n')).toEqual(['policy.yaml:4: authenticator: YAML aliases are not supported']);
    expect(problemsOf('- a\n')).toEqual(['policy.yaml:1: policy: expected a mapping, got a list']);
    expect(problemsOf('account: default\naccount: other\n')).toEqual(['policy.yaml:2: YAML: Map keys must be unique']);
    expect(problemsOf(`account: default\n#${'x'.repeat(MAX_POLICY_FILE_BYTES)}\n`)).toEqual([`policy.yaml: file is larger than ${MAX_POLICY_FILE_BYTES} bytes`]);
    expect(problemsOf('account: default\nsecrets: []\n')).toEqual(['policy.yaml:2: policy: unknown field "secrets" (expected one of account, authenticators, hosts)']);
  });

  it('needs at least one file', () => {
    expect(() => parsePolicy([])).toThrow(PolicyInvalidError);
  });

  it('carries the problems in a typed INVALID_ARGUMENT error with a readable message', () => {
    try {
      policyOf('account: "a b"\n');
      throw new Error('not reached');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyInvalidError);
      expect((e as PolicyInvalidError).kind).toBe('invalid_argument');
      expect((e as PolicyInvalidError).code).toBe('POLICY_INVALID');
      expect((e as Error).message).toBe('policy has 1 problem(s):\npolicy.yaml:1: account must match /^[A-Za-z0-9._-]{1,128}$/, got "a b"');
    }
  });
});
