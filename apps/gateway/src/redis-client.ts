import { Cluster } from 'ioredis';
import type { RedisClient } from '@podid/redis-stores';

/** True when Redis answers PING within its command timeout. */
export async function redisPing(redis: RedisClient): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * Waits up to `ms` for the first connection, so the first requests count in
 * Redis rather than in memory. Never throws: an absent Redis shows in readiness.
 */
export async function waitForRedis(redis: RedisClient, ms = 2000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.once('ready', onReady);
  });
}

/**
 * Whether every primary keeps its writes across a restart: AOF on
 * (`INFO persistence` aof_enabled:1). RDB snapshots alone lose what came after
 * the last save. Undefined when Redis does not answer (the redis check fails then).
 */
export async function redisAofEnabled(redis: RedisClient): Promise<boolean | undefined> {
  try {
    const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
    const infos = await Promise.all(nodes.map((n) => n.info('persistence')));
    return infos.every((i) => /^aof_enabled:1\r?$/m.test(i));
  } catch {
    return undefined;
  }
}
