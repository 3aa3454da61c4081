import { Counter, Gauge, type Registry } from 'prom-client';
import { DependencyUnavailableError } from '@podid/errors';
import type { Logger } from '@podid/logging';
import type { RateLimiter, TakeResult } from './rate-limiter';

export interface FallbackRateLimiterOptions {
  primary: RateLimiter;
  /** Per-process limiter used while the primary is unavailable. */
  fallback: RateLimiter;
  log?: Logger;
  /** Called once when an outage starts and once when it ends. */
  onStateChange?: (state: 'fallback' | 'recovered') => void;
  /** Registers <metricPrefix>_rate_limit_fallback_total and <metricPrefix>_rate_limit_degraded. */
  registry?: Registry;
  /** Default `podid`; the gateway passes `podid_gateway`. */
  metricPrefix?: string;
}

/**
 * Rate limits through Redis, and through a per-process limiter while Redis
 * is down (docs/architecture.md section 7): limits then hold per replica, not across
 * replicas, which is reported once per outage, as a metric, and on recovery.
 * Each take tries Redis first; with no offline queue that fails at once.
 */
export class FallbackRateLimiter implements RateLimiter {
  private degraded = false;
  private readonly fallbackTotal?: Counter;
  private readonly degradedGauge?: Gauge;

  constructor(private readonly opts: FallbackRateLimiterOptions) {
    if (opts.registry) {
      const p = opts.metricPrefix ?? 'podid';
      this.fallbackTotal = new Counter({ name: `${p}_rate_limit_fallback_total`, help: 'Rate-limit decisions made by the per-process limiter because Redis was unavailable.', registers: [opts.registry] });
      this.degradedGauge = new Gauge({ name: `${p}_rate_limit_degraded`, help: '1 while rate limiting runs per process because Redis is unavailable.', registers: [opts.registry] });
      this.degradedGauge.set(0);
    }
  }

  get isDegraded(): boolean {
    return this.degraded;
  }

  async take(key: string, limit: number, windowMs: number): Promise<TakeResult> {
    try {
      const res = await this.opts.primary.take(key, limit, windowMs);
      if (this.degraded) this.setDegraded(false);
      return res;
    } catch (e) {
      if (!(e instanceof DependencyUnavailableError)) throw e;
      if (!this.degraded) this.setDegraded(true, e);
      this.fallbackTotal?.inc();
      return this.opts.fallback.take(key, limit, windowMs);
    }
  }

  private setDegraded(on: boolean, err?: Error): void {
    this.degraded = on;
    this.degradedGauge?.set(on ? 1 : 0);
    if (on) this.opts.log?.event('RATE_LIMIT_FALLBACK', { err: err?.message });
    else this.opts.log?.event('RATE_LIMIT_RECOVERED');
    this.opts.onStateChange?.(on ? 'fallback' : 'recovered');
  }
}
