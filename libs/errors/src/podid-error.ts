/**
 * The transport-neutral class of a failure. Each boundary (gRPC, HTTP) maps a
 * kind to its own status in exactly one table.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'deadline_exceeded'
  | 'aborted'
  | 'unavailable'
  | 'payload_too_large'
  | 'unsupported_media_type';

/**
 * Base of every expected failure. `code` is a stable, operator-facing event
 * code (for example `POD_NOT_FOUND`); `message` says what was expected and
 * what was got, and never carries key material.
 */
export abstract class PodidError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
