import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LimiterStats } from './exec-limiter';

/** Where the injector reports each outcome: `OK` or the error code, and the wall time. */
export interface InjectObserver {
  observe(result: string, durationMs: number): void;
}

/** Prometheus metrics of cert-injector: outcomes, latency, and exec slots in use and waiting. */
export function registerInjectMetrics(registry: Registry, stats: () => LimiterStats): InjectObserver {
  const total = new Counter({ name: 'podid_cert_inject_total', help: 'Injections by result (OK or error code).', labelNames: ['result'], registers: [registry] });
  const seconds = new Histogram({
    name: 'podid_cert_inject_duration_seconds',
    help: 'Wall time of an injection, queue wait included.',
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({ name: 'podid_cert_inject_execs_running', help: 'Execs running now.', registers: [registry], collect() { this.set(stats().running); } });
  new Gauge({ name: 'podid_cert_inject_execs_queued', help: 'Injections waiting for an exec slot.', registers: [registry], collect() { this.set(stats().queued); } });
  return {
    observe(result, durationMs) {
      total.inc({ result });
      seconds.observe(durationMs / 1000);
    },
  };
}
