/** Options of an exponential backoff; all times in ms. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Growth per failure; 2 by default. */
  readonly multiplier?: number;
  /** Spread of the random jitter: 0.5 gives a delay within +-50% of the base (capped at maxMs). */
  readonly jitter?: number;
  /** Injected for tests; returns a number in [0, 1). */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter: 1s, 2s, 4s ... up to maxMs, each spread
 * at random so that many pods restarted together do not retry in lock step.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const { initialMs, maxMs, multiplier = 2, jitter = 0.5, random = Math.random } = this.opts;
    const base = Math.min(maxMs, initialMs * multiplier ** this.failures);
    this.failures++;
    const spread = base * jitter * (2 * random() - 1);
    return Math.max(1, Math.min(maxMs, Math.round(base + spread)));
  }

  /** Call after a success: the next failure starts again at initialMs. */
  reset(): void {
    this.failures = 0;
  }
}
