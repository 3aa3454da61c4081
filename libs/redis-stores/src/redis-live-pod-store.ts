import type { RedisClient } from './create-redis';
import { redisCall } from './redis-call';

/** A pod that holds at least one unexpired token. */
export interface LivePod {
  readonly namespace: string;
  readonly podUid: string;
  /** Expiry of its latest token, unix seconds. */
  readonly expiresAt: number;
  /** Its cluster; empty for a record written before clusters. */
  readonly cluster: string;
}

// Keeps the later expiry per member and drops expired members, in one step.
// ZADD GT would need Redis 6.2; this works on Redis 6 too.
const RECORD_LUA = `
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. t[1])
local cur = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not cur or tonumber(cur) < tonumber(ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

type Scripted = { podidRecordLivePod(key: string, exp: string, member: string): Promise<number> };

/**
 * The pods with unexpired tokens: one sorted set of `cluster/namespace/uid`
 * scored by the latest token's exp, under the revocation store's `{rev}` hash
 * tag. It lets pod-verifier revoke the tokens of pods deleted while it was not
 * watching (see docs/security-model.md, invariant 3), one cluster at a time.
 * Members written before clusters are `namespace/uid` (none of the three
 * names can hold a `/`).
 */
export class RedisLivePodStore {
  private readonly redis: RedisClient & Scripted;
  /** The sorted set's key; exposed for tests and operators. */
  readonly key: string;

  constructor(opts: { redis: RedisClient; prefix: string }) {
    this.key = `${opts.prefix}{rev}:live-pods`;
    opts.redis.defineCommand('podidRecordLivePod', { numberOfKeys: 1, lua: RECORD_LUA });
    this.redis = opts.redis as RedisClient & Scripted;
  }

  /** Records that the pod of `cluster` holds a token until `expiresAt` (unix seconds). */
  async record(cluster: string, namespace: string, podUid: string, expiresAt: number): Promise<void> {
    if (!cluster || cluster.includes('/')) throw new RangeError(`cluster: exp=a name without "/" got=${JSON.stringify(cluster)}`);
    await redisCall('record live pod', () => this.redis.podidRecordLivePod(this.key, String(expiresAt), `${cluster}/${namespace}/${podUid}`));
  }

  /**
   * The pods of `cluster` whose latest token expires at or after `nowUnix`. Records without a cluster (written
   * before clusters) are listed only for an empty `cluster`: a sweep of one cluster must never revoke a pod of
   * another because it does not find it.
   */
  async list(nowUnix: number, cluster: string): Promise<LivePod[]> {
    const flat = await redisCall('list live pods', () => this.redis.zrangebyscore(this.key, nowUnix, '+inf', 'WITHSCORES'));
    const pods: LivePod[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parts = flat[i]!.split('/');
      const [c, namespace, podUid] = parts.length === 3 ? parts : ['', ...parts];
      if (c !== cluster || namespace === undefined || podUid === undefined) continue;
      pods.push({ namespace, podUid, expiresAt: Number(flat[i + 1]), cluster: c });
    }
    return pods;
  }
}
