import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PodidError } from '@podid/errors';
import { REQUEST_ID_KEY, requestIdFrom, runWithRequestId, type Logger } from '@podid/logging';
import type { GatewayMetrics } from '../gateway-metrics';
import { httpErrorOf } from './http-status';
import { sendError, sendJson } from './respond';
import { matchRoute, MAX_PATH_LENGTH, type Route } from './route';

/**
 * The one entry point for every HTTPS request: request id (echoed in
 * X-Request-Id), routing, the error table, metrics and the access log line.
 * Nothing a client sends can turn into a 500 or a stack trace: typed errors
 * map through the table, anything else is 500 with only a logId.
 */
export function createRequestHandler(deps: { routes: readonly Route[]; log: Logger; metrics: GatewayMetrics }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_KEY]);
    const started = process.hrtime.bigint();
    res.setHeader('x-request-id', requestId);
    let label = 'unmatched';
    res.on('finish', () => {
      const status = String(res.statusCode);
      deps.metrics.requests.inc({ route: label, status });
      deps.metrics.duration.observe({ route: label, status }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    // A socket error after the client went away must not become an uncaught exception.
    req.on('error', () => undefined);
    runWithRequestId(requestId, () => {
      const raw = req.url ?? '/';
      const path = raw.split('?')[0]!;
      if (!path.startsWith('/') || path.length > MAX_PATH_LENGTH) {
        return refuse(res, requestId, deps.log, 400, 'bad_path', `path: exp=/... of at most ${MAX_PATH_LENGTH} chars`);
      }
      const m = matchRoute(deps.routes, req.method ?? '', path);
      if (m.kind === 'none') return refuse(res, requestId, deps.log, 404, 'not_found', 'no such route');
      if (m.kind === 'method') return refuse(res, requestId, deps.log, 405, 'method_not_allowed', `method: exp=${m.allow.join(' or ')}`, { allow: m.allow.join(', ') });
      label = m.route.name;
      const route = m.route;
      route.handle({ req, res, params: m.params, requestId, clientIp: req.socket.remoteAddress ?? '' }).catch((err: unknown) => {
        if (err instanceof PodidError) {
          const shape = httpErrorOf(err, route.class);
          if (shape.status === 413) {
            // Stop reading an oversized body: answer, then drop the connection shortly after.
            res.setHeader('connection', 'close');
            res.on('finish', () => setTimeout(() => req.socket.destroy(), 500).unref());
          }
          if (shape.status === 503) deps.log.event('GATEWAY_UPSTREAM_UNAVAILABLE', { route: route.name, code: err.code, reason: err.message });
          else if (shape.status < 401 || shape.status > 403) deps.log.event('GATEWAY_BAD_REQUEST', { route: route.name, status: shape.status, code: err.code, reason: err.message });
          return sendError(res, shape, requestId);
        }
        const logId = randomUUID();
        deps.log.event('HTTP_INTERNAL_ERROR', { logId, route: route.name, err: err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : String(err) });
        sendJson(res, 500, { error: { code: 'internal', message: `internal error (logId=${logId})`, request_id: requestId } });
      });
    });
  };
}

function refuse(res: ServerResponse, requestId: string, log: Logger, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  log.event('GATEWAY_BAD_REQUEST', { status, code });
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendError(res, { status, code, message, generic: false }, requestId);
}
