import { measurePipeline } from './pipeline-rate';

// A smoke test: a few iterations, no timing asserted (benchmarks never gate CI).
describe('measurePipeline', () => {
  it('runs the pipeline and the raw operations and reports positive rates', async () => {
    const r = await measurePipeline('ec-p256', 'ec-p256', 20);
    expect(r.pipelinePerSecond).toBeGreaterThan(0);
    expect(r.rawPerSecond).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.pipelinePerSecond / r.rawPerSecond);
  });
});
