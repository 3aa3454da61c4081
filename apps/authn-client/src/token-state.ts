/**
 * What the client knows about the token it last wrote, for readiness: the
 * local time it was received and how long it lives.
 */
export class TokenState {
  private expiresAt: number | undefined;

  /** Records a written token; lifetimeMs comes from its iat/exp claims. */
  record(receivedAt: Date, lifetimeMs: number): void {
    this.expiresAt = receivedAt.getTime() + lifetimeMs;
  }

  /** True when a token was written and has not expired yet. */
  isFresh(now: Date): boolean {
    return this.expiresAt !== undefined && now.getTime() < this.expiresAt;
  }
}
