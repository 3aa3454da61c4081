import { FailedPreconditionError, NotFoundError, PermissionDeniedError } from '@podid/errors';
import type { AuthenticatorType, Policy, Resolution } from './policy';

/**
 * Answers whether `hostId` may log in through authenticator `serviceId` of
 * login method `type`, and with which restrictions. Throws NotFoundError
 * (AUTHENTICATOR_NOT_FOUND, HOST_NOT_FOUND), FailedPreconditionError
 * (AUTHENTICATOR_DISABLED) or PermissionDeniedError (HOST_NOT_PERMITTED).
 */
export function resolveHost(policy: Policy, serviceId: string, type: AuthenticatorType, hostId: string): Resolution {
  const authenticator = policy.authenticators.get(serviceId);
  if (!authenticator) throw new NotFoundError('AUTHENTICATOR_NOT_FOUND', `authenticator "${serviceId}" is not in policy`);
  if (!authenticator.enabled) throw new FailedPreconditionError('AUTHENTICATOR_DISABLED', `${authenticator.type}/${serviceId} is not enabled (Conjur CONJ00004E)`);
  const host = policy.hosts.get(hostId);
  if (!host) throw new NotFoundError('HOST_NOT_FOUND', `host "${hostId}" is not in policy`);
  if (authenticator.type !== type) {
    throw new PermissionDeniedError('HOST_NOT_PERMITTED', `authenticator "${serviceId}": exp=${type} got=${authenticator.type}`);
  }
  const binding = host.bindings.get(serviceId);
  if (!binding) throw new PermissionDeniedError('HOST_NOT_PERMITTED', `host "${hostId}" is not bound to ${type}/${serviceId} (Conjur CONJ00006E)`);
  return { hostId: host.id, authenticator, restrictions: binding.restrictions, containerName: binding.containerName };
}
