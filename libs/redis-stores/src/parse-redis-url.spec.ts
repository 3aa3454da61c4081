import { parseRedisUrl } from './parse-redis-url';

describe('parseRedisUrl', () => {
  it('passes redis:// and rediss:// through to ioredis', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'standalone', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://u:p@redis.example:6380')).toMatchObject({ kind: 'standalone' });
  });

  it('reads Sentinel addresses, master name, db and credentials', () => {
    expect(parseRedisUrl('redis-sentinel://:s%40cret@10.0.0.1:26379,sentinel-b:26380/mymaster/3')).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: 'sentinel-b', port: 26380 }],
      masterName: 'mymaster',
      db: 3,
      tls: false,
      password: 's@cret',
    });
    expect(parseRedisUrl('redis-sentinels://[::1]:26379/m')).toMatchObject({ tls: true, sentinels: [{ host: '::1', port: 26379 }] });
  });

  it('reads Cluster seed nodes', () => {
    expect(parseRedisUrl('redis-cluster://a:7000,b:7001')).toEqual({ kind: 'cluster', nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }], tls: false });
  });

  it('says what it expected, without echoing a password', () => {
    expect(() => parseRedisUrl('http://x')).toThrow(/expected redis:\/\//);
    expect(() => parseRedisUrl('redis-sentinel://a:1')).toThrow(/masterName/);
    expect(() => parseRedisUrl('redis-cluster://a:1/x')).toThrow(/no path/);
    expect(() => parseRedisUrl('redis-cluster://:hunter2@a')).toThrow(/^(?!.*hunter2)/);
  });
});
