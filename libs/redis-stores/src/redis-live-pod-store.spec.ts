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
    await store.record('eu', 'ns-a', 'uid-1', t + 600);
    await store.record('eu', 'ns-a', 'uid-1', t + 60);
    await store.record('eu', 'ns-b', 'uid-2', t + 300);
    const pods = await store.list(t, 'eu');
    expect(pods.sort((a, b) => a.podUid.localeCompare(b.podUid))).toEqual([
      { namespace: 'ns-a', podUid: 'uid-1', expiresAt: t + 600, cluster: 'eu' },
      { namespace: 'ns-b', podUid: 'uid-2', expiresAt: t + 300, cluster: 'eu' },
    ]);
    expect(store.key).toMatch(/\{rev\}:live-pods$/);
  });

  it('leaves out and prunes pods whose tokens have all expired', async () => {
    const store = new RedisLivePodStore({ redis, prefix: prefix() });
    const t = nowS();
    await store.record('eu', 'ns', 'old', t - 10);
    expect(await store.list(t, 'eu')).toEqual([]);
    await store.record('eu', 'ns', 'new', t + 60);
    expect(await redis.zrange(store.key, '0', '-1')).toEqual(['eu/ns/new']);
  });

  it("lists only the asked cluster's pods; records from before clusters only for an empty cluster", async () => {
    const store = new RedisLivePodStore({ redis, prefix: prefix() });
    const t = nowS();
    await store.record('eu', 'ns', 'uid-eu', t + 60);
    await store.record('us', 'ns', 'uid-us', t + 60);
    // Same namespace and uid in two clusters: two pods, each listed for its own cluster.
    await store.record('us', 'ns', 'uid-eu', t + 90);
    await redis.zadd(store.key, String(t + 60), 'ns/uid-old');
    expect((await store.list(t, 'eu')).map((p) => p.podUid)).toEqual(['uid-eu']);
    expect((await store.list(t, 'us')).map((p) => [p.podUid, p.expiresAt]).sort()).toEqual([['uid-eu', t + 90], ['uid-us', t + 60]]);
    expect(await store.list(t, '')).toEqual([{ namespace: 'ns', podUid: 'uid-old', expiresAt: t + 60, cluster: '' }]);
    expect(await store.list(t, 'asia')).toEqual([]);
    await expect(store.record('', 'ns', 'u', t + 60)).rejects.toThrow(RangeError);
  });

  it('fails closed with REDIS_UNAVAILABLE when Redis is gone', async () => {
    const dead = createRedis('redis://127.0.0.1:1');
    dead.on('error', () => undefined);
    try {
      const store = new RedisLivePodStore({ redis: dead, prefix: prefix() });
      await expect(store.record('eu', 'ns', 'u', nowS() + 60)).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    } finally {
      dead.disconnect();
    }
  });
});
