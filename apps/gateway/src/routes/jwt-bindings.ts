import type { JwtBindings, ReviewTokenResponse } from '@podid/contracts';
import { UnauthenticatedError } from '@podid/errors';
import { decodeLogin, hostIdFromLogin } from '@podid/spiffe';
import { matchesAny } from '../protocol/glob-match';

/** Claims of a reviewed service-account token, by the names policy's `identity_claim` uses. */
function claimsOf(r: ReviewTokenResponse): Record<string, string> {
  return {
    namespace: r.namespace,
    service_account: r.serviceAccount,
    pod_name: r.podName,
    pod_uid: r.podUid,
    'kubernetes.io/namespace': r.namespace,
    'kubernetes.io/serviceaccount/name': r.serviceAccount,
    'kubernetes.io/pod/name': r.podName,
    'kubernetes.io/pod/uid': r.podUid,
    sub: `system:serviceaccount:${r.namespace}:${r.serviceAccount}`,
  };
}

/** Checks the reviewed token against the authenticator's bindings (namespaces, service accounts, pod names; globs). */
export function checkJwtBindings(b: JwtBindings, r: ReviewTokenResponse): void {
  const fail = (what: string, got: string, exp: readonly string[]) =>
    new UnauthenticatedError('AUTHN_JWT_BINDING_MISMATCH', `${what}: exp one of ${JSON.stringify(exp)} got=${JSON.stringify(got)}`);
  if (!matchesAny(r.namespace, b.namespaces)) throw fail('namespace', r.namespace, b.namespaces);
  if (!matchesAny(r.serviceAccount, b.serviceAccounts)) throw fail('service account', r.serviceAccount, b.serviceAccounts);
  if (!matchesAny(r.podName, b.podNames)) throw fail('pod name', r.podName, b.podNames);
}

/**
 * The host id of a JWT login: from the login in the URL (`host/<id>`), else
 * the identity claim's value joined to the host prefix (Conjur authn-jwt).
 */
export function jwtHostId(rawLogin: string | undefined, b: JwtBindings, r: ReviewTokenResponse): string {
  if (rawLogin !== undefined) {
    const id = hostIdFromLogin(decodeLogin(rawLogin));
    if (!id) throw new UnauthenticatedError('AUTHN_LOGIN_INVALID', 'login: exp=host/<id>');
    return id;
  }
  const claim = b.identityClaim || 'service_account';
  const value = claimsOf(r)[claim];
  if (!value) throw new UnauthenticatedError('AUTHN_JWT_BINDING_MISMATCH', `identity claim: exp=${JSON.stringify(claim)} in the token got=none`);
  const prefix = b.hostPrefix.replace(/^host\//, '').replace(/\/+$/, '');
  return prefix ? `${prefix}/${value}` : value;
}
