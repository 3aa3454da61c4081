/**
 * Readiness of a service that serves several clusters: ready once every connected cluster is, or, after the grace
 * since start, once at least one is. A cluster that is down fails only its own requests (K8S_UNAVAILABLE); taking
 * the whole service out of rotation for it would fail every other cluster too.
 */
export function clustersReady(connected: readonly boolean[], msSinceStart: number, graceMs: number): boolean {
  const ready = connected.filter(Boolean).length;
  if (ready === 0) return false;
  return ready === connected.length || msSinceStart >= graceMs;
}
