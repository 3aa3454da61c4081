import { randomBytes } from 'node:crypto';
import { startRedis, type RedisHandle } from '@podid/testkit';
import { AUDIT_ID_PATTERN, createRedis, isAuditId, redisReady, RedisAuditStream, type RedisClient } from './index';

describe('RedisAuditStream (real redis-server)', () => {
  let server: RedisHandle;
  let redis: RedisClient;
  const prefix = () => `test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    server = await startRedis();
    redis = createRedis(server.url);
    await redisReady(redis);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('reads records after an id, oldest first, in batches; an empty stream starts at 0-0', async () => {
    const s = new RedisAuditStream({ redis, prefix: prefix() });
    expect(await s.lastId()).toBe('0-0');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await s.append('AUDIT_X', i % 2 ? 'failure' : 'success', { i }));
    for (const id of ids) expect(id).toMatch(AUDIT_ID_PATTERN);
    expect(await s.lastId()).toBe(ids[4]);
    const first = await s.readAfter('0-0', 2);
    expect(first.map((r) => [r.id, r.code, r.result, JSON.parse(r.fieldsJson)])).toEqual([
      [ids[0], 'AUDIT_X', 'success', { i: 0 }],
      [ids[1], 'AUDIT_X', 'failure', { i: 1 }],
    ]);
    expect(first[0]!.timeMs).toBe(Number(ids[0]!.split('-')[0]));
    expect((await s.readAfter(ids[1]!, 100)).map((r) => r.id)).toEqual(ids.slice(2));
    expect(await s.readAfter(ids[4]!, 100)).toEqual([]);
  });

  it('takes ids up to 2^64-1 in each part, as Redis does, and refuses larger ones before Redis would', async () => {
    const s = new RedisAuditStream({ redis, prefix: prefix() });
    const max = '18446744073709551615-18446744073709551615';
    expect(isAuditId(max)).toBe(true);
    expect(await s.readAfter(max, 1)).toEqual([]);
    for (const id of ['18446744073709551616-0', '0-18446744073709551616', '99999999999999999999-0']) {
      expect(isAuditId(id)).toBe(false);
      // What WatchAudit once passed on: Redis refuses it, and the caller got UNAVAILABLE instead of INVALID_ARGUMENT.
      await expect(s.readAfter(id, 1)).rejects.toThrow(/Invalid stream ID/);
    }
    expect(isAuditId('1-x')).toBe(false);
  });

  it('stays near its maximum length', async () => {
    const s = new RedisAuditStream({ redis, prefix: prefix(), maxLen: 100 });
    for (let i = 0; i < 1000; i++) await s.append('AUDIT_X', 'success', { i });
    // MAXLEN ~ trims whole nodes: approximately, never far beyond.
    expect((await s.readAfter('0-0', 10_000)).length).toBeLessThan(300);
  });

  it('fails as REDIS_UNAVAILABLE when Redis does not answer', async () => {
    const down = createRedis('redis://127.0.0.1:1', { connectTimeoutMs: 100 });
    down.on('error', () => undefined);
    try {
      await expect(new RedisAuditStream({ redis: down, prefix: prefix() }).append('AUDIT_X', 'success', {})).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    } finally {
      down.disconnect();
    }
  });
});
