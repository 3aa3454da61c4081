import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { DependencyUnavailableError, errorOfKind, ResourceExhaustedError, type PodidError } from '@podid/errors';
import type { TlsMaterial } from '@podid/config';
import { currentRequestId, REQUEST_ID_KEY } from '@podid/logging';
import { serviceNameOf } from './peer-identity';
import { ERROR_CODE_KEY, RETRY_AFTER_KEY, STATUS_TO_KIND } from './status-map';
import type { UnaryDefinition } from './tolerant-definition';

type ReqOf<M> = M extends { requestSerialize: (v: infer R) => Buffer } ? R : never;
type ResOf<M> = M extends { responseDeserialize: (b: Buffer) => infer R } ? R : never;

/** Promise-returning methods, each with a deadline. */
export type ServiceClient<D> = { [K in keyof D]: (req: ReqOf<D[K]>, opts?: { deadlineMs?: number }) => Promise<ResOf<D[K]>> } & {
  close(): void;
};

/** A typed error from a remote service, or a bug there (INTERNAL/UNKNOWN), which stays a plain Error. */
export class RemoteInternalError extends Error {
  constructor(
    readonly target: string,
    message: string,
  ) {
    super(`${target}: ${message}`);
    this.name = 'RemoteInternalError';
  }
}

/**
 * A client for one podid service over mutual TLS. The server must present a
 * certificate for spiffe://podid/<expectService>; every call carries a
 * deadline and the current request id.
 */
export function createServiceClient<D extends Record<string, UnaryDefinition>>(
  definition: D,
  opts: { address: string; tls: TlsMaterial; expectService: string; deadlineMs?: number },
): ServiceClient<D> {
  const creds = credentials.createSsl(Buffer.from(opts.tls.caPem), Buffer.from(opts.tls.keyPem), Buffer.from(opts.tls.certPem), {
    checkServerIdentity: (_host: string, cert: PeerCertificate) => {
      const name = serviceNameOf(cert);
      return name === opts.expectService ? undefined : new Error(`expected server ${opts.expectService}, got ${name ?? 'no podid identity'}`);
    },
  });
  const Ctor = makeGenericClientConstructor(definition as never, opts.expectService);
  // SNI carries the service name: Node rejects IP addresses as a TLS server name.
  const client = new Ctor(opts.address, creds, { 'grpc.max_receive_message_length': 1024 * 1024, 'grpc.ssl_target_name_override': opts.expectService }) as Client & Record<string, (...args: unknown[]) => void>;
  const out: Record<string, unknown> = { close: () => client.close() };
  for (const method of Object.keys(definition)) {
    out[method] = (req: unknown, callOpts?: { deadlineMs?: number }) =>
      new Promise((resolve, reject) => {
        const md = new Metadata();
        const rid = currentRequestId();
        if (rid) md.set(REQUEST_ID_KEY, rid);
        const deadline = new Date(Date.now() + (callOpts?.deadlineMs ?? opts.deadlineMs ?? 5000));
        client[method]!.call(client, req, md, { deadline }, (err: ServiceError | null, res: unknown) =>
          err ? reject(fromServiceError(opts.expectService, err)) : resolve(res),
        );
      });
  }
  return out as ServiceClient<D>;
}

/** Turns a gRPC error back into the typed error the server raised. */
export function fromServiceError(target: string, err: ServiceError): PodidError | RemoteInternalError {
  const kind = STATUS_TO_KIND[err.code];
  const trailer = String(err.metadata?.get(ERROR_CODE_KEY)[0] ?? '');
  if (!kind) return new RemoteInternalError(target, err.details);
  if (kind === 'resource_exhausted') {
    return new ResourceExhaustedError(trailer || 'RESOURCE_EXHAUSTED', err.details, Number(err.metadata?.get(RETRY_AFTER_KEY)[0] ?? 1) || 1);
  }
  // A service that is down sends no code: name it (POD_VERIFIER_UNAVAILABLE), so that the 503 says what to look at.
  if (kind === 'unavailable') return new DependencyUnavailableError(trailer || `${target.toUpperCase().replace(/-/g, '_')}_UNAVAILABLE`, `${target}: ${err.details}`);
  return errorOfKind(kind, trailer || `UPSTREAM_${status[err.code]}`, err.details);
}
