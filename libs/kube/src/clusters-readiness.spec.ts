import { clustersReady } from './clusters-readiness';

describe('clustersReady', () => {
  it('is ready when every connected cluster is, and never with none ready', () => {
    expect(clustersReady([true, true], 0, 30_000)).toBe(true);
    expect(clustersReady([], 60_000, 30_000)).toBe(false);
    expect(clustersReady([false], 60_000, 30_000)).toBe(false);
  });

  it('waits for the grace before one down cluster stops mattering', () => {
    expect(clustersReady([true, false], 29_999, 30_000)).toBe(false);
    expect(clustersReady([true, false], 30_000, 30_000)).toBe(true);
  });
});
