import { ResourceExhaustedError } from '@podid/errors';
import type { RateSpec } from '../protocol/rate-spec';
import type { RateLimiter } from '@podid/redis-stores';

export type RateScope = 'ip' | 'host' | 'pod';

/** The three login limits (PODID_RATE_LIMIT_IP/HOST/POD). */
export type LoginRateSpecs = Record<RateScope, RateSpec>;

/**
 * Applies login limits (token buckets of `limit` per window, shared by every
 * replica through Redis, libs/redis-stores); throws
 * ResourceExhaustedError(RATE_LIMITED) with Retry-After in seconds when one is
 * exceeded. `onLimited` logs the scope. Several buckets are taken at once, so
 * they cost one Redis round trip of latency. Routes charge the host and pod
 * buckets only once the caller has proved a claim to them
 * (docs/security-model.md invariant 6), so they cannot be spent by others.
 */
export async function enforceRateLimits(
  limiter: RateLimiter,
  specs: LoginRateSpecs,
  buckets: ReadonlyArray<readonly [RateScope, string]>,
  onLimited: (scope: RateScope) => void,
): Promise<void> {
  const results = await Promise.all(buckets.map(([scope, id]) => limiter.take(`${scope}:${id}`, specs[scope].limit, specs[scope].windowMs)));
  const i = results.findIndex((d) => !d.allowed);
  if (i < 0) return;
  const scope = buckets[i]![0];
  onLimited(scope);
  throw new ResourceExhaustedError('RATE_LIMITED', `rate limit: exp<=${specs[scope].limit} requests per ${specs[scope].windowMs / 1000}s per ${scope}`, Math.max(1, Math.ceil(results[i]!.retryAfterMs / 1000)));
}

/** One login limit; see enforceRateLimits. */
export function enforceRateLimit(limiter: RateLimiter, specs: LoginRateSpecs, scope: RateScope, id: string, onLimited: (scope: RateScope) => void): Promise<void> {
  return enforceRateLimits(limiter, specs, [[scope, id]], onLimited);
}

/**
 * True the first time `key` is seen within `ttlMs` (a bucket of one token
 * that refills only after ttlMs), shared by every replica through the limiter.
 */
export async function isFirstUse(limiter: RateLimiter, key: string, ttlMs: number): Promise<boolean> {
  return (await limiter.take(`first:${key}`, 1, Math.max(1000, ttlMs))).allowed;
}
