import type { EcPublicJwk, PublishedJwk } from './jwk';

/**
 * A signing key's place in its life:
 * - `published`: in the JWKS so verifiers can cache it, not yet signing;
 * - `active`: the one key that signs;
 * - `retiring`: no longer signs; stays in the JWKS until `retireUntil`,
 *   when the last token it signed has expired.
 */
export type RingKeyState = 'published' | 'active' | 'retiring';

/** One key of the ring. Times are unix milliseconds. Private material is not here. */
export interface RingKey {
  readonly kid: string;
  readonly publicJwk: EcPublicJwk;
  readonly state: RingKeyState;
  readonly publishedAt: number;
  readonly activatedAt?: number;
  readonly retireUntil?: number;
}

export interface KeyRing {
  readonly keys: readonly RingKey[];
}

/** How keys rotate. All durations in milliseconds. */
export interface RotationPolicy {
  /** How long a key signs before the next one takes over. */
  readonly rotationMs: number;
  /** How long a new key is published before it signs, so that cached JWKS pick it up. */
  readonly propagationMs: number;
  /** The longest token lifetime: a retired key stays published this long (plus leeway). */
  readonly maxTokenTtlMs: number;
  /** Clock skew verifiers tolerate on exp. */
  readonly leewayMs: number;
}

/** Default propagation: min(1h, rotation/4), so even short rotations keep the overlap. */
export function defaultRotationPolicy(rotationMs: number, maxTokenTtlMs: number): RotationPolicy {
  return { rotationMs, propagationMs: Math.min(3_600_000, Math.floor(rotationMs / 4)), maxTokenTtlMs, leewayMs: 60_000 };
}

export const emptyKeyRing: KeyRing = { keys: [] };

/** The key that signs now, if any. */
export function activeKey(ring: KeyRing): RingKey | undefined {
  return ring.keys.find((k) => k.state === 'active');
}

/**
 * Whether a new key should be generated and added now: when nothing is
 * waiting in `published` and either no key signs or the active key is
 * within `propagationMs` of its rotation time.
 */
export function needsNewKey(ring: KeyRing, now: number, policy: RotationPolicy): boolean {
  if (ring.keys.some((k) => k.state === 'published')) return false;
  const active = activeKey(ring);
  return !active || now >= (active.activatedAt ?? active.publishedAt) + policy.rotationMs - policy.propagationMs;
}

/** Adds a freshly generated key in the `published` state. */
export function addKey(ring: KeyRing, key: { kid: string; publicJwk: EcPublicJwk }, now: number): KeyRing {
  if (ring.keys.some((k) => k.kid === key.kid)) throw new Error(`kid ${key.kid} is already in the ring`);
  return { keys: [...ring.keys, { kid: key.kid, publicJwk: key.publicJwk, state: 'published', publishedAt: now }] };
}

/**
 * Advances the ring to `now`:
 * 1. drops retiring keys whose last token has expired;
 * 2. promotes the oldest published key once it has been published for
 *    `propagationMs` and the active key is due (the old one starts retiring
 *    until now + max TTL + leeway);
 * 3. with no active key at all (first start), promotes at once: no verifier
 *    can hold a stale JWKS of a ring that never signed.
 */
export function nextState(ring: KeyRing, now: number, policy: RotationPolicy): KeyRing {
  let keys = ring.keys.filter((k) => !(k.state === 'retiring' && (k.retireUntil ?? 0) <= now));
  const active = keys.find((k) => k.state === 'active');
  const candidate = keys.filter((k) => k.state === 'published').sort((a, b) => a.publishedAt - b.publishedAt)[0];
  if (!candidate) return { keys };
  const propagated = now >= candidate.publishedAt + policy.propagationMs;
  const due = !active || now >= (active.activatedAt ?? active.publishedAt) + policy.rotationMs;
  if (!active || (propagated && due)) {
    const retireUntil = now + policy.maxTokenTtlMs + policy.leewayMs;
    keys = keys.map((k) => {
      if (k.kid === candidate.kid) return { ...k, state: 'active', activatedAt: now };
      if (k.kid === active?.kid) return { ...k, state: 'retiring', retireUntil };
      return k;
    });
  }
  return { keys };
}

/** The JWK Set verifiers fetch: every key of the ring, in every state. */
export function jwks(ring: KeyRing): { keys: PublishedJwk[] } {
  return { keys: ring.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'ES256', use: 'sig' })) };
}

/** The published public key for a kid, for verifyToken's keyFor. */
export function publishedKey(ring: KeyRing, kid: string): EcPublicJwk | undefined {
  return ring.keys.find((k) => k.kid === kid)?.publicJwk;
}
