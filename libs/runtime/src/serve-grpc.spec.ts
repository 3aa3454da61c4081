import { PolicyService } from '@podid/contracts';
import { NotFoundError } from '@podid/errors';
import { createServiceClient, service } from '@podid/grpc';
import { createLogger, LogCapture } from '@podid/logging';
import { makeTestPki } from '@podid/testkit';
import { createMetricsRegistry } from './ops-server';
import { serveGrpc } from './serve-grpc';

describe('serveGrpc', () => {
  it('serves the services over mTLS and the ops endpoint, logs both ports, and stops both', async () => {
    const pki = await makeTestPki('serve-grpc');
    const logs = new LogCapture();
    let ready = false;
    const serving = await serveGrpc({
      cfg: { grpcHost: '127.0.0.1', grpcPort: 0, opsHost: '127.0.0.1', opsPort: 0 },
      tls: await pki.tls('policy'),
      log: createLogger({ service: 'policy', destination: logs }),
      registry: createMetricsRegistry(),
      ready: () => ready,
      readyFields: { source: 'test' },
      services: [
        service({
          name: 'authn.v1.Policy',
          definition: PolicyService,
          allow: { resolve: ['gateway'], listAuthenticators: [], authorize: [] },
          handlers: {
            resolve: async () => {
              throw new NotFoundError('HOST_NOT_FOUND', 'no such host');
            },
            listAuthenticators: async () => ({ installed: [], configured: [], enabled: [], authenticators: [] }),
            authorize: async () => ({}),
          },
        }),
      ],
    });
    const client = createServiceClient(PolicyService, { address: `127.0.0.1:${serving.grpc.port}`, tls: await pki.tls('gateway'), expectService: 'policy', deadlineMs: 5000 });
    try {
      expect(logs.lines.find((l) => l['event'] === 'SERVICE_READY')).toMatchObject({ grpc_port: serving.grpc.port, ops_port: serving.ops.port, source: 'test' });
      await expect(client.resolve({ serviceId: 's', type: 1, hostId: 'h' })).rejects.toThrow('no such host');
      expect((await fetch(`http://127.0.0.1:${serving.ops.port}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`http://127.0.0.1:${serving.ops.port}/readyz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${serving.ops.port}/metrics`)).text()).toContain('podid_grpc_server_handled_total{method="/authn.v1.Policy/Resolve"');
    } finally {
      client.close();
      await serving.stop();
    }
    await expect(fetch(`http://127.0.0.1:${serving.ops.port}/healthz`)).rejects.toThrow();
  });
});
