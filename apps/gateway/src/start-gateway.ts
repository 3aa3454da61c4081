import { readTlsFiles } from '@podid/config';
import type { Logger } from '@podid/logging';
import { startOpsServer } from '@podid/runtime';
import type { GatewayConfig } from './gateway-config';
import type { GatewayDeps } from './gateway-deps';
import { createGatewayMetrics, GATEWAY_METRIC_PREFIX } from './gateway-metrics';
import { startGatewayServer } from './http/gateway-server';
import { createRequestHandler } from './http/request-handler';
import { createShedReporter } from './http/shed-reporter';
import { parseProxyList } from './protocol/trusted-proxies';
import { countRedisErrors, createRedis, FallbackRateLimiter, MemoryRateLimiter, RedisAuditStream, RedisRateLimiter, RedisRevocationStore } from '@podid/redis-stores';
import { createAuditSink } from './platform/audit-sink';
import { startPlatformServer, type PlatformServer } from './platform/platform-server';
import { redisAofEnabled, redisPing, waitForRedis } from './redis-client';
import { gatewayReadiness } from './routes/health';
import { gatewayRoutes } from './routes/gateway-routes';
import { BundleCache } from './upstream/bundle-cache';
import { createUpstreamHealth } from './upstream/upstream-health';
import { closeUpstreams, createUpstreams } from './upstream/upstreams';

export interface RunningGateway {
  readonly port: number;
  readonly opsPort: number;
  /** The platform gRPC API's port; undefined when PODID_PLATFORM_API=false. */
  readonly platformPort: number | undefined;
  stop(): Promise<void>;
}

/**
 * Wires the gateway in order: adapters (gRPC clients, Redis), rate limiters,
 * routes, then the HTTPS and ops servers. `now` is injectable for tests.
 */
export async function startGateway(cfg: GatewayConfig, log: Logger, now: () => Date = () => new Date()): Promise<RunningGateway> {
  const tls = readTlsFiles(cfg);
  const upstreams = createUpstreams(cfg, tls);
  const health = createUpstreamHealth(cfg, tls);
  const redis = createRedis(cfg.redisUrl);
  // ioredis reports every reconnect attempt as an error event; readiness and the fallback metric carry the state.
  redis.on('error', () => undefined);
  await waitForRedis(redis);
  // Not ready until deps exist; then the check the public /readyz uses too.
  let ready: () => Promise<boolean> = async () => false;
  const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: () => ready() });
  const metrics = createGatewayMetrics(ops.registry);
  countRedisErrors(redis, ops.registry);
  // Reports RATE_LIMIT_FALLBACK / RATE_LIMIT_RECOVERED and podid_gateway_rate_limit_fallback_total.
  const limiter = new FallbackRateLimiter({
    primary: new RedisRateLimiter({ redis, prefix: cfg.redisPrefix }),
    fallback: new MemoryRateLimiter(),
    log,
    registry: ops.registry,
    metricPrefix: GATEWAY_METRIC_PREFIX,
  });
  const auditStream = new RedisAuditStream({ redis, prefix: cfg.redisPrefix, maxLen: cfg.auditStreamMaxLen });
  const deps: GatewayDeps = {
    upstreams,
    health,
    bundles: new BundleCache(upstreams.caSigner),
    limiter,
    rates: { ip: cfg.rateIp, host: cfg.rateHost, pod: cfg.ratePod },
    account: cfg.account,
    trustedProxies: parseProxyList(cfg.trustedProxies) ?? [],
    issuer: cfg.issuer,
    trustDomain: cfg.trustDomain,
    redisReady: () => redisPing(redis),
    redisAofEnabled: () => redisAofEnabled(redis),
    metrics,
    audit: createAuditSink(auditStream, log, metrics.auditStreamErrors),
    log,
    now,
  };
  ready = gatewayReadiness(deps);
  const server = await startGatewayServer({
    host: cfg.gatewayHost,
    port: cfg.gatewayPort,
    certFile: cfg.gatewayCertFile,
    keyFile: cfg.gatewayKeyFile,
    log,
    handler: createRequestHandler({ routes: gatewayRoutes(deps, ready), log, metrics }),
    timeouts: { handshakeMs: cfg.handshakeTimeoutMs, headersMs: cfg.headersTimeoutMs, requestMs: cfg.requestTimeoutMs, keepAliveMs: cfg.keepAliveTimeoutMs, idleMs: cfg.idleTimeoutMs },
    limits: { maxConnections: cfg.maxConnections, maxConnectionsPerIp: cfg.maxConnectionsPerIp },
    onShed: createShedReporter({ log, counter: metrics.connectionsShed }),
  });
  let platform: PlatformServer | undefined;
  if (cfg.platformEnabled) {
    platform = await startPlatformServer({
      deps,
      // Read-only here: the platform API checks a certificate caller's host and pod uid as Issue does.
      revocations: new RedisRevocationStore({ redis, prefix: cfg.redisPrefix }),
      auditStream,
      settings: { host: cfg.platformHost, port: cfg.platformPort, rate: cfg.ratePlatform, maxDeadlineMs: cfg.platformMaxDeadlineMs, auditBuffer: cfg.platformAuditBuffer, auditStallMs: cfg.platformAuditStallMs, auditRecheckMs: cfg.platformAuditRecheckMs, auditPollMs: 250 },
      certFile: cfg.gatewayCertFile,
      keyFile: cfg.gatewayKeyFile,
      log,
    });
  }
  return {
    port: server.port,
    opsPort: ops.port,
    platformPort: platform?.port,
    async stop() {
      await platform?.stop();
      await server.close();
      await ops.close();
      closeUpstreams(upstreams);
      health.close();
      redis.disconnect();
    },
  };
}
