import { checkLimit } from './redis-rate-limiter';
import type { RateLimiter, TakeResult } from './rate-limiter';

/** Keys kept before idle (full) buckets are swept; bounds memory under a key flood. */
const MAX_KEYS = 100_000;

/** The same token bucket as RedisRateLimiter, for one process (the fallback when Redis is down). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; ts: number; windowMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, limit: number, windowMs: number): Promise<TakeResult> {
    checkLimit(limit, windowMs);
    const now = this.now();
    if (this.buckets.size >= MAX_KEYS) this.sweep(now);
    const b = this.buckets.get(key) ?? { tokens: limit, ts: now, windowMs };
    const rate = limit / windowMs;
    let tokens = Math.min(limit, b.tokens + Math.max(0, now - b.ts) * rate);
    let retryAfterMs = 0;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    else retryAfterMs = Math.ceil((1 - tokens) / rate);
    this.buckets.set(key, { tokens, ts: now, windowMs });
    return { allowed, retryAfterMs, remaining: Math.floor(tokens) };
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.ts >= b.windowMs) this.buckets.delete(k);
    // Still full of live keys: forget the oldest half rather than grow without bound.
    if (this.buckets.size >= MAX_KEYS) [...this.buckets.keys()].slice(0, MAX_KEYS / 2).forEach((k) => this.buckets.delete(k));
  }
}
