/** Where Redis is: one server, a Sentinel-managed primary, or a Cluster. */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; masterName: string; tls: boolean; username?: string; password?: string; db: number }
  | { kind: 'cluster'; nodes: HostPort[]; tls: boolean; username?: string; password?: string };

export interface HostPort {
  host: string;
  port: number;
}

const MULTI = /^redis-(sentinel|cluster)(s?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#@]+)(?:\/([^?#]*))?$/;

/**
 * Parses REDIS_URL. Accepted forms:
 * - `redis://[user:pass@]host:port[/db]`, `rediss://…` (TLS);
 * - `redis-sentinel[s]://[user:pass@]h1:p1,h2:p2/<masterName>[/db]`;
 * - `redis-cluster[s]://[user:pass@]h1:p1,h2:p2`.
 * Throws an Error that says what was expected (never echoing the password).
 */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new Error('expected redis://host:port[/db]');
    }
    return { kind: 'standalone', url };
  }
  const m = MULTI.exec(url);
  if (!m) throw new Error('expected redis://, rediss://, redis-sentinel://h:p,h:p/<master> or redis-cluster://h:p,h:p');
  const [, kind, s, user, pass, hosts, path] = m;
  const list = (hosts as string).split(',').map(hostPort);
  const cred = { ...(user ? { username: decodeURIComponent(user) } : {}), ...(pass ? { password: decodeURIComponent(pass) } : {}) };
  if (kind === 'cluster') {
    if (path) throw new Error('redis-cluster:// takes no path');
    return { kind: 'cluster', nodes: list, tls: s === 's', ...cred };
  }
  const [masterName, db = '0'] = (path ?? '').split('/');
  if (!masterName || !/^\d{1,2}$/.test(db)) throw new Error('expected redis-sentinel://h:p,h:p/<masterName>[/db]');
  return { kind: 'sentinel', sentinels: list, masterName: decodeURIComponent(masterName), tls: s === 's', db: Number(db), ...cred };
}

function hostPort(text: string): HostPort {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-_]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new Error(`expected host:port, got "${text}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}
