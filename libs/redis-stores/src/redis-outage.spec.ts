import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { DependencyUnavailableError } from '@podid/errors';
import { createLogger, LogCapture } from '@podid/logging';
import { startRedis, waitFor, type RedisHandle } from '@podid/testkit';
import { createRedis, redisReady, FallbackRateLimiter, MemoryRateLimiter, RedisRateLimiter, RedisRevocationStore, type RedisClient } from './index';

describe('Redis outage and recovery (own redis-server, killed and restarted)', () => {
  let server: RedisHandle;
  let redis: RedisClient;
  const prefix = `test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    server = await startRedis({ own: true });
    redis = createRedis(server.url);
    await redisReady(redis);
    redis.on('error', () => undefined);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('fails closed fast while Redis is down and heals by itself, and rate limits fall back to memory once per outage', async () => {
    const store = new RedisRevocationStore({ redis, prefix });
    const logs = new LogCapture();
    const registry = new Registry();
    const changes: string[] = [];
    const limiter = new FallbackRateLimiter({
      primary: new RedisRateLimiter({ redis, prefix }),
      fallback: new MemoryRateLimiter(),
      log: createLogger({ service: 'test', destination: logs }),
      onStateChange: (s) => changes.push(s),
      registry,
    });
    const q = { jti: 'j', iat: 1 };
    expect(await store.isRevoked(q)).toBe(false);
    expect((await limiter.take('k', 2, 60_000)).allowed).toBe(true);

    await server.kill();
    const t0 = Date.now();
    const err = await store.isRevoked(q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect(err).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(1500);
    await expect(store.revokeJti('j', Math.floor(Date.now() / 1000) + 60)).rejects.toBeInstanceOf(DependencyUnavailableError);

    // The per-process limiter takes over: its own bucket of 2, then refusal.
    const during = [await limiter.take('k', 2, 60_000), await limiter.take('k', 2, 60_000), await limiter.take('k', 2, 60_000)];
    expect(during.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(limiter.isDegraded).toBe(true);
    expect(changes).toEqual(['fallback']);
    expect(logs.withEvent('RATE_LIMIT_FALLBACK')).toHaveLength(1);
    expect(await registry.getSingleMetricAsString('podid_rate_limit_fallback_total')).toMatch(/ 3$/m);
    expect(await registry.getSingleMetricAsString('podid_rate_limit_degraded')).toMatch(/ 1$/m);

    await server.restart();
    await waitFor(() => store.isRevoked(q).then(() => true), { timeoutMs: 10_000, message: 'revocation store answers after restart' });
    expect((await limiter.take('k2', 2, 60_000)).allowed).toBe(true);
    expect(changes).toEqual(['fallback', 'recovered']);
    expect(logs.withEvent('RATE_LIMIT_RECOVERED')).toHaveLength(1);
    expect(await registry.getSingleMetricAsString('podid_rate_limit_degraded')).toMatch(/ 0$/m);
  });
});
