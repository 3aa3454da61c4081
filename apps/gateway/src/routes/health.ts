import type { Registry } from 'prom-client';
import type { GatewayDeps } from '../gateway-deps';
import { send, sendJson } from '../http/respond';
import type { Route } from '../http/route';
import { UPSTREAM_SERVICES } from '../upstream/upstreams';
import type { UpstreamKey } from '../upstream/upstream-health';

/** Readiness: every upstream's gRPC health is SERVING and Redis answers. */
export async function gatewayReady(deps: GatewayDeps): Promise<{ ready: boolean; failing: string[] }> {
  const keys = Object.keys(UPSTREAM_SERVICES) as UpstreamKey[];
  const results = await Promise.all([...keys.map((k) => deps.health.check(k)), deps.redisReady()]);
  const failing = [...keys.map((k) => UPSTREAM_SERVICES[k].name), 'redis'].filter((_, i) => !results[i]);
  return { ready: failing.length === 0, failing };
}

/** GET /healthz, /readyz and /metrics on the public port (the ops port serves the same). */
export function healthRoutes(deps: GatewayDeps, registry: Registry): Route[] {
  return [
    { method: 'GET', path: ['healthz'], name: 'healthz', class: 'api', handle: async ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: ['readyz'],
      name: 'readyz',
      class: 'api',
      async handle({ res }) {
        const r = await gatewayReady(deps);
        sendJson(res, r.ready ? 200 : 503, r.ready ? { status: 'ready' } : { status: 'not ready', failing: r.failing });
      },
    },
    { method: 'GET', path: ['metrics'], name: 'metrics', class: 'api', handle: async ({ res }) => send(res, 200, await registry.metrics(), { 'content-type': registry.contentType }) },
  ];
}
