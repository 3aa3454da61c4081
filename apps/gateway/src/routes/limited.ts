import type { GatewayDeps } from '../gateway-deps';

/** Counts and logs a 429, by scope. */
export function onRateLimited(deps: GatewayDeps): (scope: string) => void {
  return (scope) => {
    deps.metrics.rateLimited.inc({ scope });
    deps.log.event('RATE_LIMITED', { scope });
  };
}
