import type { Logger } from '@podid/logging';
import type { GatewayMetrics } from './gateway-metrics';
import type { AuditSink } from './platform/audit-sink';
import type { LoginRateSpecs } from './rate-limit/login-rate-limits';
import type { RateLimiter } from '@podid/redis-stores';
import type { BundleCache } from './upstream/bundle-cache';
import type { UpstreamHealth } from './upstream/upstream-health';
import type { Upstreams } from './upstream/upstreams';
import type { parseProxyList } from './protocol/trusted-proxies';

/** Everything the routes use, built once in main.ts and passed in. */
export interface GatewayDeps {
  readonly upstreams: Upstreams;
  readonly health: UpstreamHealth;
  readonly bundles: BundleCache;
  readonly limiter: RateLimiter;
  readonly rates: LoginRateSpecs;
  /** The only account served (PODID_ACCOUNT); Conjur URLs carry it. */
  readonly account: string;
  readonly trustedProxies: NonNullable<ReturnType<typeof parseProxyList>>;
  /** PODID_ISSUER, or undefined to use the token issuer's. */
  readonly issuer: string | undefined;
  /** Trust domain of pod SPIFFE ids. */
  readonly trustDomain: string;
  /** True when Redis answers PING. */
  redisReady(): Promise<boolean>;
  /** True when Redis has AOF on (revocations survive its restart); undefined when it does not answer. */
  redisAofEnabled(): Promise<boolean | undefined>;
  readonly metrics: GatewayMetrics;
  /** The audit stream of WatchAudit (logins, denials, revocations, platform calls). */
  readonly audit: AuditSink;
  readonly log: Logger;
  now(): Date;
}
