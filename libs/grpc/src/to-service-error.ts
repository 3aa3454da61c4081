import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { PodidError, ResourceExhaustedError } from '@podid/errors';
import { REQUEST_ID_KEY, type Logger } from '@podid/logging';
import { ERROR_CODE_KEY, KIND_TO_STATUS, RETRY_AFTER_KEY } from './status-map';

/**
 * The one place where a handler's error becomes a gRPC status. Typed errors
 * keep their kind, code and message; anything else is INTERNAL with a log id,
 * and the full error goes to the log only.
 */
export function toServiceError(err: unknown, requestId: string, log: Logger): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(REQUEST_ID_KEY, requestId);
  if (err instanceof PodidError) {
    metadata.set(ERROR_CODE_KEY, err.code);
    if (err instanceof ResourceExhaustedError) metadata.set(RETRY_AFTER_KEY, String(err.retryAfterSeconds));
    log.event('GRPC_CALL_FAILED', { code: err.code, kind: err.kind, reason: err.message });
    return { code: KIND_TO_STATUS[err.kind], details: err.message, metadata };
  }
  const logId = randomUUID();
  log.event('GRPC_INTERNAL_ERROR', { logId, err: err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : String(err) });
  return { code: status.INTERNAL, details: `internal error (logId=${logId})`, metadata };
}
