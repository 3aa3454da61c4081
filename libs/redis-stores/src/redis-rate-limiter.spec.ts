import { randomBytes } from 'node:crypto';
import { startRedis, type RedisHandle } from '@podid/testkit';
import { createRedis, redisReady, FallbackRateLimiter, MemoryRateLimiter, RedisRateLimiter, type RateLimiter, type RedisClient } from './index';

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

  // A day-long window: refill during the burst is far below one token, so exactly `limit` takes may succeed.
  const WINDOW_MS = 86_400_000;
  const cases: Array<[limit: number, takes: number]> = [[1, 20], [5, 60], [20, 200], [50, 51], [100, 400], [30, 10]];

  /** `takes` concurrent takes of one bucket, alternating between the two replicas' limiters; how many were allowed. */
  async function burst(a: RateLimiter, b: RateLimiter, limit: number, takes: number): Promise<number> {
    const key = `ip:10.1.${limit}.${takes}`;
    const results = await Promise.all(Array.from({ length: takes }, (_, i) => (i % 2 ? b : a).take(key, limit, WINDOW_MS)));
    return results.filter((r) => r.allowed).length;
  }

  it.each(cases)('allows exactly min(limit, takes) of concurrent takes from two replicas (limit %i, %i takes)', async (limit, takes) => {
    const prefix = `test-${randomBytes(4).toString('hex')}:`;
    const allowed = await burst(new RedisRateLimiter({ redis: replicaA, prefix }), new RedisRateLimiter({ redis: replicaB, prefix }), limit, takes);
    expect(allowed).toBe(Math.min(limit, takes));
  });

  it.each(cases)('does the same through the fallback limiter while Redis is up (limit %i, %i takes)', async (limit, takes) => {
    const prefix = `test-${randomBytes(4).toString('hex')}:`;
    const replica = (redis: RedisClient) => new FallbackRateLimiter({ primary: new RedisRateLimiter({ redis, prefix }), fallback: new MemoryRateLimiter() });
    const [a, b] = [replica(replicaA), replica(replicaB)];
    expect(await burst(a, b, limit, takes)).toBe(Math.min(limit, takes));
    expect([a.isDegraded, b.isDegraded]).toEqual([false, false]);
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
