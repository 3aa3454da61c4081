import type { Logger } from '@podid/logging';
import type { Counter } from 'prom-client';
import type { ShedReason } from './connection-limits';

/** At most one GATEWAY_CONNECTION_SHED line per reason in this window, so a flood does not flood the log. */
export const SHED_LOG_INTERVAL_MS = 10_000;

/**
 * Counts every shed connection in the metric and logs the first of each
 * window per reason, with how many were shed unlogged before it.
 */
export function createShedReporter(opts: { log: Logger; counter: Counter<'reason'>; intervalMs?: number; now?: () => number }): (reason: ShedReason, remoteAddress: string) => void {
  const interval = opts.intervalMs ?? SHED_LOG_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  const state = new Map<ShedReason, { loggedAt: number; unlogged: number }>();
  return (reason, remoteAddress) => {
    opts.counter.inc({ reason });
    const s = state.get(reason) ?? { loggedAt: -Infinity, unlogged: 0 };
    state.set(reason, s);
    if (now() - s.loggedAt < interval) {
      s.unlogged++;
      return;
    }
    opts.log.event('GATEWAY_CONNECTION_SHED', { reason, client_ip: remoteAddress, shed_since_last_line: s.unlogged });
    s.loggedAt = now();
    s.unlogged = 0;
  };
}
