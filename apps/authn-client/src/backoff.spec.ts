import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the initial delay up to the max, and starts again after reset', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 30_000, random: () => 0.5 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('spreads each delay by the jitter and never exceeds the max', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 30_000, random: () => 0 });
    const high = new Backoff({ initialMs: 1000, maxMs: 30_000, random: () => 0.999999 });
    expect(low.next()).toBe(500);
    expect(high.next()).toBe(1500);
    for (let i = 0; i < 10; i++) expect(high.next()).toBeLessThanOrEqual(30_000);
  });
});
