/** Where a credential stands against its expiry warning threshold. */
export type CredentialExpiryState = 'ok' | 'expiring' | 'expired';

export interface CredentialExpiry {
  state: CredentialExpiryState;
  /** Seconds until notAfter; negative once expired. */
  secondsLeft: number;
  /** Whole days until notAfter (rounded down); negative once expired. */
  daysLeft: number;
}

const DAY_SECONDS = 86_400;

/**
 * Classifies a certificate's remaining life: `expired` at or after notAfter,
 * `expiring` when fewer than `warnDays` days remain (0 turns the warning
 * off), else `ok`. Pure: the caller passes `now`.
 */
export function assessCredentialExpiry(notAfter: Date, now: Date, warnDays: number): CredentialExpiry {
  const secondsLeft = Math.floor((notAfter.getTime() - now.getTime()) / 1000);
  const daysLeft = Math.floor(secondsLeft / DAY_SECONDS);
  const state: CredentialExpiryState = secondsLeft <= 0 ? 'expired' : secondsLeft < warnDays * DAY_SECONDS ? 'expiring' : 'ok';
  return { state, secondsLeft, daysLeft };
}
