import { createLogger, LogCapture } from '@podid/logging';
import { createRedis } from '@podid/redis-stores';
import { startRedis, waitFor } from '@podid/testkit';
import { logRedisOutages } from './redis-outage-log';

describe('logRedisOutages', () => {
  it('logs one REDIS_UNAVAILABLE per outage, however many reconnects fail', async () => {
    const server = await startRedis({ own: true });
    const redis = createRedis(server.url);
    const logs = new LogCapture();
    logRedisOutages(redis, createLogger({ service: 'token-issuer', destination: logs }));
    let errors = 0;
    redis.on('error', () => errors++);
    const outages = () => logs.lines.filter((l) => l['event'] === 'REDIS_UNAVAILABLE').length;
    // No offline queue: a command before the connection is ready fails, so wait for one to answer.
    const connected = () => waitFor(async () => (await redis.ping().catch(() => '')) === 'PONG', { message: 'connected', timeoutMs: 20_000 });
    try {
      await connected();
      await server.kill();
      await waitFor(() => errors >= 3, { message: 'three failed reconnects', timeoutMs: 20_000 });
      expect(outages()).toBe(1);
      await server.restart();
      await connected();
      await server.kill();
      await waitFor(() => outages() === 2, { message: 'a second outage logged', timeoutMs: 20_000 });
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
