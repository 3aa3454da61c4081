import { Counter, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of the gateway, on the ops server's registry (never on the public port: the labels are an oracle). */
export interface GatewayMetrics {
  requests: Counter<'route' | 'status'>;
  duration: Histogram<'route' | 'status'>;
  certs: Counter<'result' | 'reason'>;
  tokens: Counter<'authenticator'>;
  rateLimited: Counter<'scope'>;
  connectionsShed: Counter<'reason'>;
  /** Platform gRPC API calls by RPC and stable code (`OK` for success). */
  platformCalls: Counter<'method' | 'code'>;
  /** Audit records the gateway could not append to the Redis audit stream. */
  auditStreamErrors: Counter;
}

/** Prefix of the gateway's rate-limit fallback metrics (FallbackRateLimiter's metricPrefix). */
export const GATEWAY_METRIC_PREFIX = 'podid_gateway';

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  return {
    requests: new Counter({ name: 'podid_gateway_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers }),
    duration: new Histogram({
      name: 'podid_gateway_http_request_duration_seconds',
      help: 'HTTP request duration by route and status.',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    certs: new Counter({ name: 'podid_gateway_certs_total', help: 'Certificate logins: issued, or refused by reason (stable code).', labelNames: ['result', 'reason'], registers }),
    tokens: new Counter({ name: 'podid_gateway_tokens_issued_total', help: 'Access tokens issued, by authenticator.', labelNames: ['authenticator'], registers }),
    rateLimited: new Counter({ name: 'podid_gateway_rate_limited_total', help: 'Requests refused with 429, by scope.', labelNames: ['scope'], registers }),
    connectionsShed: new Counter({ name: 'podid_gateway_connections_shed_total', help: 'Connections closed on accept, by reason (per_ip_cap, total_cap).', labelNames: ['reason'], registers }),
    platformCalls: new Counter({ name: 'podid_gateway_platform_calls_total', help: 'Platform gRPC API calls, by RPC and stable code (OK for success).', labelNames: ['method', 'code'], registers }),
    auditStreamErrors: new Counter({ name: 'podid_gateway_audit_stream_errors_total', help: 'Audit records that could not be appended to the Redis audit stream.', registers }),
  };
}
