import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export interface OpsServer {
  readonly port: number;
  readonly registry: Registry;
  close(): Promise<void>;
}

/**
 * Plain-HTTP operations endpoint for kubelet probes and Prometheus:
 * /healthz (process alive), /readyz (ready() resolves true) and /metrics.
 */
export async function startOpsServer(opts: { host?: string; port: number; ready: () => boolean | Promise<boolean>; registry?: Registry }): Promise<OpsServer> {
  const registry = opts.registry ?? new Registry();
  if (!opts.registry) collectDefaultMetrics({ register: registry });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'application/json') => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, '{"status":"method not allowed"}');
    if (path === '/healthz') return send(200, '{"status":"ok"}');
    if (path === '/readyz') {
      Promise.resolve()
        .then(opts.ready)
        .then(
          (ok) => send(ok ? 200 : 503, ok ? '{"status":"ready"}' : '{"status":"not ready"}'),
          () => send(503, '{"status":"not ready"}'),
        );
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then((m) => send(200, m, registry.contentType), () => send(500, ''));
      return;
    }
    send(404, '{"status":"not found"}');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '0.0.0.0', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A registry with Node's default process metrics, shared by a service's gRPC server and its ops endpoint. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
