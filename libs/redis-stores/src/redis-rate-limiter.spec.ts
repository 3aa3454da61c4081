import { randomBytes } from 'node:crypto';
import { startRedis, type RedisHandle } from '@podid/testkit';
import { createRedis, redisReady, MemoryRateLimiter, RedisRateLimiter, type RedisClient } from './index';

describe('RedisRateLimiter (real redis-server)', () => {
  let server: RedisHandle;
  let replicaA: RedisClient;
  let replicaB: RedisClient;

  beforeAll(async () => {
    server = await startRedis();
    // Two separate connections stand for two gateway replicas.
    [replicaA, replicaB] = [createRedis(server.url), createRedis(server.url)];
    await Promise.all([redisReady(replicaA), redisReady(replicaB)]);
  });
  afterAll(async () => {
    replicaA.disconnect();
    replicaB.disconnect();
    await server.stop();
  });

  it('holds one limit across two replicas and says when to retry', async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}:`;
    const [a, b] = [new RedisRateLimiter({ redis: replicaA, prefix }), new RedisRateLimiter({ redis: replicaB, prefix })];
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await (i % 2 ? b : a).take('ip:10.0.0.1', 5, 60_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false, false, false, false]);
    expect(results.slice(0, 5).map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
    // One token every 12 s: the first refusal waits just under 12 s.
    expect(results[5]!.retryAfterMs).toBeGreaterThan(11_000);
    expect(results[5]!.retryAfterMs).toBeLessThanOrEqual(12_000);
    expect((await a.take('ip:10.0.0.2', 5, 60_000)).allowed).toBe(true);
    const pttl = await replicaA.pttl(`${prefix}rl:ip:10.0.0.1`);
    expect(pttl).toBeGreaterThan(59_000);
  });

  it('refuses nonsense limits', async () => {
    await expect(new RedisRateLimiter({ redis: replicaA, prefix: 'x:' }).take('k', 0, 1000)).rejects.toThrow(RangeError);
  });
});

describe('MemoryRateLimiter', () => {
  it('is the same token bucket, with an injected clock', async () => {
    let now = 1_000_000;
    const lim = new MemoryRateLimiter(() => now);
    for (let i = 0; i < 3; i++) expect((await lim.take('k', 3, 3000)).allowed).toBe(true);
    expect(await lim.take('k', 3, 3000)).toEqual({ allowed: false, retryAfterMs: 1000, remaining: 0 });
    now += 1000;
    expect(await lim.take('k', 3, 3000)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
    now += 10_000;
    expect((await lim.take('k', 3, 3000)).remaining).toBe(2);
  });
});
