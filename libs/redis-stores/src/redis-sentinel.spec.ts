import { Redis } from 'ioredis';
import { startRedisSentinels, waitFor, type RedisHandle, type RedisSentinels } from '@podid/testkit';
import { createRedis, redisReady, RedisRevocationStore, type RedisClient } from './index';

/**
 * deploy/components/redis-sentinel on loopback, with real processes: a
 * master, a replica and three Sentinels (quorum 2) monitoring "podid", and
 * the services' client built from the REDIS_URL form the ha overlay sets.
 */
describe('REDIS_URL redis-sentinel://…/podid against real Sentinels', () => {
  let topology: RedisSentinels;
  let master: RedisHandle;
  let replica: RedisHandle;
  let redis: RedisClient;
  const portOf = (h: RedisHandle) => topology.portOf(h);
  const nowS = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    topology = await startRedisSentinels();
    master = topology.master;
    replica = topology.replicas[0]!;
    redis = createRedis(topology.url);
    // ioredis reports every failed reconnect (the failover) as an error event; the services ignore them too.
    redis.on('error', () => undefined);
    await redisReady(redis, 10_000);
  }, 30_000);

  afterAll(async () => {
    redis?.disconnect();
    await topology?.stop();
  });

  it('writes to the master the Sentinels name, and a revocation outlives the failover to the replica', async () => {
    // A generous WAIT: a loaded machine can take over 500 ms (the default) to ack, and this test is about the failover.
    const store = new RedisRevocationStore({ redis, prefix: 'sentinel-spec:', replicaAckTimeoutMs: 5000 });
    const role = async () => /role:(\w+)/.exec(await redis.info('replication'))?.[1];
    expect(await role()).toBe('master');
    // The revocation waits for the replica's acknowledgement (WAIT 1), so it is there when the replica takes over.
    const probe = new Redis(replica.url);
    try {
      await waitFor(async () => /master_link_status:up/.test(await probe.info('replication')), { timeoutMs: 10_000, message: 'replica in sync' });
      // The master must count the replica too: the store sends WAIT 1 only to a master with connected replicas.
      await waitFor(async () => /connected_slaves:1/.test(await redis.info('replication')), { timeoutMs: 10_000, message: 'master sees its replica' });
    } finally {
      probe.disconnect();
    }
    await store.revokeJti('before-failover', nowS() + 600);

    await master.kill();
    // The client finds the promoted replica through the Sentinels; a read and a write there succeed.
    await waitFor(async () => (await role()) === 'master' && (await redis.config('GET', 'port'))[1] === String(portOf(replica)), { timeoutMs: 45_000, message: 'client on the promoted replica' });
    expect(await store.isRevoked({ jti: 'before-failover', iat: nowS() })).toBe(true);
    expect(await store.isRevoked({ jti: 'other', iat: nowS() })).toBe(false);
  }, 90_000);
});
