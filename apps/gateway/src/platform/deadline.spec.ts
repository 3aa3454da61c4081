import { deadlineMs } from './platform-server';

describe('platform call deadlines', () => {
  it('caps a call without a deadline (Infinity) at the maximum', () => {
    expect(deadlineMs(Infinity, 30_000)).toBe(30_000);
  });

  it('caps a later deadline, and keeps an earlier one', () => {
    expect(deadlineMs(Date.now() + 3_600_000, 30_000)).toBe(30_000);
    const d = deadlineMs(new Date(Date.now() + 2_000), 30_000);
    expect(d).toBeGreaterThan(1_000);
    expect(d).toBeLessThanOrEqual(2_000);
  });

  it('leaves a passed deadline at or below zero, so the call ends at once', () => {
    expect(deadlineMs(Date.now() - 1_000, 30_000)).toBeLessThanOrEqual(0);
  });
});
