/** Fraction of a lifetime after which a certificate or token is renewed (cert-manager's default too). */
export const RENEW_FRACTION = 2 / 3;

/** Never wake more often than this, even for a token that is already expired (no hot loop). */
export const MIN_REFRESH_MS = 1000;

/** When a certificate valid from notBefore to notAfter should be renewed: at 2/3 of its life. */
export function renewalTime(notBefore: Date, notAfter: Date): Date {
  const life = Math.max(0, notAfter.getTime() - notBefore.getTime());
  return new Date(notBefore.getTime() + Math.floor(life * RENEW_FRACTION));
}

/** The times a token carries, in seconds since the epoch, as in JWT claims. */
export interface TokenTimes {
  readonly iat?: number;
  readonly exp?: number;
}

/**
 * Lifetime of a token in ms, measured from its own iat and exp so that clock
 * skew between server and pod does not matter. Undefined when unknown.
 */
export function tokenLifetimeMs(times: TokenTimes | undefined, now: Date): number | undefined {
  if (times?.exp === undefined) return undefined;
  const start = times.iat !== undefined ? times.iat * 1000 : now.getTime();
  return Math.max(0, times.exp * 1000 - start);
}

/**
 * How long to wait before fetching the next token: 2/3 of the token's life,
 * but never later than maxMs (CONJUR_TOKEN_TIMEOUT) and never sooner than
 * MIN_REFRESH_MS.
 */
export function tokenRefreshDelayMs(times: TokenTimes | undefined, now: Date, maxMs: number): number {
  const life = tokenLifetimeMs(times, now);
  const want = life === undefined ? maxMs : Math.floor(life * RENEW_FRACTION);
  return Math.max(MIN_REFRESH_MS, Math.min(want, maxMs));
}
