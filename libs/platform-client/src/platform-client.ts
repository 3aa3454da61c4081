import { credentials, Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { platformV1 } from '@podid/contracts';
import { decodeRichStatus, STATUS_DETAILS_KEY } from '@podid/grpc';

/** How to reach and authenticate to the platform API (docs/api.md, Platform gRPC API). */
export interface PlatformClientOptions {
  /** `host:port` of the gateway's platform port. */
  readonly server: string;
  /** CA of the gateway's serving certificate, PEM; default: the system roots. */
  readonly caPem?: string;
  /** A podid access token (flattened JSON or compact); sent as `authorization` metadata. */
  readonly token?: string;
  /** Or a podid client certificate and key, PEM, with the login they prove. */
  readonly cert?: { readonly certPem: string; readonly keyPem: string; readonly authenticator: string; readonly host: string };
  /** Deadline of each unary call; default 10 s. */
  readonly deadlineMs?: number;
  /** TLS server name to check instead of the server's host. */
  readonly serverName?: string;
}

/** A failed call: the gRPC status, and the stable code and details from the google.rpc.Status podid sends. */
export class PlatformCallError extends Error {
  constructor(
    readonly grpcCode: status,
    /** Stable event code (ErrorInfo.reason), e.g. `PRIVILEGE_MISSING`. */
    readonly reason: string,
    message: string,
    /** The request field named by INVALID_ARGUMENT, if any. */
    readonly field: string | undefined,
    /** RetryInfo of RESOURCE_EXHAUSTED, seconds. */
    readonly retryDelaySeconds: number | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`${status[grpcCode]} ${reason}: ${message}`);
    this.name = 'PlatformCallError';
  }
}

/** Turns a grpc-js error into a PlatformCallError, reading the rich details when the server sent them. */
export function toPlatformCallError(err: ServiceError): PlatformCallError {
  const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (Buffer.isBuffer(raw)) {
    try {
      const d = decodeRichStatus(raw);
      return new PlatformCallError(err.code, d.reason, d.message, d.metadata?.['field'], d.retryDelaySeconds, d.metadata?.['request_id']);
    } catch {
      // Not a google.rpc.Status: fall through to the bare status.
    }
  }
  return new PlatformCallError(err.code, status[err.code] ?? 'UNKNOWN', err.details, undefined, undefined, undefined);
}

type Unary<Req, Res> = (req: Req, opts?: { deadlineMs?: number }) => Promise<Res>;

/** The typed client: one promise-returning method per unary RPC, and watchAudit. */
export interface PlatformClient {
  introspect: Unary<Partial<platformV1.IntrospectRequest>, platformV1.IntrospectResponse>;
  revoke: Unary<platformV1.RevokeRequest, platformV1.RevokeResponse>;
  explainLogin: Unary<Partial<platformV1.ExplainLoginRequest>, platformV1.ExplainLoginResponse>;
  listAuthenticators: Unary<Partial<platformV1.ListAuthenticatorsRequest>, platformV1.ListAuthenticatorsResponse>;
  getAuthenticator: Unary<Partial<platformV1.GetAuthenticatorRequest>, platformV1.GetAuthenticatorResponse>;
  getStatus: Unary<Partial<platformV1.GetStatusRequest>, platformV1.GetStatusResponse>;
  /** Calls onEvent per audit event; resolves when the stream ends, rejects with PlatformCallError. `cancel` stops it. */
  watchAudit(req: Partial<platformV1.WatchAuditRequest>, onEvent: (e: platformV1.AuditEvent) => void): { done: Promise<void>; cancel(): void };
  close(): void;
}

/** A client over one TLS channel (HTTP/2 keep-alive), authenticated by token or by client certificate. */
export function createPlatformClient(opts: PlatformClientOptions): PlatformClient {
  const ca = opts.caPem ? Buffer.from(opts.caPem) : null;
  const creds = opts.cert ? credentials.createSsl(ca, Buffer.from(opts.cert.keyPem), Buffer.from(opts.cert.certPem)) : credentials.createSsl(ca);
  const channelOpts: Record<string, string | number> = { 'grpc.max_receive_message_length': 4 * 1024 * 1024 };
  if (opts.serverName) channelOpts['grpc.ssl_target_name_override'] = opts.serverName;
  const client = new platformV1.PlatformServiceClient(opts.server, creds, channelOpts);
  const metadata = () => {
    const md = new Metadata();
    if (opts.token) md.set('authorization', authorizationOf(opts.token));
    if (opts.cert) {
      md.set('podid-authenticator', opts.cert.authenticator);
      md.set('podid-host', opts.cert.host);
    }
    return md;
  };
  const deadline = (ms?: number) => new Date(Date.now() + (ms ?? opts.deadlineMs ?? 10_000));
  const unary =
    <Req, Res>(fn: (req: Req, md: Metadata, o: { deadline: Date }, cb: (e: ServiceError | null, r: Res) => void) => unknown, from: (r: Partial<Req>) => Req) =>
    (req: Partial<Req>, o?: { deadlineMs?: number }) =>
      new Promise<Res>((resolve, reject) => {
        fn.call(client, from(req), metadata(), { deadline: deadline(o?.deadlineMs) }, (e, r) => (e ? reject(toPlatformCallError(e)) : resolve(r)));
      });
  return {
    introspect: unary(client.introspect, platformV1.IntrospectRequest.fromPartial),
    revoke: unary(client.revoke, platformV1.RevokeRequest.fromPartial),
    explainLogin: unary(client.explainLogin, platformV1.ExplainLoginRequest.fromPartial),
    listAuthenticators: unary(client.listAuthenticators, platformV1.ListAuthenticatorsRequest.fromPartial),
    getAuthenticator: unary(client.getAuthenticator, platformV1.GetAuthenticatorRequest.fromPartial),
    getStatus: unary(client.getStatus, platformV1.GetStatusRequest.fromPartial),
    watchAudit(req, onEvent) {
      const call: ClientReadableStream<platformV1.WatchAuditResponse> = client.watchAudit(platformV1.WatchAuditRequest.fromPartial(req), metadata());
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (m: platformV1.WatchAuditResponse) => m.event && onEvent(m.event));
        call.on('error', (e: ServiceError) => (e.code === status.CANCELLED ? resolve() : reject(toPlatformCallError(e))));
        call.on('end', () => resolve());
      });
      return { done, cancel: () => call.cancel() };
    },
    close: () => client.close(),
  };
}

/** `Bearer <compact>` for a compact JWS; Conjur's `Token token="<base64>"` for the flattened JSON podid's login returns. */
export function authorizationOf(token: string): string {
  const t = token.trim();
  return t.startsWith('{') ? `Token token="${Buffer.from(t).toString('base64')}"` : `Bearer ${t}`;
}
