import { PermissionDeniedError } from '@podid/errors';
import type { Policy, Privilege } from './policy';

/**
 * Succeeds when the host holds the privilege. Grants are suite-wide; when a
 * serviceId is given it must also name an authenticator in policy. Otherwise
 * throws PermissionDeniedError('PRIVILEGE_MISSING').
 */
export function authorizeHost(policy: Policy, hostId: string, privilege: Privilege, serviceId?: string): void {
  const host = policy.hosts.get(hostId);
  if (!host) throw new PermissionDeniedError('PRIVILEGE_MISSING', `host "${hostId}" is not in policy, so it holds no ${privilege} grant`);
  if (!host.grants.includes(privilege)) throw new PermissionDeniedError('PRIVILEGE_MISSING', `host "${hostId}": grants exp=${privilege} got=[${host.grants.join(', ')}]`);
  if (serviceId && !policy.authenticators.has(serviceId)) {
    throw new PermissionDeniedError('PRIVILEGE_MISSING', `host "${hostId}": ${privilege} applies to configured authenticators; "${serviceId}" is not one`);
  }
}
