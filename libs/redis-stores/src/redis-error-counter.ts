import { Counter, type Registry } from 'prom-client';
import type { RedisClient } from './create-redis';

/** Counts connection and command errors of a Redis client, so that outages show on a dashboard. */
export function countRedisErrors(redis: RedisClient, registry: Registry): void {
  const errors = new Counter({ name: 'podid_redis_errors_total', help: 'Errors reported by the Redis client.', registers: [registry] });
  redis.on('error', () => errors.inc());
}
