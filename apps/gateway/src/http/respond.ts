import type { ServerResponse } from 'node:http';
import type { HttpErrorShape } from './http-status';

/** Headers on every answer: no caching of tokens, no sniffing. */
const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

export function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...COMMON, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  send(res, status, '', headers);
}

/** `{"error":{"code","message","request_id"}}`, the shape Conjur's clients parse. */
export function sendError(res: ServerResponse, err: HttpErrorShape, requestId: string): void {
  const headers: Record<string, string> = {};
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
  sendJson(res, err.status, { error: { code: err.code, message: err.message, request_id: requestId } }, headers);
}
