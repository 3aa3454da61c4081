import { MIN_REFRESH_MS, renewalTime, tokenLifetimeMs, tokenRefreshDelayMs } from './renewal-time';

describe('renewal timing', () => {
  it('renews a certificate at 2/3 of its lifetime', () => {
    expect(renewalTime(new Date(0), new Date(6000)).getTime()).toBe(4000);
    expect(renewalTime(new Date('2025-01-01T00:00:00Z'), new Date('2025-01-04T00:00:00Z')).toISOString()).toBe('2025-01-03T00:00:00.000Z');
    expect(renewalTime(new Date(5000), new Date(1000)).getTime()).toBe(5000);
  });

  it('measures token life from its own iat/exp, immune to clock skew', () => {
    const now = new Date(10_000_000);
    expect(tokenLifetimeMs({ iat: 1, exp: 481 }, now)).toBe(480_000);
    expect(tokenLifetimeMs({ exp: 10_060 }, now)).toBe(60_000);
    expect(tokenLifetimeMs(undefined, now)).toBeUndefined();
  });

  it('refreshes at 2/3 of the token life, capped by CONJUR_TOKEN_TIMEOUT and floored at 1 s', () => {
    const now = new Date(0);
    expect(tokenRefreshDelayMs({ iat: 0, exp: 480 }, now, 360_000)).toBe(320_000);
    expect(tokenRefreshDelayMs({ iat: 0, exp: 3600 }, now, 360_000)).toBe(360_000);
    expect(tokenRefreshDelayMs(undefined, now, 360_000)).toBe(360_000);
    expect(tokenRefreshDelayMs({ iat: 0, exp: 0 }, now, 360_000)).toBe(MIN_REFRESH_MS);
  });
});
