import { DependencyUnavailableError } from '@podid/errors';
import type { RedisClient } from './create-redis';
import { redisCall } from './redis-call';
import type { RevocationQuery, RevocationStore } from './revocation-store';

// Keeps the larger issued-before and the later expiry when a target is revoked twice.
// Uses PTTL + TIME (not PEXPIRETIME) so Redis 6 works too.
const REVOKE_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '-1')
local v = math.max(cur, tonumber(ARGV[1]))
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = tonumber(ARGV[2])
local pttl = redis.call('PTTL', KEYS[1])
if pttl > 0 and nowMs + pttl > at then at = nowMs + pttl end
if at <= nowMs then return 0 end
redis.call('SET', KEYS[1], tostring(v), 'PXAT', at)
return 1
`;

type Scripted = { podidRevoke(key: string, value: string, untilMs: string): Promise<number> };

/** Default wait for one replica to acknowledge a revocation; below the client's 1 s command timeout. */
const REPLICA_ACK_TIMEOUT_MS = 500;

/**
 * Revocations in Redis, one key per target, expiring when the tokens they
 * concern expire. All keys share the `{rev}` hash tag so that isRevoked is
 * one MGET even on Redis Cluster.
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly redis: RedisClient & Scripted;

  /** replicaAckTimeoutMs: how long a revocation waits for a replica (WAIT); keep it below the client's command timeout. */
  constructor(opts: { redis: RedisClient; prefix: string; replicaAckTimeoutMs?: number }) {
    this.prefix = `${opts.prefix}{rev}:`;
    this.replicaAckTimeoutMs = opts.replicaAckTimeoutMs ?? REPLICA_ACK_TIMEOUT_MS;
    opts.redis.defineCommand('podidRevoke', { numberOfKeys: 1, lua: REVOKE_LUA });
    this.redis = opts.redis as RedisClient & Scripted;
  }

  private readonly prefix: string;
  private readonly replicaAckTimeoutMs: number;

  /** The Redis key of a target; exposed for tests and operators. */
  keyOf(kind: 'jti' | 'host' | 'pod', id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  async revokeJti(jti: string, untilUnix: number): Promise<void> {
    await this.revoke(this.keyOf('jti', jti), 0, untilUnix);
  }

  async revokeHost(hostId: string, untilUnix: number, issuedBeforeUnix: number): Promise<void> {
    await this.revoke(this.keyOf('host', hostId), issuedBeforeUnix, untilUnix);
  }

  async revokePod(podUid: string, untilUnix: number, issuedBeforeUnix: number): Promise<void> {
    await this.revoke(this.keyOf('pod', podUid), issuedBeforeUnix, untilUnix);
  }

  /** One round trip: MGET of the jti, host and pod keys. */
  async isRevoked(q: RevocationQuery): Promise<boolean> {
    const keys = [q.jti && this.keyOf('jti', q.jti), q.hostId && this.keyOf('host', q.hostId), q.podUid && this.keyOf('pod', q.podUid)];
    // An absent target still gets a key slot so positions stay fixed; the empty-id key never exists.
    const [jti, host, pod] = await redisCall('MGET', () => this.redis.mget(...keys.map((k) => k || `${this.prefix}none`)));
    const covers = (v: string | null | undefined) => v !== null && v !== undefined && q.iat <= Number(v);
    return (jti !== null && jti !== undefined && !!q.jti) || covers(host) || covers(pod);
  }

  /**
   * The script, then ROLE in the same pipeline (the same connection, the
   * key's node on Cluster). Where the primary has replicas, WAIT 1 on that
   * connection: a revocation only a failed-over primary held would vanish, so
   * no acknowledgement in time fails closed instead of reporting success.
   */
  private async revoke(key: string, issuedBefore: number, untilUnix: number): Promise<void> {
    const pipe = this.redis.pipeline() as ReturnType<RedisClient['pipeline']> & { podidRevoke(...a: string[]): unknown };
    pipe.podidRevoke(key, String(issuedBefore), String(untilUnix * 1000));
    pipe.role();
    const [, role] = await redisCall('revoke', () => execAll(pipe));
    if (replicasOf(role) === 0) return;
    // PTTL only routes the pipeline to the key's node; WAIT counts acks of this connection's writes.
    const wait = this.redis.pipeline().pttl(key).wait(1, this.replicaAckTimeoutMs);
    const [, acked] = await redisCall('revoke WAIT', () => execAll(wait));
    if (Number(acked) < 1) {
      throw new DependencyUnavailableError('REDIS_REPLICA_TIMEOUT', `redis revoke: no replica acknowledged the revocation within ${this.replicaAckTimeoutMs} ms`);
    }
  }
}

/** Runs a pipeline; the first failed command fails it all. */
async function execAll(pipe: ReturnType<RedisClient['pipeline']>): Promise<unknown[]> {
  const results = (await pipe.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
  return results.map(([, v]) => v);
}

/** Connected replicas in a primary's ROLE reply: ['master', offset, [[ip, port, offset], ...]]. */
function replicasOf(role: unknown): number {
  return Array.isArray(role) && role[0] === 'master' && Array.isArray(role[2]) ? role[2].length : 0;
}
