import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { spawnNode, startRedis, type ChildHandle, type RedisHandle } from '@podid/testkit';
import { appEnv, MAIN } from './app-env.fixture';

/** The exit code, without sending a signal. */
const exited = (app: ChildHandle) =>
  new Promise((resolve) => (app.child.exitCode !== null ? resolve(app.child.exitCode) : app.child.once('exit', resolve)));

describe('token-issuer process lifecycle', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('starts, serves health over mTLS and HTTP, and exits 0 on SIGTERM', async () => {
    const { env, pki, grpcPort, opsPort } = await appEnv(redis.url);
    const app = spawnNode(MAIN, env);
    try {
      const ready = await app.waitForEvent('SERVICE_READY');
      expect(ready).toMatchObject({ grpc_port: grpcPort, ops_port: opsPort });
      for (const path of ['/healthz', '/readyz']) expect((await fetch(`http://127.0.0.1:${opsPort}${path}`)).status).toBe(200);
      const tls = await pki.tls('gateway');
      const Health = makeGenericClientConstructor(healthService as never, 'Health');
      const client = new Health(`127.0.0.1:${grpcPort}`, credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem)), {
        'grpc.ssl_target_name_override': 'token-issuer',
      }) as unknown as { check(req: unknown, cb: (err: ServiceError | null, res: { status: string | number }) => void): void; close(): void };
      const status = await new Promise((resolve, reject) => client.check({ service: 'authn.v1.TokenIssuer' }, (err, res) => (err ? reject(err) : resolve(res.status))));
      expect(['SERVING', 1]).toContain(status);
      client.close();
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
    expect(app.lines.some((l) => l['event'] === 'SERVICE_STOPPED')).toBe(true);
  });

  it('exits 78 with one stderr line naming a bad variable', async () => {
    const { env } = await appEnv(redis.url);
    const app = spawnNode(MAIN, { ...env, PODID_TOKEN_MAX_TTL: '9h' });
    expect(await exited(app)).toBe(78);
    expect(app.stderr().trim().split('\n')).toEqual(['token-issuer: config error: PODID_TOKEN_MAX_TTL="9h": expected a duration such as 5m (1m..5h)']);
  });

  it('exits 78 when no key store is configured', async () => {
    const { env } = await appEnv(redis.url);
    const app = spawnNode(MAIN, { ...env, PODID_TOKEN_KEYS_DIR: '' });
    expect(await exited(app)).toBe(78);
    expect(app.stderr()).toMatch(/^token-issuer: config error: PODID_TOKEN_KEYS_DIR \/ PODID_TOKEN_KEYS_SECRET_NAMESPACE: expected exactly one/);
  });
});
