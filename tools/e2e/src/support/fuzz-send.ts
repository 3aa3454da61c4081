import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Agent, request } from 'node:https';
import { platformV1 } from '@podid/contracts';
import type { FuzzGrpc, FuzzHttp } from './fuzz-requests';

/** What the gateway answered: an HTTP status or a gRPC code, or a transport failure. */
export type FuzzOutcome = { kind: 'http'; status: number; healthReport?: true } | { kind: 'grpc'; code: number; details: string } | { kind: 'transport'; error: string };

/** gRPC codes that, like HTTP 5xx, mean the server failed rather than the request. */
export const SERVER_FAULT_CODES: ReadonlySet<number> = new Set([status.UNKNOWN, status.INTERNAL, status.UNAVAILABLE, status.DATA_LOSS, status.UNIMPLEMENTED, status.DEADLINE_EXCEEDED]);

export interface FuzzTarget {
  readonly gatewayUrl: string;
  readonly platformAddr: string;
  readonly caPem: string;
  /** The admin pod's client certificate, for requests that present one. */
  readonly cert: { certPem: string; keyPem: string };
}

/** Keep-alive HTTPS and gRPC connections to one gateway, with and without a client certificate. */
export class FuzzSender {
  private readonly agents: { plain: Agent; cert: Agent };
  private readonly clients: { plain: Client; cert: Client };

  constructor(private readonly target: FuzzTarget) {
    const tls = { ca: target.caPem, servername: 'localhost', keepAlive: true, maxSockets: 16 };
    this.agents = { plain: new Agent(tls), cert: new Agent({ ...tls, cert: target.cert.certPem, key: target.cert.keyPem }) };
    const ca = Buffer.from(target.caPem);
    this.clients = {
      plain: new Client(target.platformAddr, credentials.createSsl(ca)),
      cert: new Client(target.platformAddr, credentials.createSsl(ca, Buffer.from(target.cert.keyPem), Buffer.from(target.cert.certPem))),
    };
  }

  /**
   * Sends one request. A dropped connection (a keep-alive socket the server
   * closed as it was reused, a stalled machine) is tried once more on a fresh
   * connection: only a failure that repeats is the server's; `retried` counts
   * the others.
   */
  async send(r: FuzzHttp | FuzzGrpc): Promise<{ outcome: FuzzOutcome; retried?: FuzzOutcome }> {
    const outcome = r.kind === 'http' ? await this.http(r, false) : await this.grpc(r);
    if (!isTransportFailure(outcome)) return { outcome };
    return { outcome: r.kind === 'http' ? await this.http(r, true) : await this.grpc(r), retried: outcome };
  }

  close(): void {
    this.agents.plain.destroy();
    this.agents.cert.destroy();
    this.clients.plain.close();
    this.clients.cert.close();
  }

  private http(r: FuzzHttp, fresh: boolean): Promise<FuzzOutcome> {
    const u = new URL(this.target.gatewayUrl);
    const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : Buffer.from(r.body);
    // Node frames a body of DELETE or OPTIONS only with an explicit length; unframed, it would read as the next request.
    const headers = body ? { ...r.headers, 'content-length': String(body.length) } : r.headers;
    return new Promise((resolve) => {
      let req;
      try {
        req = request({ host: u.hostname, port: u.port, method: r.method, path: r.path, headers, ...this.agentFor(r.withCert, fresh), timeout: 15_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.length < 4 && chunks.push(c));
          res.on('end', () => resolve({ kind: 'http', status: res.statusCode ?? 0, ...(isHealthReport(res.statusCode, Buffer.concat(chunks)) ? { healthReport: true as const } : {}) }));
          res.on('error', (e) => resolve({ kind: 'transport', error: `response: ${e.message}` }));
        });
      } catch (e) {
        // Node refuses to send some paths or headers at all: the gateway never sees them.
        resolve({ kind: 'http', status: 0 });
        return void e;
      }
      req.on('timeout', () => req.destroy(new Error('no answer in 15 s')));
      req.on('error', (e) => resolve({ kind: 'transport', error: e.message }));
      req.end(body);
    });
  }

  private agentFor(withCert: boolean, fresh: boolean) {
    if (!fresh) return { agent: withCert ? this.agents.cert : this.agents.plain };
    const cert = withCert ? { cert: this.target.cert.certPem, key: this.target.cert.keyPem } : {};
    return { agent: false as const, ca: this.target.caPem, servername: 'localhost', ...cert };
  }

  private grpc(r: FuzzGrpc): Promise<FuzzOutcome> {
    const client = r.withCert ? this.clients.cert : this.clients.plain;
    const md = new Metadata();
    for (const [k, v] of Object.entries(r.metadata)) if (v !== '') md.set(k, v);
    const path = platformV1.PlatformServiceService[r.method].path;
    const id = (b: Buffer) => b;
    const deadline = new Date(Date.now() + 15_000);
    if (r.method === 'watchAudit') {
      return new Promise((resolve) => {
        const call = client.makeServerStreamRequest(path, id, id, r.payload, md, { deadline });
        // A watch runs until cancelled: the first event (or a short quiet spell) is enough.
        const stop = setTimeout(() => call.cancel(), 200);
        call.on('data', () => call.cancel());
        call.on('error', (e: ServiceError) => {
          clearTimeout(stop);
          resolve({ kind: 'grpc', code: e.code, details: e.details });
        });
        call.on('end', () => {
          clearTimeout(stop);
          resolve({ kind: 'grpc', code: status.OK, details: '' });
        });
      });
    }
    return new Promise((resolve) => {
      client.makeUnaryRequest(path, id, id, r.payload, md, { deadline }, (e: ServiceError | null) => resolve(e ? { kind: 'grpc', code: e.code, details: e.details } : { kind: 'grpc', code: status.OK, details: '' }));
    });
  }
}

/** A connection that failed under the request, rather than an answer: HTTP without a status, gRPC dropped by the transport. */
function isTransportFailure(o: FuzzOutcome): boolean {
  if (o.kind === 'transport') return true;
  return o.kind === 'grpc' && o.code === status.UNAVAILABLE && /connection|socket|ECONNRESET|EPIPE|GOAWAY/i.test(o.details);
}

/**
 * The status route's documented answer for an authenticator whose checks fail
 * (docs/api.md, status): 503 `{"status":"error","checks":[…]}` reports the
 * authenticator's health, it is not the gateway failing.
 */
function isHealthReport(status: number | undefined, body: Buffer): boolean {
  if (status !== 503) return false;
  try {
    const b = JSON.parse(body.toString('utf8')) as { status?: unknown; checks?: unknown };
    return b.status === 'error' && Array.isArray(b.checks) && b.checks.length > 0;
  } catch {
    return false;
  }
}

/** Whether an outcome is a server failure: a 5xx, a gRPC server fault, or a dropped connection. */
export function isServerFault(o: FuzzOutcome): boolean {
  if (o.kind === 'http') return o.status >= 500 && !o.healthReport;
  if (o.kind === 'grpc') return SERVER_FAULT_CODES.has(o.code);
  return true;
}
