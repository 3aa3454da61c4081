import type { TlsMaterial } from '@podid/config';
import { startGrpcServer, type GrpcServerHandle } from '@podid/grpc';
import type { LogFields, Logger } from '@podid/logging';
import type { Registry } from 'prom-client';
import { startOpsServer, type OpsServer } from './ops-server';

/** The listening half of a gRPC service: stop() drains gRPC first, then closes the ops endpoint. */
export interface Serving {
  readonly grpc: GrpcServerHandle;
  readonly ops: OpsServer;
  stop(): Promise<void>;
}

/**
 * What every gRPC service's main does once its domain is built: the gRPC
 * server and the ops endpoint on the hosts and ports of serviceFields, one
 * metrics registry for both, then SERVICE_READY naming both ports.
 */
export async function serveGrpc(opts: {
  cfg: { readonly grpcHost: string; readonly grpcPort: number; readonly opsHost: string; readonly opsPort: number };
  tls: TlsMaterial;
  log: Logger;
  registry: Registry;
  services: Parameters<typeof startGrpcServer>[0]['services'];
  ready: () => boolean | Promise<boolean>;
  /** More SERVICE_READY fields, e.g. where credentials came from. */
  readyFields?: LogFields;
}): Promise<Serving> {
  const { cfg, log, registry } = opts;
  const grpc = await startGrpcServer({ host: cfg.grpcHost, port: cfg.grpcPort, tls: opts.tls, log, registry, services: opts.services });
  const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: opts.ready, registry });
  log.event('SERVICE_READY', { grpc_port: grpc.port, ops_port: ops.port, ...opts.readyFields });
  return {
    grpc,
    ops,
    stop: async () => {
      await grpc.stop();
      await ops.close();
    },
  };
}
