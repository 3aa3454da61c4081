import { AUTHENTICATOR_TYPES, type Authenticator, type AuthenticatorType, type Policy } from './policy';

export interface AuthenticatorList {
  /** Every type this build supports. */
  readonly installed: readonly AuthenticatorType[];
  /** `type/id` of every authenticator in policy, sorted. */
  readonly configured: readonly string[];
  /** `type/id` of the enabled ones, sorted. */
  readonly enabled: readonly string[];
  readonly authenticators: readonly Authenticator[];
}

/** Installed, configured and enabled authenticators, in Conjur's `authn-k8s/<id>` form. */
export function listAuthenticators(policy: Policy): AuthenticatorList {
  const all = [...policy.authenticators.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const name = (a: Authenticator) => `${a.type}/${a.id}`;
  return {
    installed: AUTHENTICATOR_TYPES,
    configured: all.map(name),
    enabled: all.filter((a) => a.enabled).map(name),
    authenticators: all,
  };
}
