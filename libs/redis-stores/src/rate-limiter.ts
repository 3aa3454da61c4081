/** The answer to one request for a token. */
export interface TakeResult {
  readonly allowed: boolean;
  /** When refused: milliseconds until one token is available (0 when allowed). */
  readonly retryAfterMs: number;
  /** Tokens left after this take. */
  readonly remaining: number;
}

/**
 * A token bucket per key: `limit` requests per `windowMs`, refilled evenly,
 * bursting up to `limit`.
 */
export interface RateLimiter {
  take(key: string, limit: number, windowMs: number): Promise<TakeResult>;
}
