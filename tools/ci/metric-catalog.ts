// Prints every metric podid's services export, as JSON {name: {type, labels}},
// by calling the same registration functions the services' entry points call
// (apps/*/src/main.ts, apps/gateway/src/start-gateway.ts) on one registry.
// tools/ci/monitoring.test.mjs checks the alert rules and the dashboard
// against it, so a renamed metric or label breaks that test.
import { EventEmitter } from 'node:events';
import type { Logger } from '@podid/logging';
// Module paths, not the libs' index files: the catalog needs their metrics, not gRPC or Kubernetes clients.
import { createServerMetrics } from '../../libs/grpc/src/server-metrics';
import { watchCredentialExpiry } from '../../libs/kube/src/credential-expiry';
import { createKubeApiTimer } from '../../libs/kube/src/kube-api-timer';
import type { RedisClient } from '../../libs/redis-stores/src/create-redis';
import { FallbackRateLimiter } from '../../libs/redis-stores/src/fallback-rate-limiter';
import { MemoryRateLimiter } from '../../libs/redis-stores/src/memory-rate-limiter';
import { countRedisErrors } from '../../libs/redis-stores/src/redis-error-counter';
import { createMetricsRegistry } from '../../libs/runtime/src/ops-server';
import { caExpiryGauge } from '../../apps/ca-signer/src/ca-metrics';
import { registerInjectMetrics } from '../../apps/cert-injector/src/inject-metrics';
import { createGatewayMetrics, GATEWAY_METRIC_PREFIX } from '../../apps/gateway/src/gateway-metrics';

async function main(): Promise<void> {
  const registry = createMetricsRegistry();
  const log = { event: () => undefined } as unknown as Logger;
  createGatewayMetrics(registry);
  countRedisErrors(new EventEmitter() as unknown as RedisClient, registry);
  new FallbackRateLimiter({ primary: new MemoryRateLimiter(), fallback: new MemoryRateLimiter(), registry, metricPrefix: GATEWAY_METRIC_PREFIX });
  createServerMetrics(registry);
  caExpiryGauge(registry);
  registerInjectMetrics(registry, () => ({ running: 0, queued: 0 }));
  createKubeApiTimer(registry);
  // The gauge exists once a client certificate is read.
  watchCredentialExpiry({ read: () => ({ notBefore: new Date(0), notAfter: new Date(), subjectCn: 'catalog', serial: '01' }), log, warnDays: 0, registry, intervalMs: 3_600_000 });
  const labels = new Map(registry.getMetricsAsArray().map((m) => [m.name, [...((m as unknown as { labelNames?: string[] }).labelNames ?? [])].sort()]));
  const out: Record<string, { type: string; labels: string[] }> = {};
  for (const m of await registry.getMetricsAsJSON()) out[m.name] = { type: String(m.type), labels: labels.get(m.name) ?? [] };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  process.exit(0);
}

void main();
