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
 * the token's implicit host (Conjur authn-jwt).
 */
export function jwtHostId(rawLogin: string | undefined, b: JwtBindings, r: ReviewTokenResponse): string {
  if (rawLogin !== undefined) {
    const id = hostIdFromLogin(decodeLogin(rawLogin));
    if (!id) throw new UnauthenticatedError('AUTHN_LOGIN_INVALID', 'login: exp=host/<id>');
    return id;
  }
  const id = implicitJwtHostId(b, r);
  if (!id) throw new UnauthenticatedError('AUTHN_JWT_BINDING_MISMATCH', `identity claim: exp=${JSON.stringify(identityClaimOf(b))} in the token got=none`);
  return id;
}

/**
 * Refuses a host the token is not bound to (docs/security-model.md, invariant 7):
 * a host that declares restrictions is bound by them (checked against the live
 * pod afterwards); one that declares none is bound only to the token whose
 * identity claim names it, so a URL login cannot take over another identity's host.
 */
export function checkJwtHostBound(hostId: string, hasRestrictions: boolean, b: JwtBindings, r: ReviewTokenResponse): void {
  if (hasRestrictions) return;
  const implicit = implicitJwtHostId(b, r);
  if (implicit === hostId) return;
  throw new UnauthenticatedError(
    'AUTHN_JWT_HOST_UNBOUND',
    `host "${hostId}" declares no restrictions, so only the token whose ${identityClaimOf(b)} claim names it may log in as it: exp=${JSON.stringify(implicit ?? 'a token with that claim')} got=${JSON.stringify(hostId)}`,
  );
}

/** The host id a token names by itself: hostPrefix + `/` + its identity claim's value; undefined when the claim is absent. */
function implicitJwtHostId(b: JwtBindings, r: ReviewTokenResponse): string | undefined {
  const value = claimsOf(r)[identityClaimOf(b)];
  if (!value) return undefined;
  const prefix = b.hostPrefix.replace(/^host\//, '').replace(/\/+$/, '');
  return prefix ? `${prefix}/${value}` : value;
}

function identityClaimOf(b: JwtBindings): string {
  return b.identityClaim || 'service_account';
}
