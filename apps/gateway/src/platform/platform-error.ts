import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { PodidError, ResourceExhaustedError } from '@podid/errors';
import { encodeRichStatus, ERROR_CODE_KEY, KIND_TO_STATUS, RETRY_AFTER_KEY, STATUS_DETAILS_KEY } from '@podid/grpc';
import { REQUEST_ID_KEY, type Logger } from '@podid/logging';
import { InvalidFieldError } from './invalid-field';

/**
 * The one place where a platform API error becomes a gRPC status: the kind's
 * status from libs/grpc's table, the message, and a google.rpc.Status with
 * ErrorInfo (reason = the stable code, metadata.field for a bad field,
 * metadata.request_id) and RetryInfo for RESOURCE_EXHAUSTED. Anything untyped is
 * INTERNAL with a log id; its details go to the log only.
 */
export function toPlatformError(err: unknown, requestId: string, log: Logger): Partial<ServiceError> & { code: status; reason: string } {
  const md = new Metadata();
  md.set(REQUEST_ID_KEY, requestId);
  let code: status;
  let message: string;
  let reason: string;
  let retry: number | undefined;
  const meta: Record<string, string> = { request_id: requestId };
  if (err instanceof PodidError) {
    code = KIND_TO_STATUS[err.kind];
    message = err.message;
    reason = err.code;
    if (err instanceof InvalidFieldError) meta['field'] = err.field;
    if (err instanceof ResourceExhaustedError) {
      retry = err.retryAfterSeconds;
      md.set(RETRY_AFTER_KEY, String(retry));
    }
  } else {
    const logId = randomUUID();
    log.event('PLATFORM_INTERNAL_ERROR', { logId, err: err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : String(err) });
    code = status.INTERNAL;
    message = `internal error (logId=${logId})`;
    reason = 'INTERNAL';
  }
  md.set(ERROR_CODE_KEY, reason);
  md.set(STATUS_DETAILS_KEY, encodeRichStatus({ code, message, reason, metadata: meta, retryDelaySeconds: retry }));
  return { code, details: message, metadata: md, reason };
}
