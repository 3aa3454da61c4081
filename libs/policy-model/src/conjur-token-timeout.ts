import { formatDuration } from '@podid/units';
import type { Policy } from './policy';
import type { PolicyProblem } from './policy-problem';

/** The Conjur client's default CONJUR_TOKEN_TIMEOUT: it re-authenticates this often, whatever the token's expiry. */
export const CONJUR_TOKEN_TIMEOUT_MS = 6 * 60_000;

/**
 * Authenticators whose tokenTtl is under the Conjur client's re-authentication
 * period (docs/conjur-compatibility.md section 7): a Conjur sidecar on its
 * default would hold an expired token for part of every cycle. One warning
 * per authenticator, at its line; the policy is valid all the same.
 */
export function tokenTtlsBelowConjurTimeout(policy: Policy): PolicyProblem[] {
  return [...policy.authenticators.values()]
    .filter((a) => a.tokenTtlMs < CONJUR_TOKEN_TIMEOUT_MS)
    .map((a) => ({
      file: a.source.file,
      line: a.source.line,
      message:
        `authenticator "${a.id}": tokenTtl ${formatDuration(a.tokenTtlMs)} is shorter than the Conjur client's default CONJUR_TOKEN_TIMEOUT ` +
        `(${formatDuration(CONJUR_TOKEN_TIMEOUT_MS)}), so Conjur sidecars hold expired tokens until they re-authenticate; ` +
        `set tokenTtl to at least ${formatDuration(CONJUR_TOKEN_TIMEOUT_MS)}, or CONJUR_TOKEN_TIMEOUT below tokenTtl in those sidecars`,
    }));
}
