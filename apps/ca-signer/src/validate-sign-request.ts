import type { SignRequest } from '@podid/contracts';
import { InvalidArgumentError } from '@podid/errors';
import { requireRange, requireString } from '@podid/grpc';
import { isPodUid, MAX_HOST_ID_LENGTH, MAX_SPIFFE_ID_LENGTH, requirePodSpiffeId } from '@podid/spiffe';

/**
 * Authenticator service ids: a DNS label (it becomes part of a Secret name
 * and of a directory path, so no `/`, `..` or uppercase).
 */
export const SERVICE_ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Leaf lifetime bounds from the contract (SignRequest.ttl_seconds). */
export const TTL_SECONDS = { min: 60, max: 2_592_000 } as const;

/** Throws INVALID_ARGUMENT(BAD_REQUEST) unless the service id matches SERVICE_ID_PATTERN. */
export function requireServiceId(value: string): string {
  requireString(value, 'service_id', 63);
  if (!SERVICE_ID_PATTERN.test(value)) throw new InvalidArgumentError('BAD_REQUEST', `service_id: exp=${SERVICE_ID_PATTERN} got=${JSON.stringify(value)}`);
  return value;
}

/** Checks every field but the CSR itself (checkCsr does that). */
export function validateSignRequest(req: SignRequest, trustDomain: string): void {
  requireServiceId(req.serviceId);
  if (!req.csrPem) throw new InvalidArgumentError('BAD_REQUEST', 'csr_pem is required');
  requireString(req.commonName, 'common_name', MAX_HOST_ID_LENGTH);
  requireString(req.spiffeId, 'spiffe_id', MAX_SPIFFE_ID_LENGTH);
  requirePodSpiffeId(req.spiffeId, trustDomain);
  if (!isPodUid(req.podUid)) throw new InvalidArgumentError('BAD_REQUEST', `pod_uid: exp=lowercase UUID got=${JSON.stringify(req.podUid.slice(0, 80))}`);
  requireRange(req.ttlSeconds, 'ttl_seconds', TTL_SECONDS.min, TTL_SECONDS.max);
}
