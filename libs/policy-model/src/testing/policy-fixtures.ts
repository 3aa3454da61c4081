import { parsePolicy } from '../parse-policy';
import type { Policy } from '../policy';
import { formatProblem, PolicyInvalidError } from '../policy-problem';

/** Test helper: a policy with one authn-k8s authenticator `prod`, one authn-jwt `jwt`, and the given hosts YAML. */
export function withHosts(hostsYaml: string): string {
  return `account: default
authenticators:
  - type: authn-k8s
    id: prod
  - type: authn-jwt
    id: jwt
    jwt:
      audience: podid
hosts:
${hostsYaml}`;
}

/** Test helper: parses one file named policy.yaml. */
export function policyOf(text: string, name = 'policy.yaml'): Policy {
  return parsePolicy([{ name, text }]);
}

/** Test helper: the formatted problems of invalid policy files; fails the test if they are valid. */
export function problemsOf(...files: Array<string | { name: string; text: string }>): string[] {
  const sources = files.map((f, i) => (typeof f === 'string' ? { name: i === 0 ? 'policy.yaml' : `policy-${i}.yaml`, text: f } : f));
  try {
    parsePolicy(sources);
  } catch (e) {
    if (e instanceof PolicyInvalidError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error('expected the policy to be invalid');
}
