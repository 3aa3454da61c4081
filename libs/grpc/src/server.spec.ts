import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { PolicyService, type ResolveResponse } from '@podid/contracts';
import { DependencyUnavailableError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@podid/errors';
import { createLogger, LogCapture, runWithRequestId } from '@podid/logging';
import { freePort, makeTestPki, type TestPki } from '@podid/testkit';
import { Registry } from 'prom-client';
import { createServiceClient, type GrpcServerHandle, service, startGrpcServer } from './index';

const resolved: ResolveResponse = { hostId: 'apps/demo', authenticator: undefined, restrictions: undefined, containerName: 'authenticator' };

describe('gRPC fabric over mutual TLS', () => {
  let pki: TestPki;
  let other: TestPki;
  let server: GrpcServerHandle;
  let address: string;
  const logs = new LogCapture();
  const seen: { caller?: string; requestId?: string } = {};
  const registry = new Registry();

  beforeAll(async () => {
    [pki, other] = await Promise.all([makeTestPki('main'), makeTestPki('other')]);
    server = await startGrpcServer({
      port: 0,
      tls: await pki.tls('policy'),
      log: createLogger({ service: 'policy', destination: logs }),
      registry,
      services: [
        service({
          name: 'authn.v1.Policy',
          definition: PolicyService,
          allow: { resolve: ['gateway'], listAuthenticators: ['gateway'], authorize: ['gateway'] },
          handlers: {
            async resolve(req, ctx) {
              seen.caller = ctx.caller;
              seen.requestId = ctx.requestId;
              if (req.hostId === 'missing') throw new NotFoundError('HOST_NOT_FOUND', 'host "missing" is not in policy');
              if (req.hostId === 'boom') throw new Error('secret internal detail');
              if (req.hostId === 'down') throw new DependencyUnavailableError('REDIS_DOWN', 'redis unreachable');
              if (req.hostId === 'slow') {
                await new Promise((r) => {
                  const t = setTimeout(r, 2000);
                  ctx.signal.addEventListener('abort', () => (clearTimeout(t), r(undefined)));
                });
              }
              if (!req.serviceId) throw new InvalidArgumentError('BAD_REQUEST', 'service_id is required');
              return resolved;
            },
            async listAuthenticators() {
              return { installed: ['authn-k8s'], configured: [], enabled: [], authenticators: [] };
            },
            async authorize() {
              throw new PermissionDeniedError('PRIVILEGE_MISSING', 'no');
            },
          },
        }),
      ],
    });
    address = `127.0.0.1:${server.port}`;
  });

  afterAll(() => server.stop(1000));

  const clientAs = async (svc: string, from: TestPki = pki) => createServiceClient(PolicyService, { address, tls: await from.tls(svc), expectService: 'policy', deadlineMs: 3000 });

  it('serves an allowed caller and carries the request id', async () => {
    const client = await clientAs('gateway');
    const res = await runWithRequestId('rid-42', () => client.resolve({ serviceId: 'dev', type: 1, hostId: 'apps/demo' }));
    expect(res.containerName).toBe('authenticator');
    expect(seen).toEqual({ caller: 'gateway', requestId: 'rid-42' });
    client.close();
  });

  it('refuses a caller that is not on the allow-list with PERMISSION_DENIED', async () => {
    const client = await clientAs('token-issuer');
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'x' })).rejects.toMatchObject({ kind: 'permission_denied' });
    expect(logs.withEvent('GRPC_CALLER_DENIED').at(-1)).toMatchObject({ caller: 'token-issuer' });
    client.close();
  });

  it('refuses a caller with a certificate from another CA at the handshake', async () => {
    const tls = await other.tls('gateway');
    const client = createServiceClient(PolicyService, { address, tls: { ...tls, caPem: pki.ca.certPem }, expectService: 'policy', deadlineMs: 2000 });
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'x' })).rejects.toMatchObject({ kind: 'unavailable' });
    client.close();
  });

  it('refuses a caller with no certificate at the handshake', async () => {
    const Ctor = makeGenericClientConstructor(PolicyService as never, 'p');
    const raw = new Ctor(address, credentials.createSsl(Buffer.from(pki.ca.certPem))) as unknown as Record<string, (...args: unknown[]) => void>;
    const err = await new Promise<ServiceError>((resolve) =>
      raw['resolve']!.call(raw, { serviceId: 'dev', type: 1, hostId: 'x' }, new Metadata(), { deadline: Date.now() + 2000 }, (e: ServiceError) => resolve(e)),
    );
    expect(err.code).toBe(status.UNAVAILABLE);
    (raw as unknown as { close(): void }).close();
  });

  it('refuses to talk to a server that is not the expected service', async () => {
    const client = createServiceClient(PolicyService, { address, tls: await pki.tls('gateway'), expectService: 'ca-signer', deadlineMs: 2000 });
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'x' })).rejects.toMatchObject({ kind: 'unavailable' });
    client.close();
  });

  it('answers INVALID_ARGUMENT to a message that cannot be decoded, and keeps serving', async () => {
    const tls = await pki.tls('gateway');
    const creds = credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), { checkServerIdentity: () => undefined });
    const Ctor = makeGenericClientConstructor(
      { resolve: { ...PolicyService.resolve, requestSerialize: (b: Buffer) => b } } as never,
      'p',
    );
    const raw = new Ctor(address, creds) as unknown as Record<string, (...args: unknown[]) => void>;
    const err = await new Promise<ServiceError>((resolve) =>
      raw['resolve']!.call(raw, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), new Metadata(), { deadline: Date.now() + 2000 }, (e: ServiceError) => resolve(e)),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    (raw as unknown as { close(): void }).close();
    const client = await clientAs('gateway');
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'ok' })).resolves.toBeDefined();
    client.close();
  });

  it('maps typed errors to status and back, keeping code and message', async () => {
    const client = await clientAs('gateway');
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'missing' })).rejects.toMatchObject({
      kind: 'not_found',
      code: 'HOST_NOT_FOUND',
      message: 'host "missing" is not in policy',
    });
    await expect(client.resolve({ serviceId: '', type: 1, hostId: 'h' })).rejects.toMatchObject({ kind: 'invalid_argument' });
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'down' })).rejects.toMatchObject({ kind: 'unavailable', code: 'REDIS_DOWN' });
    client.close();
  });

  it('hides unexpected errors behind INTERNAL with a log id', async () => {
    const client = await clientAs('gateway');
    const err = (await client.resolve({ serviceId: 'dev', type: 1, hostId: 'boom' }).catch((e: Error) => e)) as Error;
    expect(err.name).toBe('RemoteInternalError');
    expect(err.message).toMatch(/internal error \(logId=[0-9a-f-]{36}\)/);
    expect(err.message).not.toContain('secret internal detail');
    expect(logs.withEvent('GRPC_INTERNAL_ERROR').at(-1)).toBeDefined();
    client.close();
  });

  it('puts a deadline on every call', async () => {
    const client = await clientAs('gateway');
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'slow' }, { deadlineMs: 200 })).rejects.toMatchObject({ kind: 'deadline_exceeded' });
    client.close();
  });

  it('names a service that does not answer at all in the unavailable code', async () => {
    const port = await freePort();
    const client = createServiceClient(PolicyService, { address: `127.0.0.1:${port}`, tls: await pki.tls('gateway'), expectService: 'policy', deadlineMs: 2000 });
    await expect(client.resolve({ serviceId: 'dev', type: 1, hostId: 'x' })).rejects.toMatchObject({ kind: 'unavailable', code: 'POLICY_UNAVAILABLE' });
    client.close();
  });

  it('counts every RPC by method and status, with its duration', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/podid_grpc_server_handled_total\{method="\/authn.v1.Policy\/Resolve",code="OK"\} [1-9]/);
    expect(text).toMatch(/podid_grpc_server_handled_total\{method="\/authn.v1.Policy\/Resolve",code="PERMISSION_DENIED"\} [1-9]/);
    expect(text).toMatch(/podid_grpc_server_handling_seconds_count\{method="\/authn.v1.Policy\/Resolve"\} [1-9]/);
  });

  it('serves the standard health service to any podid service', async () => {
    const tls = await pki.tls('token-issuer');
    const creds = credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), { checkServerIdentity: () => undefined });
    const Ctor = makeGenericClientConstructor(healthService as never, 'health');
    const raw = new Ctor(address, creds) as unknown as Record<string, (...args: unknown[]) => void>;
    const res = await new Promise<{ status: string }>((resolve, reject) =>
      raw['check']!.call(raw, { service: 'authn.v1.Policy' }, (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r))),
    );
    expect(res.status).toBe('SERVING');
    (raw as unknown as { close(): void }).close();
  });
});
