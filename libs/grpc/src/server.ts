import { Server, ServerCredentials, status, Metadata, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { TlsMaterial } from '@podid/config';
import { runWithRequestId, requestIdFrom, REQUEST_ID_KEY, type Logger } from '@podid/logging';
import type { Registry } from 'prom-client';
import { serviceNameOf } from './peer-identity';
import { createServerMetrics, type ServerMetrics } from './server-metrics';
import { toServiceError } from './to-service-error';
import { isMalformed, tolerantDefinition, type UnaryDefinition } from './tolerant-definition';

/** What a handler knows about its call. */
export interface CallContext {
  /** Service name of the caller, from its certificate. */
  readonly caller: string;
  readonly requestId: string;
  /** Aborts when the deadline passes or the caller cancels. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

type ReqOf<M> = M extends { requestDeserialize: (b: Buffer) => infer R } ? R : never;
type ResOf<M> = M extends { responseSerialize: (v: infer R) => Buffer } ? R : never;

/** Async handlers keyed like the generated service definition. */
export type Handlers<D> = { [K in keyof D]: (req: ReqOf<D[K]>, ctx: CallContext) => Promise<ResOf<D[K]>> };
/** Allowed caller service names per method; deny by default. */
export type AllowList<D> = { [K in keyof D]: readonly string[] };

export interface ServiceRegistration<D> {
  /** Full service name for health, e.g. `authn.v1.Policy`. */
  name: string;
  definition: D;
  handlers: Handlers<D>;
  allow: AllowList<D>;
}

export interface GrpcServerHandle {
  readonly port: number;
  readonly health: HealthImplementation;
  /** Sets health NOT_SERVING, drains in-flight calls for up to graceMs, then forces close. */
  stop(graceMs?: number): Promise<void>;
}

/** Type-erases a registration so that several services can be passed in one list. */
export function service<D extends Record<string, UnaryDefinition>>(reg: ServiceRegistration<D>): ServiceRegistration<Record<string, UnaryDefinition>> {
  return reg as unknown as ServiceRegistration<Record<string, UnaryDefinition>>;
}

/**
 * Starts a gRPC server over mutual TLS. A caller without a certificate from
 * our CA fails the handshake; a caller not on a method's allow-list gets
 * PERMISSION_DENIED; malformed messages get INVALID_ARGUMENT.
 */
export async function startGrpcServer(opts: {
  host?: string;
  port: number;
  tls: TlsMaterial;
  services: ServiceRegistration<Record<string, UnaryDefinition>>[];
  log: Logger;
  /** Where per-RPC metrics go (the ops server's registry). */
  registry?: Registry;
}): Promise<GrpcServerHandle> {
  const metrics = createServerMetrics(opts.registry);
  const server = new Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  for (const svc of opts.services) {
    const impl: UntypedServiceImplementation = {};
    for (const [method, def] of Object.entries(svc.definition)) {
      const allowed = svc.allow[method] ?? [];
      const handler = svc.handlers[method];
      if (!handler) throw new Error(`${svc.name}: no handler for ${method}`);
      impl[method] = wrapUnary(def.path, allowed, handler, opts.log, metrics);
    }
    server.addService(tolerantDefinition(svc.definition) as never, impl);
    health.setStatus(svc.name, 'NOT_SERVING');
  }
  const creds = ServerCredentials.createSsl(Buffer.from(opts.tls.caPem), [{ cert_chain: Buffer.from(opts.tls.certPem), private_key: Buffer.from(opts.tls.keyPem) }], true);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host ?? '127.0.0.1'}:${opts.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  health.setStatus('', 'SERVING');
  for (const svc of opts.services) health.setStatus(svc.name, 'SERVING');
  return {
    port,
    health,
    async stop(graceMs = 5000) {
      health.setStatus('', 'NOT_SERVING');
      for (const svc of opts.services) health.setStatus(svc.name, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function wrapUnary(
  path: string,
  allowed: readonly string[],
  handler: (req: unknown, ctx: CallContext) => Promise<unknown>,
  baseLog: Logger,
  metrics: ServerMetrics,
) {
  return (call: ServerUnaryCall<unknown, unknown>, rawCallback: sendUnaryData<unknown>) => {
    const started = process.hrtime.bigint();
    const callback: sendUnaryData<unknown> = (err, value) => {
      metrics.observe(path, err ? (err.code ?? status.UNKNOWN) : status.OK, Number(process.hrtime.bigint() - started) / 1e9);
      rawCallback(err, value);
    };
    const requestId = requestIdFrom(call.metadata.get(REQUEST_ID_KEY)[0]);
    runWithRequestId(requestId, () => {
      const caller = serviceNameOf(call.getAuthContext().sslPeerCertificate);
      const log = baseLog.child({ method: path, caller: caller ?? 'unknown' });
      const fail = (code: status, details: string) => {
        const md = new Metadata();
        md.set(REQUEST_ID_KEY, requestId);
        callback({ code, details, metadata: md });
      };
      if (!caller) {
        log.event('GRPC_CALLER_UNIDENTIFIED');
        return fail(status.PERMISSION_DENIED, 'caller certificate names no podid service');
      }
      if (!allowed.includes(caller)) {
        log.event('GRPC_CALLER_DENIED', { allowed });
        return fail(status.PERMISSION_DENIED, `caller "${caller}" may not call ${path}`);
      }
      if (isMalformed(call.request)) {
        log.event('GRPC_BAD_MESSAGE', { reason: call.request.reason });
        return fail(status.INVALID_ARGUMENT, `malformed ${path} request: ${call.request.reason}`);
      }
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort(new Error('cancelled by caller')));
      const deadline = call.getDeadline();
      const ms = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
      const timer = Number.isFinite(ms) ? setTimeout(() => controller.abort(new Error('deadline exceeded')), Math.max(0, ms)) : undefined;
      handler(call.request, { caller, requestId, signal: controller.signal, log }).then(
        (res) => {
          clearTimeout(timer);
          callback(null, res);
        },
        (err: unknown) => {
          clearTimeout(timer);
          callback(toServiceError(err, requestId, log));
        },
      );
    });
  };
}
