import type { GatewayDeps } from '../gateway-deps';
import { sendJson } from '../http/respond';
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

/**
 * The readiness check the public /readyz and the ops port share. Which
 * upstream fails goes to the log (GATEWAY_NOT_READY, once per change), never
 * to the answer: outsiders learn only "not ready".
 */
export function gatewayReadiness(deps: GatewayDeps): () => Promise<boolean> {
  let lastFailing = '';
  return async () => {
    const r = await gatewayReady(deps);
    const failing = r.failing.join(',');
    if (failing !== '' && failing !== lastFailing) deps.log.event('GATEWAY_NOT_READY', { failing: r.failing });
    lastFailing = failing;
    return r.ready;
  };
}

/** GET /healthz and /readyz on the public port. Metrics are on the ops port only: their labels are an oracle. */
export function healthRoutes(ready: () => Promise<boolean>): Route[] {
  return [
    { method: 'GET', path: ['healthz'], name: 'healthz', class: 'api', handle: async ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: ['readyz'],
      name: 'readyz',
      class: 'api',
      async handle({ res }) {
        const ok = await ready();
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
      },
    },
  ];
}
