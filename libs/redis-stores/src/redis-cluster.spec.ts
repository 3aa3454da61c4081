import { Cluster } from 'ioredis';
import { startRedisCluster, waitFor, type RedisClusterHandle } from '@podid/testkit';
import { createRedis, redisReady, RedisAuditStream, RedisLivePodStore, RedisRateLimiter, RedisRevocationStore, type RedisClient } from './index';

interface MasterInfo {
  id: string;
  port: number;
  slots: Array<[number, number]>;
}

/** The masters as one node sees them (CLUSTER NODES). */
function masters(cluster: RedisClusterHandle, via: number): MasterInfo[] {
  return cluster
    .cli(via, 'cluster', 'nodes')
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2]!.includes('master') && !f[2]!.includes('fail'))
    .map((f) => ({
      id: f[0]!,
      port: Number(/:(\d+)@/.exec(f[1]!)![1]),
      slots: f.slice(8).filter((s) => /^\d/.test(s)).map((s) => s.split('-').map(Number) as [number, number]).map(([a, b]) => [a, b ?? a] as [number, number]),
    }));
}

const ownerOf = (ms: MasterInfo[], slot: number) => ms.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!;

/**
 * The stores against a real Redis Cluster (3 masters, 3 replicas, see
 * testkit's startRedisCluster) through the client REDIS_URL
 * redis-cluster://… builds: every multi-key command and script stays in one
 * slot, redirections (MOVED, ASK) are followed, and a revocation outlives
 * the crash of its master.
 */
describe('REDIS_URL redis-cluster://… against a real 6-node Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let redis: RedisClient;
  const nowS = () => Math.floor(Date.now() / 1000);
  const via = () => cluster.nodes.find((n) => n.pid !== undefined)!.port;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = createRedis(cluster.url);
    // ioredis reports failed reconnects to a crashed node as error events; the services ignore them too.
    redis.on('error', () => undefined);
    await redisReady(redis, 15_000);
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  }, 30_000);

  it('builds an ioredis Cluster client that spreads keys over the masters', async () => {
    expect(redis).toBeInstanceOf(Cluster);
    expect((redis as Cluster).nodes('master')).toHaveLength(3);
  });

  it('rate-limits per key, with buckets on different masters', async () => {
    const limiter = new RedisRateLimiter({ redis, prefix: 'rl-spec:' });
    const keys = ['ip:10.0.0.1', 'host:a', 'pod:b', 'ip:10.0.0.2', 'host:c', 'pod:d'];
    const slots = new Set(keys.map((k) => ownerOf(masters(cluster, via()), Number(cluster.cli(via(), 'cluster', 'keyslot', `rl-spec:rl:${k}`))).id));
    expect(slots.size).toBeGreaterThan(1);
    for (const key of keys) {
      const takes = [];
      for (let i = 0; i < 4; i++) takes.push(await limiter.take(key, 3, 60_000));
      expect(takes.map((t) => t.allowed)).toEqual([true, true, true, false]);
      expect(takes[3]!.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('stores revocations and reads them back in one MGET, and keeps live pods and the audit stream', async () => {
    const store = new RedisRevocationStore({ redis, prefix: 'rev-spec:' });
    await store.revokeJti('j1', nowS() + 600);
    await store.revokeHost('host/a', nowS() + 600, nowS());
    await store.revokePod('0b6f0d7e-7c1e-4b4e-9a54-6a1f0f0e0001', nowS() + 600, nowS());
    expect(await store.isRevoked({ jti: 'j1', iat: nowS() })).toBe(true);
    expect(await store.isRevoked({ jti: 'j2', hostId: 'host/a', iat: nowS() - 10 })).toBe(true);
    expect(await store.isRevoked({ jti: 'j2', hostId: 'host/a', iat: nowS() + 10 })).toBe(false);
    expect(await store.isRevoked({ jti: 'j2', podUid: '0b6f0d7e-7c1e-4b4e-9a54-6a1f0f0e0001', iat: nowS() - 10 })).toBe(true);
    expect(await store.isRevoked({ jti: 'j2', hostId: 'host/b', iat: nowS() })).toBe(false);

    const pods = new RedisLivePodStore({ redis, prefix: 'rev-spec:' });
    await pods.record('default', 'demo', 'uid-1', nowS() + 60);
    expect(await pods.list(nowS(), 'default')).toEqual([{ namespace: 'demo', podUid: 'uid-1', expiresAt: nowS() + 60, cluster: 'default' }]);
    // Live pods and revocations share a slot: pod-verifier reads both without a cross-slot error.
    expect(cluster.cli(via(), 'cluster', 'keyslot', pods.key)).toBe(cluster.cli(via(), 'cluster', 'keyslot', store.keyOf('jti', 'x')));

    const audit = new RedisAuditStream({ redis, prefix: 'rev-spec:' });
    const id = await audit.append('AUTHN_SUCCESS', 'success', { host: 'h' });
    expect(await audit.lastId()).toBe(id);
    expect((await audit.readAfter('0-0', 10)).map((r) => r.code)).toEqual(['AUTHN_SUCCESS']);
  });

  it('follows ASK while the revocation slot migrates and MOVED once it has moved', async () => {
    const store = new RedisRevocationStore({ redis, prefix: 'move-spec:' });
    const slot = Number(cluster.cli(via(), 'cluster', 'keyslot', store.keyOf('jti', 'x')));
    const ms = masters(cluster, via());
    const from = ownerOf(ms, slot);
    const to = ms.find((m) => m.id !== from.id)!;
    const jtis = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const j of jtis) await store.revokeJti(j, nowS() + 600);
    const keysBefore = Number(cluster.cli(from.port, 'cluster', 'countkeysinslot', String(slot)));

    cluster.cli(to.port, 'cluster', 'setslot', String(slot), 'importing', from.id);
    cluster.cli(from.port, 'cluster', 'setslot', String(slot), 'migrating', to.id);
    // Half the keys move: the rest of the slot is still on the source, so the source answers ASK for moved keys.
    cluster.cli(from.port, 'migrate', '127.0.0.1', String(to.port), '', '0', '5000', 'keys', ...jtis.slice(0, 10).map((j) => store.keyOf('jti', j)));
    expect(() => cluster.cli(from.port, 'get', store.keyOf('jti', 'm0'))).toThrow(/^redis-cli.*ASK /);
    for (const j of jtis) expect(await store.isRevoked({ jti: j, iat: nowS() })).toBe(true);
    expect(await store.isRevoked({ jti: 'never', iat: nowS() })).toBe(false);
    await store.revokeJti('during-migration', nowS() + 600);
    expect(await store.isRevoked({ jti: 'during-migration', iat: nowS() })).toBe(true);

    const rest = cluster.cli(from.port, 'cluster', 'getkeysinslot', String(slot), '1000').trim().split('\n').filter(Boolean);
    if (rest.length) cluster.cli(from.port, 'migrate', '127.0.0.1', String(to.port), '', '0', '5000', 'keys', ...rest);
    for (const m of ms) cluster.cli(m.port, 'cluster', 'setslot', String(slot), 'node', to.id);
    await waitFor(() => ownerOf(masters(cluster, from.port), slot).id === to.id, { timeoutMs: 10_000, message: 'source sees the new owner' });

    // The client still maps the slot to the old master: its first command there gets MOVED.
    expect(() => cluster.cli(from.port, 'get', store.keyOf('jti', 'm0'))).toThrow(/^redis-cli.*MOVED /);
    for (const j of [...jtis, 'during-migration']) expect(await store.isRevoked({ jti: j, iat: nowS() })).toBe(true);
    await store.revokeJti('after-move', nowS() + 600);
    expect(await store.isRevoked({ jti: 'after-move', iat: nowS() })).toBe(true);
    expect(Number(cluster.cli(to.port, 'cluster', 'countkeysinslot', String(slot)))).toBe(keysBefore + 2);
    expect(Number(cluster.cli(from.port, 'cluster', 'countkeysinslot', String(slot)))).toBe(0);
  }, 60_000);

  it('keeps every acknowledged revocation when its master is killed and its replica takes over', async () => {
    const store = new RedisRevocationStore({ redis, prefix: 'failover-spec:' });
    const slot = Number(cluster.cli(via(), 'cluster', 'keyslot', store.keyOf('jti', 'x')));
    const master = ownerOf(masters(cluster, via()), slot);
    await cluster.waitHealthy();
    const jtis = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const waits = () => Number(/cmdstat_wait:calls=(\d+)/.exec(cluster.cli(master.port, 'info', 'commandstats'))?.[1] ?? 0);
    const waitsBefore = waits();
    // Each revoke returns once the master's replica has acknowledged it (WAIT 1 on the master that took the write).
    for (const j of jtis) await store.revokeJti(j, nowS() + 600);
    expect(waits() - waitsBefore).toBeGreaterThanOrEqual(jtis.length);

    await cluster.kill(master.port);
    await waitFor(() => {
      const owner = ownerOf(masters(cluster, via()), slot);
      return owner && owner.id !== master.id;
    }, { timeoutMs: 30_000, intervalMs: 200, message: 'replica promoted' });
    // The first answers may fail (UNAVAILABLE) while the client learns the new map; none may say "not revoked".
    const first = await waitFor(() => store.isRevoked({ jti: jtis[0]!, iat: nowS() }).then((r) => ({ r })), { timeoutMs: 30_000, intervalMs: 200, message: 'read after failover' });
    expect(first.r).toBe(true);
    for (const j of jtis) expect(await store.isRevoked({ jti: j, iat: nowS() })).toBe(true);
    await store.revokeJti('after-failover', nowS() + 600);
    expect(await store.isRevoked({ jti: 'after-failover', iat: nowS() })).toBe(true);
  }, 90_000);
});
