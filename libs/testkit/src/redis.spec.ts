import { Redis } from 'ioredis';
import { startRedis } from './redis';

describe('startRedis', () => {
  it('runs a real redis-server that can be killed and brought back on the same port', async () => {
    const redis = await startRedis({ own: true });
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 });
    try {
      await client.connect();
      expect(await client.set('k', 'v')).toBe('OK');
      await redis.kill();
      await expect(client.get('k')).rejects.toThrow();
      await redis.restart();
      await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
      // Nothing persists: revocations and rate limits are ephemeral by design.
      expect(await client.get('k')).toBeNull();
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
