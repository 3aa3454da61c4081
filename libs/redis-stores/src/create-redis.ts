import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './parse-redis-url';

/** A standalone/Sentinel client or a Cluster client; the stores use only what both have. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** TCP connect timeout; default 1000 ms. */
  connectTimeoutMs?: number;
  /** A command that gets no reply in this time fails; default 1000 ms. */
  commandTimeoutMs?: number;
}

/**
 * Builds the one Redis client of a process from REDIS_URL (see
 * parseRedisUrl). Tuned to fail fast and heal on its own: no offline queue
 * (a command while disconnected fails at once), one retry per command, a
 * short connect timeout, and reconnects forever with capped backoff.
 */
export function createRedis(url: string, opts: RedisClientOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  const common: RedisOptions = {
    connectTimeout: opts.connectTimeoutMs ?? 1000,
    commandTimeout: opts.commandTimeoutMs ?? 1000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  };
  switch (target.kind) {
    case 'standalone':
      return new Redis(url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: target.sentinels,
        name: target.masterName,
        db: target.db,
        username: target.username,
        password: target.password,
        sentinelUsername: target.username,
        sentinelPassword: target.password,
        enableTLSForSentinelMode: target.tls,
        ...(target.tls ? { tls: {} } : {}),
        sentinelRetryStrategy: (times: number) => Math.min(100 * times, 1000),
      });
    case 'cluster': {
      const { retryStrategy: _r, enableOfflineQueue: _e, ...redisOptions } = common;
      return new Cluster(target.nodes, {
        enableOfflineQueue: false,
        clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
        redisOptions: { ...redisOptions, username: target.username, password: target.password, ...(target.tls ? { tls: {} } : {}) },
      });
    }
  }
}

/**
 * Resolves once the client is connected and ready. Without an offline queue a
 * command sent before that fails, so entry points and tests wait here first.
 */
export function redisReady(client: RedisClient, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
