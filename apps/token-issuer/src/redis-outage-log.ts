import type { Logger } from '@podid/logging';
import type { RedisClient } from '@podid/redis-stores';

/**
 * Logs REDIS_UNAVAILABLE once per outage, not once per reconnect attempt:
 * the client retries every second or faster while Redis is down.
 */
export function logRedisOutages(redis: RedisClient, log: Logger): void {
  let down = false;
  redis.on('ready', () => (down = false));
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.event('REDIS_UNAVAILABLE', { err: err.message });
  });
}
