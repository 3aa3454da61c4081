import { ServerStatusError } from './client-errors';

/** Longest server message kept in a log line; error bodies are short, a proxy's HTML page is not. */
const MAX_MESSAGE_CHARS = 300;

/**
 * Builds the error for a status >= 300: `{"error":{"code","message","request_id"}}`
 * when the body has that shape (podid, Conjur), else the trimmed body text.
 * The request id falls back to the X-Request-Id header.
 */
export function parseErrorResponse(status: number, body: string, requestIdHeader: string | undefined): ServerStatusError {
  let code: string | undefined;
  let message: string | undefined;
  let requestId: string | undefined;
  try {
    const err = (JSON.parse(body) as { error?: Record<string, unknown> }).error;
    if (err && typeof err === 'object') {
      code = typeof err['code'] === 'string' ? err['code'] : undefined;
      message = typeof err['message'] === 'string' ? err['message'] : undefined;
      requestId = typeof err['request_id'] === 'string' ? err['request_id'] : undefined;
    }
  } catch {
    message = body.trim() || undefined;
  }
  return new ServerStatusError(status, code, message?.slice(0, MAX_MESSAGE_CHARS), requestId ?? requestIdHeader);
}
