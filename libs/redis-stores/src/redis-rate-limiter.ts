import type { RedisClient } from './create-redis';
import { redisCall } from './redis-call';
import type { RateLimiter, TakeResult } from './rate-limiter';

// Token bucket. The clock is Redis TIME, so replicas with skewed clocks agree.
// A bucket untouched for a window is full again, so the key expires then.
const TAKE_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(h[1])
local ts = tonumber(h[2])
if tokens == nil or ts == nil then tokens = limit; ts = now end
local rate = limit / window
tokens = math.min(limit, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], window)
return {allowed, retry, math.floor(tokens)}
`;

type Scripted = { podidTake(key: string, limit: string, windowMs: string): Promise<[number, number, number]> };

/** A rate limiter shared by every replica through one atomic Lua script per take. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisClient & Scripted;

  constructor(opts: { redis: RedisClient; prefix: string }) {
    opts.redis.defineCommand('podidTake', { numberOfKeys: 1, lua: TAKE_LUA });
    this.redis = opts.redis as RedisClient & Scripted;
    this.prefix = `${opts.prefix}rl:`;
  }

  private readonly prefix: string;

  async take(key: string, limit: number, windowMs: number): Promise<TakeResult> {
    checkLimit(limit, windowMs);
    const [allowed, retryAfterMs, remaining] = await redisCall('rate limit', () => this.redis.podidTake(this.prefix + key, String(limit), String(windowMs)));
    return { allowed: allowed === 1, retryAfterMs, remaining };
  }
}

/** Refuses limits that would make the bucket meaningless. */
export function checkLimit(limit: number, windowMs: number): void {
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`rate limit: exp positive integers, got limit=${limit} windowMs=${windowMs}`);
  }
}
