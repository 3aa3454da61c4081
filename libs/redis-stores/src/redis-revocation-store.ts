import { Cluster, type Redis } from 'ioredis';
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
 * concern expire. All keys share the `{rev}` hash tag, so on Redis Cluster
 * they live on one master and a check is one round trip there too.
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

  /**
   * One round trip: MGET of the jti, host and pod keys. On Cluster, one GET
   * per key instead, sent together: while the `{rev}` slot migrates, a key
   * may be on either node, and Redis answers a multi-key command there with
   * TRYAGAIN/ASK until the migration ends, while each GET follows its own ASK.
   */
  async isRevoked(q: RevocationQuery): Promise<boolean> {
    const keys = [q.jti && this.keyOf('jti', q.jti), q.hostId && this.keyOf('host', q.hostId), q.podUid && this.keyOf('pod', q.podUid)];
    // An absent target still gets a key slot so positions stay fixed; the empty-id key never exists.
    const all = keys.map((k) => k || `${this.prefix}none`);
    const redis = this.redis;
    const [jti, host, pod] = await redisCall('MGET', () => (redis instanceof Cluster ? Promise.all(all.map((k) => redis.get(k))) : redis.mget(...all)));
    const covers = (v: string | null | undefined) => v !== null && v !== undefined && q.iat <= Number(v);
    return (jti !== null && jti !== undefined && !!q.jti) || covers(host) || covers(pod);
  }

  /**
   * The script, then WAIT 1 on the connection that ran it wherever that
   * primary has replicas: a revocation only a failed-over primary held would
   * vanish, so no acknowledgement in time fails closed instead of reporting
   * success. On Cluster the write may have gone to the slot's owner or, during
   * a migration, to the importing node (ASK), so every primary is asked; WAIT
   * returns at once on a connection with no pending writes.
   */
  private async revoke(key: string, issuedBefore: number, untilUnix: number): Promise<void> {
    await redisCall('revoke', () => this.redis.podidRevoke(key, String(issuedBefore), String(untilUnix * 1000)));
    const primaries = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const acks = await redisCall('revoke WAIT', () => Promise.all(primaries.map((node) => this.replicaAcks(node))));
    if (acks.some((a) => a === 0)) {
      throw new DependencyUnavailableError('REDIS_REPLICA_TIMEOUT', `redis revoke: no replica acknowledged the revocation within ${this.replicaAckTimeoutMs} ms`);
    }
  }

  /** Replicas that acknowledged this connection's writes, or undefined for a primary without replicas (WAIT 1 would only time out). */
  private async replicaAcks(node: Redis): Promise<number | undefined> {
    if (replicasOf(await node.role()) === 0) return undefined;
    return Number(await node.wait(1, this.replicaAckTimeoutMs));
  }
}

/** Connected replicas in a primary's ROLE reply: ['master', offset, [[ip, port, offset], ...]]. */
function replicasOf(role: unknown): number {
  return Array.isArray(role) && role[0] === 'master' && Array.isArray(role[2]) ? role[2].length : 0;
}
