import { randomBytes } from 'node:crypto';
import { startRedis, type RedisHandle } from '@podid/testkit';
import { createRedis, redisReady, RedisLivePodStore, type RedisClient } from './index';

describe('RedisLivePodStore (real redis-server)', () => {
  let server: RedisHandle;
  let redis: RedisClient;
  const prefix = () => `test-${randomBytes(4).toString('hex')}:`;
  const nowS = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = await startRedis();
    redis = createRedis(server.url);
    await redisReady(redis);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('lists each pod once, with the namespace and the latest expiry of its tokens', async () => {
    const store = new RedisLivePodStore({ redis, prefix: prefix() });
    const t = nowS();
    await store.record('ns-a', 'uid-1', t + 600);
    await store.record('ns-a', 'uid-1', t + 60);
    await store.record('ns-b', 'uid-2', t + 300);
    const pods = await store.list(t);
    expect(pods.sort((a, b) => a.podUid.localeCompare(b.podUid))).toEqual([
      { namespace: 'ns-a', podUid: 'uid-1', expiresAt: t + 600 },
      { namespace: 'ns-b', podUid: 'uid-2', expiresAt: t + 300 },
    ]);
    expect(store.key).toMatch(/\{rev\}:live-pods$/);
  });

  it('leaves out and prunes pods whose tokens have all expired', async () => {
    const store = new RedisLivePodStore({ redis, prefix: prefix() });
    const t = nowS();
    await store.record('ns', 'old', t - 10);
    expect(await store.list(t)).toEqual([]);
    await store.record('ns', 'new', t + 60);
    expect(await redis.zrange(store.key, '0', '-1')).toEqual(['ns/new']);
  });

  it('fails closed with REDIS_UNAVAILABLE when Redis is gone', async () => {
    const dead = createRedis('redis://127.0.0.1:1');
    dead.on('error', () => undefined);
    try {
      const store = new RedisLivePodStore({ redis: dead, prefix: prefix() });
      await expect(store.record('ns', 'u', nowS() + 60)).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    } finally {
      dead.disconnect();
    }
  });
});
