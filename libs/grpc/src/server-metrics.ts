import { status } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Per-RPC request counts by outcome and durations, for every gRPC service. */
export interface ServerMetrics {
  observe(method: string, code: status, seconds: number): void;
}

export function createServerMetrics(registry: Registry | undefined): ServerMetrics {
  if (!registry) return { observe: () => undefined };
  const handled = new Counter({
    name: 'podid_grpc_server_handled_total',
    help: 'RPCs completed, by method and gRPC status code.',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'podid_grpc_server_handling_seconds',
    help: 'RPC handling time, by method.',
    labelNames: ['method'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    observe(method, code, seconds) {
      handled.inc({ method, code: status[code] ?? String(code) });
      duration.observe({ method }, seconds);
    },
  };
}
