import { PodidError } from './podid-error';

/** Input is malformed: bad PEM, bad encoding, a missing or out-of-range field. */
export class InvalidArgumentError extends PodidError {
  readonly kind = 'invalid_argument';
}

/** An identity check failed: the caller is not who it claims to be. */
export class UnauthenticatedError extends PodidError {
  readonly kind = 'unauthenticated';
}

/** The caller is known but lacks a privilege, or policy refuses the request. */
export class PermissionDeniedError extends PodidError {
  readonly kind = 'permission_denied';
}

/** A named thing (authenticator, host, pod, CA) does not exist. */
export class NotFoundError extends PodidError {
  readonly kind = 'not_found';
}

/** The thing being created exists already. */
export class AlreadyExistsError extends PodidError {
  readonly kind = 'already_exists';
}

/** The system is not in a state that allows the request (disabled, terminating). */
export class FailedPreconditionError extends PodidError {
  readonly kind = 'failed_precondition';
}

/** A rate limit or a bounded queue is full. `retryAfterSeconds` tells when to retry. */
export class ResourceExhaustedError extends PodidError {
  readonly kind = 'resource_exhausted';

  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(code, message);
  }
}

/** An operation ran out of time. */
export class DeadlineExceededError extends PodidError {
  readonly kind = 'deadline_exceeded';
}

/** An operation ran and failed in a way that is not the caller's fault (exec exit code). */
export class AbortedError extends PodidError {
  readonly kind = 'aborted';
}

/** A dependency (Redis, Kubernetes, another service) cannot be reached. */
export class DependencyUnavailableError extends PodidError {
  readonly kind = 'unavailable';
}

/** The request body exceeds a named limit. */
export class PayloadTooLargeError extends PodidError {
  readonly kind = 'payload_too_large';
}

/** The request body has a content type the route does not accept. */
export class UnsupportedMediaTypeError extends PodidError {
  readonly kind = 'unsupported_media_type';
}

const byKind = {
  invalid_argument: InvalidArgumentError,
  unauthenticated: UnauthenticatedError,
  permission_denied: PermissionDeniedError,
  not_found: NotFoundError,
  already_exists: AlreadyExistsError,
  failed_precondition: FailedPreconditionError,
  resource_exhausted: ResourceExhaustedError,
  deadline_exceeded: DeadlineExceededError,
  aborted: AbortedError,
  unavailable: DependencyUnavailableError,
  payload_too_large: PayloadTooLargeError,
  unsupported_media_type: UnsupportedMediaTypeError,
} as const;

/** Rebuilds a typed error from its kind, for example on the client side of a gRPC call. */
export function errorOfKind(kind: PodidError['kind'], code: string, message: string): PodidError {
  return new byKind[kind](code, message);
}
