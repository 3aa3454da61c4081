import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { startRedis } from './redis';

const connected = (client: Redis) => new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));

describe('startRedis', () => {
  it('runs a real redis-server that can be killed and brought back on the same port, with its data', async () => {
    const redis = await startRedis({ own: true });
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 });
    try {
      await client.connect();
      expect(await client.set('k', 'v')).toBe('OK');
      const pid = redis.pid;
      await redis.kill();
      expect(redis.pid).toBeUndefined();
      await expect(client.get('k')).rejects.toThrow();
      await redis.restart();
      expect(redis.pid).not.toBe(pid);
      await connected(client);
      // AOF: even a SIGKILL keeps what was acknowledged, so revocations outlive a crash.
      expect(await client.get('k')).toBe('v');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('removes its temp data dir on stop', async () => {
    const redis = await startRedis({ own: true });
    const client = new Redis(redis.url);
    const [, dir] = (await client.config('GET', 'dir')) as [string, string];
    client.disconnect();
    expect(existsSync(dir)).toBe(true);
    await redis.stop();
    expect(existsSync(dir)).toBe(false);
  });

  it('runs without persistence only when asked (to test the status warning)', async () => {
    const redis = await startRedis({ own: true, persistent: false });
    const client = new Redis(redis.url);
    try {
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
