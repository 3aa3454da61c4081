import { Server, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import http2 from 'node:http2';
import { ReflectionService } from '@grpc/reflection';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { HealthImplementation } from 'grpc-health-check';
import { platformV1 } from '@podid/contracts';
import { DeadlineExceededError, InvalidArgumentError, PodidError } from '@podid/errors';
import { isMalformed, tolerantDefinition, type UnaryDefinition } from '@podid/grpc';
import { REQUEST_ID_KEY, requestIdFrom, runWithRequestId, type Logger } from '@podid/logging';
import type { RedisAuditStream, RevocationStore } from '@podid/redis-stores';
import { requireGrant, type Privilege } from '../auth/caller';
import type { GatewayDeps } from '../gateway-deps';
import { enforceRateLimits } from '../rate-limit/login-rate-limits';
import { requiredString } from './invalid-field';
import { authenticatePlatformCaller, type PlatformCaller } from './platform-caller';
import { peerCertificateOf } from './peer-certificate';
import { PlatformServerCredentials } from './platform-credentials';
import { toPlatformError } from './platform-error';
import { platformHandlers } from './platform-handlers';
import { reflectionDescriptors } from './reflection-descriptors';
import { MAX_REQUEST_BYTES, type PlatformSettings } from './platform-settings';
import { watchAudit } from './watch-audit';

export const PLATFORM_SERVICE = 'podid.platform.v1.PlatformService';

export interface PlatformServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** What admission of a call gives its handler. */
export interface Admitted {
  readonly caller: PlatformCaller;
  readonly signal: AbortSignal;
}

/**
 * Serves podid.platform.v1 on its own TLS port, with gRPC health and server
 * reflection. Every call is admitted in one order: a decodable request, a
 * deadline (capped), the peer-address rate limit, caller authentication
 * (certificate or token, platform-caller.ts), the per-caller rate limit, the
 * grant in policy; then the handler. Every call ends with one
 * AUDIT_PLATFORM_CALL line naming the caller, and every error leaves through
 * toPlatformError.
 */
export async function startPlatformServer(opts: {
  deps: GatewayDeps;
  settings: PlatformSettings;
  revocations: RevocationStore;
  auditStream: RedisAuditStream;
  certFile: string;
  keyFile: string;
  log: Logger;
  watchIntervalMs?: number;
}): Promise<PlatformServer> {
  const { deps, settings, log } = opts;
  const server = new Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    'grpc.max_concurrent_streams': 128,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
  const health = new HealthImplementation({ '': 'SERVING', [PLATFORM_SERVICE]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(reflectionDescriptors() as never).addToServer(server);

  const h = platformHandlers(deps, opts.revocations);
  const admit = admission(deps, settings, opts.revocations);
  const unary = <Req, Res, Pre = never>(method: string, grant: Grant<Req>, fn: (req: Req, caller: PlatformCaller, pre?: Promise<Pre>) => Promise<Res>, prefetch?: (req: Req) => Promise<Pre>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const requestId = requestIdFrom(call.metadata.get(REQUEST_ID_KEY)[0]);
      void runWithRequestId(requestId, async () => {
        const audit = new CallAudit(deps, method, call.getPeer());
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), Math.max(0, deadlineMs(call.getDeadline(), settings.maxDeadlineMs)));
        call.on('cancelled', () => controller.abort());
        try {
          let pre: Promise<Pre> | undefined;
          const { caller } = await admit(call, grant, audit, controller.signal, () => {
            pre = prefetch?.(call.request);
            pre?.catch(() => undefined);
          });
          const res = await untilAborted(fn(call.request, caller, pre), controller.signal);
          audit.done();
          callback(null, res);
        } catch (e) {
          const err = toPlatformError(e, requestId, log);
          audit.done(err.reason);
          callback(err);
        } finally {
          clearTimeout(timer);
        }
      });
    };

  const impl: UntypedServiceImplementation = {
    // A read without side effects: it starts with authentication, and its answer is only used once the caller is admitted.
    introspect: unary('Introspect', { privilege: 'introspect' }, h.introspect, h.prefetchIntrospect),
    revoke: unary('Revoke', { privilege: 'revoke' }, h.revoke),
    explainLogin: unary('ExplainLogin', { privilege: 'explain' }, (req: platformV1.ExplainLoginRequest) => h.explainLogin(req)),
    listAuthenticators: unary('ListAuthenticators', { privilege: 'read' }, () => h.listAuthenticators()),
    getAuthenticator: unary('GetAuthenticator', { privilege: 'read' }, (req: platformV1.GetAuthenticatorRequest) => h.getAuthenticator(req)),
    getStatus: unary('GetStatus', { privilege: 'status', serviceId: (r: platformV1.GetStatusRequest) => requiredString(r.authenticator, 'authenticator', 128) }, (req: platformV1.GetStatusRequest) =>
      h.getStatus(req),
    ),
    watchAudit: (call: ServerWritableStream<platformV1.WatchAuditRequest, platformV1.WatchAuditResponse>) => {
      const requestId = requestIdFrom(call.metadata.get(REQUEST_ID_KEY)[0]);
      void runWithRequestId(requestId, async () => {
        const audit = new CallAudit(deps, 'WatchAudit', call.getPeer());
        const controller = new AbortController();
        call.on('cancelled', () => controller.abort());
        // A stream runs until the client's deadline or cancel; admission itself is bounded like a unary call.
        const admitTimer = setTimeout(() => controller.abort(), settings.maxDeadlineMs);
        try {
          const { caller } = await admit(call, { privilege: 'audit' }, audit, controller.signal);
          clearTimeout(admitTimer);
          audit.admitted();
          const recheck = async () => void (await admit(call, { privilege: 'audit' }, new CallAudit(deps, 'WatchAudit', call.getPeer()), controller.signal));
          await watchAudit({ call, stream: opts.auditStream, settings, signal: controller.signal, log, caller, recheck });
          audit.done();
          call.end();
        } catch (e) {
          const err = toPlatformError(e, requestId, log);
          audit.done(err.reason);
          endWithError(call, err);
        } finally {
          clearTimeout(admitTimer);
        }
      });
    },
  };
  server.addService(tolerantDefinition(platformV1.PlatformServiceService as unknown as Record<string, UnaryDefinition>) as never, impl);

  const readPair = () => ({ cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) });
  const creds = new PlatformServerCredentials(readPair());
  const onChange = (cur: { mtimeMs: number; ino: number }, prev: { mtimeMs: number; ino: number }) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.ino === prev.ino) return;
    try {
      creds.reload(readPair());
      log.event('GATEWAY_TLS_RELOADED', { cert_file: opts.certFile, listener: 'platform' });
    } catch (e) {
      log.event('GATEWAY_TLS_RELOAD_FAILED', { cert_file: opts.certFile, key_file: opts.keyFile, listener: 'platform', err: e instanceof Error ? e.message : String(e) });
    }
  };
  const interval = opts.watchIntervalMs ?? 2000;
  watchFile(opts.certFile, { interval, persistent: false }, onChange);
  watchFile(opts.keyFile, { interval, persistent: false }, onChange);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(`${settings.host}:${settings.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
  log.event('PLATFORM_API_LISTENING', { host: settings.host, port });
  return {
    port,
    async stop() {
      unwatchFile(opts.certFile, onChange);
      unwatchFile(opts.keyFile, onChange);
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(PLATFORM_SERVICE, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 3000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** How long a dropped WatchAudit client gets to read what is buffered (and then the status) before its stream is reset. */
const DROP_GRACE_MS = 10_000;

/**
 * Ends a server stream with an error status. grpc-js sends the status after
 * the messages already buffered, so a client that does not read would never
 * see it: after DROP_GRACE_MS its HTTP/2 stream is reset instead. Nothing more
 * is written either way, so the buffer stays bounded.
 */
function endWithError(call: ServerWritableStream<unknown, unknown>, err: Partial<ServiceError>): void {
  const timer = setTimeout(() => {
    const stream = (call as unknown as { call?: { stream?: { close?: (code: number) => void } } }).call?.stream;
    stream?.close?.(http2.constants.NGHTTP2_CANCEL);
  }, DROP_GRACE_MS);
  timer.unref();
  call.once('finish', () => clearTimeout(timer));
  call.emit('error', err);
}

/** The grant a method needs; `serviceId` scopes it to an authenticator (and validates that field). */
interface Grant<Req> {
  privilege: Privilege;
  serviceId?: (req: Req) => string;
}

type AnyCall<Req> = Pick<ServerUnaryCall<Req, unknown>, 'request' | 'metadata' | 'getPeer'>;

function admission(deps: GatewayDeps, settings: PlatformSettings, revocations: RevocationStore) {
  const specs = { ip: settings.rate, host: settings.rate, pod: settings.rate };
  const onLimited = (scope: string) => {
    deps.metrics.rateLimited.inc({ scope: `platform-${scope}` });
    deps.log.event('RATE_LIMITED', { scope: `platform-${scope}` });
  };
  /** `started` runs once the peer address is within its limit: work that may begin alongside authentication. */
  return async <Req>(call: AnyCall<Req>, grant: Grant<Req>, audit: CallAudit, signal: AbortSignal, started?: () => void): Promise<Admitted> => {
    if (isMalformed(call.request)) throw new InvalidArgumentError('BAD_MESSAGE', `request: exp=a ${PLATFORM_SERVICE} message got=${call.request.reason}`);
    await untilAborted(enforceRateLimits(deps.limiter, specs, [['ip', `platform:${peerAddress(call.getPeer())}`]], onLimited), signal);
    started?.();
    let caller: PlatformCaller;
    try {
      caller = await untilAborted(authenticatePlatformCaller(deps, revocations, call.metadata, peerCertificateOf(call)), signal);
    } catch (e) {
      if (e instanceof PodidError && e.kind === 'unauthenticated') deps.log.event('PLATFORM_CALLER_INVALID', { code: e.code, reason: e.message, peer: call.getPeer() });
      throw e;
    }
    audit.caller = caller;
    // Both must pass; the grant is asked of policy while the bucket is taken. A refused grant still costs a token, so no caller floods policy.
    const serviceId = grant.serviceId?.(call.request) ?? '';
    const [limited, granted] = await untilAborted(
      Promise.allSettled([enforceRateLimits(deps.limiter, specs, [['host', `platform:${caller.hostId}`]], onLimited), requireGrant(deps, caller, grant.privilege, serviceId)]),
      signal,
    );
    // The limit's answer first, whichever came back first: a flood is told to slow down.
    if (limited.status === 'rejected') throw limited.reason;
    if (granted.status === 'rejected') throw granted.reason;
    return { caller, signal };
  };
}

/** One AUDIT_PLATFORM_CALL line (and stream entry) per call, with the caller once it is known. */
class CallAudit {
  caller: PlatformCaller | undefined;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly method: string,
    private readonly peer: string,
  ) {}

  /** Streams log their admission at once too: they may run for hours. */
  admitted(): void {
    this.deps.log.event('AUDIT_PLATFORM_CALL', { ...this.fields(), result: 'admitted' });
  }

  done(code?: string): void {
    const fields = { ...this.fields(), ...(code ? { code } : {}) };
    const result = code ? 'failure' : 'success';
    this.deps.metrics.platformCalls.inc({ method: this.method, code: code ?? 'OK' });
    this.deps.log.event('AUDIT_PLATFORM_CALL', { ...fields, result });
    this.deps.audit.append('AUDIT_PLATFORM_CALL', result, fields);
  }

  private fields() {
    const c = this.caller;
    return { method: this.method, caller: c?.hostId ?? 'unauthenticated', via: c?.via, jti: c?.jti, cert_serial: c?.certSerial, peer: this.peer };
  }
}

/** The deadline a call gets: the client's, capped at `maxMs`; no deadline means `maxMs`. */
export function deadlineMs(deadline: Date | number, maxMs: number): number {
  const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  return Number.isFinite(at) ? Math.min(maxMs, at - Date.now()) : maxMs;
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DeadlineExceededError('DEADLINE_EXCEEDED', 'call: exp=done before its deadline got=deadline passed or cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineExceededError('DEADLINE_EXCEEDED', 'call: exp=done before its deadline got=deadline passed or cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** `ipv4:1.2.3.4:5678` / `ipv6:[::1]:5678` to the address alone, for the per-address bucket. */
function peerAddress(peer: string): string {
  const m = /^(?:ipv4:|ipv6:)?\[?([^\]]+?)\]?:\d+$/.exec(peer);
  return m ? m[1]! : peer;
}
