import { Redis } from 'ioredis';
import { httpsCall, startRedis, type RedisHandle } from '@podid/testkit';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

/** The fake token issuer knows `{"t":"admin-token"}`, which holds the status grant. */
const admin = { authorization: `Token token="${Buffer.from(JSON.stringify({ t: 'admin-token' })).toString('base64')}"` };

describe('status: Redis persistence', () => {
  let redis: RedisHandle;
  let t: TestGateway;
  beforeAll(async () => {
    // A Redis as deploy/ used to run it: no AOF, so a restart forgets every revocation.
    redis = await startRedis({ own: true, persistent: false });
    t = await startTestGateway({}, redis);
  });
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });
  const status = async () => {
    const r = await httpsCall(t.url, { path: '/authn-k8s/dev/default/status', caPem: t.caPem, headers: admin });
    return { status: r.status, body: JSON.parse(r.body) as { status: string; checks?: Array<{ name: string; ok: boolean; warning?: boolean; code?: string; hint?: string }> } };
  };

  it('warns REDIS_NOT_PERSISTENT (200, status "warning") for a Redis without AOF', async () => {
    const r = await status();
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('warning');
    expect(r.body.checks!.every((c) => c.ok)).toBe(true);
    expect(r.body.checks!.filter((c) => c.warning)).toEqual([
      { name: 'redis-persistence', ok: true, warning: true, code: 'REDIS_NOT_PERSISTENT', hint: expect.stringMatching(/appendonly yes/) },
    ]);
  });

  it('is ok again once AOF is on', async () => {
    const client = new Redis(redis.url);
    try {
      await client.config('SET', 'appendonly', 'yes');
      expect(await status()).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await client.config('SET', 'appendonly', 'no');
      client.disconnect();
    }
  });
});
