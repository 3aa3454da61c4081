import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis, waitFor, type RedisHandle } from '@podid/testkit';
import { createRedis, redisReady, RedisRevocationStore, type RedisClient } from './index';

describe('RedisRevocationStore (real redis-server)', () => {
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

  it('revokes by jti, with a key that expires when the token does', async () => {
    const store = new RedisRevocationStore({ redis, prefix: prefix() });
    const until = nowS() + 120;
    await store.revokeJti('jti-1', until);
    expect(await store.isRevoked({ jti: 'jti-1', iat: nowS() })).toBe(true);
    expect(await store.isRevoked({ jti: 'jti-2', iat: nowS() })).toBe(false);
    const pttl = await redis.pttl(store.keyOf('jti', 'jti-1'));
    expect(pttl).toBeGreaterThan(118_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
  });

  it('revokes a host or a pod for tokens issued up to issuedBefore', async () => {
    const store = new RedisRevocationStore({ redis, prefix: prefix() });
    const t = nowS();
    await store.revokeHost('apps/a', t + 60, t);
    await store.revokePod('uid-9', t + 300, t + 10);
    expect(await store.isRevoked({ hostId: 'apps/a', iat: t })).toBe(true);
    expect(await store.isRevoked({ hostId: 'apps/a', iat: t + 1 })).toBe(false);
    expect(await store.isRevoked({ hostId: 'apps/b', podUid: 'uid-9', iat: t + 10 })).toBe(true);
    expect(await store.isRevoked({ hostId: 'apps/b', podUid: 'uid-8', iat: t })).toBe(false);
    expect(await redis.pttl(store.keyOf('pod', 'uid-9'))).toBeGreaterThan(298_000);
  });

  it('keeps the wider revocation when a target is revoked twice', async () => {
    const store = new RedisRevocationStore({ redis, prefix: prefix() });
    const t = nowS();
    await store.revokeHost('h', t + 600, t + 100);
    await store.revokeHost('h', t + 60, t);
    expect(await store.isRevoked({ hostId: 'h', iat: t + 100 })).toBe(true);
    expect(await redis.pttl(store.keyOf('host', 'h'))).toBeGreaterThan(598_000);
  });

  it('stores nothing for a revocation that has already lapsed', async () => {
    const store = new RedisRevocationStore({ redis, prefix: prefix() });
    await store.revokeJti('old', nowS() - 1);
    expect(await redis.exists(store.keyOf('jti', 'old'))).toBe(0);
  });

  it('keeps prefixes apart', async () => {
    const [a, b] = [new RedisRevocationStore({ redis, prefix: prefix() }), new RedisRevocationStore({ redis, prefix: prefix() })];
    await a.revokeJti('shared', nowS() + 60);
    expect(await b.isRevoked({ jti: 'shared', iat: nowS() })).toBe(false);
  });

  it('answers isRevoked in one round trip (seen by MONITOR on the server)', async () => {
    const p = prefix();
    const store = new RedisRevocationStore({ redis, prefix: p });
    const base = new Redis(server.url);
    const monitor = await base.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
    const marker = `done-${p}`;
    await store.isRevoked({ jti: 'j', hostId: 'h', podUid: 'u', iat: nowS() });
    await redis.echo(marker);
    await waitFor(() => seen.some((a) => a[1] === marker), { message: 'marker in MONITOR' });
    monitor.disconnect();
    base.disconnect();
    const ours = seen.filter((a) => a.some((x) => x.startsWith(p)));
    expect(ours).toHaveLength(1);
    expect(ours[0]![0]!.toLowerCase()).toBe('mget');
  });

  it('without replicas, revokes without WAIT (a WAIT 1 there would time out every revocation)', async () => {
    const p = prefix();
    const store = new RedisRevocationStore({ redis, prefix: p });
    const base = new Redis(server.url);
    const monitor = await base.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
    const marker = `done-${p}`;
    await store.revokeJti('no-replica', nowS() + 60);
    await redis.echo(marker);
    await waitFor(() => seen.some((a) => a[1] === marker), { message: 'marker in MONITOR' });
    monitor.disconnect();
    base.disconnect();
    expect(seen.map((a) => a[0]!.toLowerCase())).not.toContain('wait');
    expect(await store.isRevoked({ jti: 'no-replica', iat: nowS() })).toBe(true);
  });
});

describe('RedisRevocationStore with a replica (real primary + real --replicaof redis-server)', () => {
  let primary: RedisHandle;
  let replica: RedisHandle;
  let redis: RedisClient;
  let onReplica: Redis;
  const nowS = () => Math.floor(Date.now() / 1000);
  const store = (replicaAckTimeoutMs: number) => new RedisRevocationStore({ redis, prefix: `test-${randomBytes(4).toString('hex')}:`, replicaAckTimeoutMs });
  const paused = async <T>(fn: () => Promise<T>): Promise<T> => {
    process.kill(replica.pid!, 'SIGSTOP');
    try {
      return await fn();
    } finally {
      process.kill(replica.pid!, 'SIGCONT');
    }
  };

  beforeAll(async () => {
    // Sync at once rather than after the default 5 s diskless-sync delay.
    primary = await startRedis({ own: true, args: ['--repl-diskless-sync-delay', '0'] });
    replica = await startRedis({ own: true, args: ['--replicaof', '127.0.0.1', new URL(primary.url).port] });
    // Above the WAIT timeouts below, so the client does not give up first.
    redis = createRedis(primary.url, { commandTimeoutMs: 5000 });
    onReplica = new Redis(replica.url);
    await redisReady(redis);
    await waitFor(async () => (await onReplica.info('replication')).includes('master_link_status:up'), { message: 'replica linked' });
    await waitFor(async () => /slave0:.*state=online/.test(await redis.info('replication')), { message: 'the replica is in sync' });
  });
  afterAll(async () => {
    redis.disconnect();
    onReplica.disconnect();
    await replica.stop();
    await primary.stop();
  });

  it('does not report a revocation until the replica holds it (WAIT 1)', async () => {
    const s = store(4000);
    let done = false;
    const { revoked } = await paused(async () => {
      const p = s.revokeJti('j-wait', nowS() + 60).then(() => (done = true));
      // The replica cannot acknowledge while stopped, so the revoke must still be waiting.
      await new Promise((r) => setTimeout(r, 400));
      expect(done).toBe(false);
      return { revoked: p };
    });
    await revoked;
    expect(done).toBe(true);
    expect(await onReplica.get(s.keyOf('jti', 'j-wait'))).toBe('0');
  });

  it('fails closed (REDIS_REPLICA_TIMEOUT, unavailable) when no replica acknowledges in time', async () => {
    const s = store(300);
    const t0 = Date.now();
    await paused(() => expect(s.revokeHost('apps/x', nowS() + 60, nowS())).rejects.toMatchObject({ kind: 'unavailable', code: 'REDIS_REPLICA_TIMEOUT' }));
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});
