import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { platformV1 } from '@podid/contracts';
import { encodeRichStatus, STATUS_DETAILS_KEY } from '@podid/grpc';
import { createCa, issueServiceCert } from '@podid/x509';
import { authorizationOf, createPlatformClient, PlatformCallError } from './platform-client';

/** A real grpc-js server over TLS that records the metadata it got and answers as told. */
describe('platform client (real gRPC over TLS)', () => {
  let server: Server;
  let port: number;
  let caPem: string;
  const seen: Metadata[] = [];
  let answer: (call: ServerUnaryCall<platformV1.IntrospectRequest, unknown>, cb: sendUnaryData<platformV1.IntrospectResponse>) => void;

  beforeAll(async () => {
    const ca = await createCa({ commonName: 'test CA', now: new Date(), ttlMs: 3_600_000 });
    const serving = await issueServiceCert({ ca, service: 'gateway', now: new Date(), ttlMs: 3_600_000 });
    caPem = ca.certPem;
    server = new Server();
    server.addService(platformV1.PlatformServiceService as never, {
      introspect: (call: ServerUnaryCall<platformV1.IntrospectRequest, unknown>, cb: sendUnaryData<platformV1.IntrospectResponse>) => {
        seen.push(call.metadata);
        answer(call, cb);
      },
    } as never);
    port = await new Promise((ok, fail) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(serving.certPem), private_key: Buffer.from(serving.keyPem) }], false), (e, p) => (e ? fail(e) : ok(p))),
    );
  });
  afterAll(() => server.forceShutdown());

  const connect = (token: string) => createPlatformClient({ server: `127.0.0.1:${port}`, caPem, token, serverName: 'gateway' });

  it('sends the token as authorization metadata and returns the typed answer', async () => {
    answer = (call, cb) => cb(null, platformV1.IntrospectResponse.fromPartial({ active: call.request.token === 'abc', sub: 'host/x' }));
    const c = connect('eyJa.eyJb.sig');
    try {
      expect(await c.introspect({ token: 'abc' })).toMatchObject({ active: true, sub: 'host/x' });
      expect(seen.at(-1)!.get('authorization')).toEqual(['Bearer eyJa.eyJb.sig']);
    } finally {
      c.close();
    }
  });

  it('decodes the stable code, the field, RetryInfo and the request id from the rich status', async () => {
    answer = (_call, cb) => {
      const md = new Metadata();
      md.set(STATUS_DETAILS_KEY, encodeRichStatus({ code: status.RESOURCE_EXHAUSTED, message: 'slow down', reason: 'RATE_LIMITED', metadata: { request_id: 'r-1', field: 'token' }, retryDelaySeconds: 9 }));
      cb({ code: status.RESOURCE_EXHAUSTED, details: 'slow down', metadata: md });
    };
    const c = connect('{"protected":"a","payload":"b","signature":"c"}');
    try {
      const e = await c.introspect({ token: 'abc' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PlatformCallError);
      expect(e).toMatchObject({ grpcCode: status.RESOURCE_EXHAUSTED, reason: 'RATE_LIMITED', field: 'token', retryDelaySeconds: 9, requestId: 'r-1' });
      // A flattened JSON token goes as Conjur's Token header.
      expect(String(seen.at(-1)!.get('authorization')[0])).toMatch(/^Token token="[A-Za-z0-9+/=]+"$/);
    } finally {
      c.close();
    }
  });

  it('falls back to the bare status when there are no details', async () => {
    answer = (_call, cb) => cb({ code: status.UNAVAILABLE, details: 'policy: down' });
    const c = connect('t.t.t');
    try {
      expect(await c.introspect({ token: 'abc' }).catch((x: unknown) => x)).toMatchObject({ grpcCode: status.UNAVAILABLE, reason: 'UNAVAILABLE', field: undefined });
    } finally {
      c.close();
    }
  });

  it('picks the authorization form by the token serialisation', () => {
    expect(authorizationOf(' a.b.c\n')).toBe('Bearer a.b.c');
    expect(authorizationOf('{"x":1}')).toBe(`Token token="${Buffer.from('{"x":1}').toString('base64')}"`);
  });
});
