import { status } from '@grpc/grpc-js';
import type { ErrorKind } from '@podid/errors';

/** The one table from error kind to gRPC status. */
export const KIND_TO_STATUS: Record<ErrorKind, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  aborted: status.ABORTED,
  unavailable: status.UNAVAILABLE,
  payload_too_large: status.INVALID_ARGUMENT,
  unsupported_media_type: status.INVALID_ARGUMENT,
};

/** The reverse, for clients. INTERNAL, UNKNOWN and the rest have no kind: they are bugs, not outcomes. */
export const STATUS_TO_KIND: Partial<Record<status, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: 'invalid_argument',
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.PERMISSION_DENIED]: 'permission_denied',
  [status.NOT_FOUND]: 'not_found',
  [status.ALREADY_EXISTS]: 'already_exists',
  [status.FAILED_PRECONDITION]: 'failed_precondition',
  [status.RESOURCE_EXHAUSTED]: 'resource_exhausted',
  [status.DEADLINE_EXCEEDED]: 'deadline_exceeded',
  [status.CANCELLED]: 'unavailable',
  [status.ABORTED]: 'aborted',
  [status.UNAVAILABLE]: 'unavailable',
};

/** Trailer keys that carry the typed error across the wire. */
export const ERROR_CODE_KEY = 'podid-error-code';
export const RETRY_AFTER_KEY = 'podid-retry-after';
