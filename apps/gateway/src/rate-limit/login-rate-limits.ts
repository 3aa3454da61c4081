import { ResourceExhaustedError } from '@podid/errors';
import type { RateSpec } from '../protocol/rate-spec';
import type { RateLimiter } from '@podid/redis-stores';

export type RateScope = 'ip' | 'host' | 'pod';

/** The three login limits (PODID_RATE_LIMIT_IP/HOST/POD). */
export type LoginRateSpecs = Record<RateScope, RateSpec>;

/**
 * Applies one login limit (a token bucket of `limit` per window, shared by
 * every replica through Redis, libs/redis-stores); throws ResourceExhaustedError(RATE_LIMITED) with
 * Retry-After in seconds when it is exceeded. `onLimited` logs the scope.
 */
export async function enforceRateLimit(limiter: RateLimiter, specs: LoginRateSpecs, scope: RateScope, id: string, onLimited: (scope: RateScope) => void): Promise<void> {
  const d = await limiter.take(`${scope}:${id}`, specs[scope].limit, specs[scope].windowMs);
  if (d.allowed) return;
  onLimited(scope);
  throw new ResourceExhaustedError('RATE_LIMITED', `rate limit: exp<=${specs[scope].limit} requests per ${specs[scope].windowMs / 1000}s per ${scope}`, Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
}
