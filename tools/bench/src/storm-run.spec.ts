import { runStorm } from './storm-run';

// Only that the storm runs end to end and reports; the figures are for docs/performance.md, not assertions.
describe('storm benchmark (smoke)', () => {
  it('logs a few pods in at once and reports failures, execs, latency, CPU and memory', async () => {
    const report = await runStorm({ pods: 3, floorExecs: 2, floorOps: 10, memoryPods: 6, idleConnections: 4 });
    expect(report).toMatchObject({ pods: 3, failures: expect.any(Number), kube: { execs: expect.any(Number) }, memory: { informer_pods: 7, gateway_idle_tls: { asked: 4 } } });
    expect(Object.keys(report['cpu_ms_per_login'] as object).sort()).toEqual(['ca-signer', 'cert-injector', 'gateway', 'pod-verifier', 'policy', 'token-issuer']);
    expect((report['physical_floor_ms'] as { sum_ms: number }).sum_ms).toBeGreaterThan(0);
  }, 120_000);
});
