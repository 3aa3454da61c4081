import type { Logger } from '@podid/logging';
import type { KeyStore, StoredKeys } from '@podid/redis-stores';
import { activeKey, addKey, emptyKeyRing, jwks, needsNewKey, nextState, publishedKey, type EcPublicJwk, type KeyRing, type PublishedJwk, type RotationPolicy, type Signer } from '@podid/tokens';
import { generateSigningKey, nodeSigner } from './node-signer';

export interface KeyManagerOptions {
  store: KeyStore;
  policy: RotationPolicy;
  log: Logger;
  /** Unix milliseconds; injectable for tests. */
  now?: () => number;
}

/**
 * Owns the signing key ring: loads it from the key store, advances it on a
 * timer (generate → publish → activate → retire, see @podid/tokens
 * key-ring), saves every change before using it, and hands out the active
 * Signer. Private keys live only here and in the store.
 */
export class KeyManager {
  private stored: StoredKeys = { version: 1, ring: emptyKeyRing, privateKeys: {} };
  private readonly signers = new Map<string, Signer>();
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: KeyManagerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Loads the ring, then advances it once so that a key is active before the first Issue. */
  async open(): Promise<void> {
    await this.tick();
    this.opts.log.event('TOKEN_KEYS_LOADED', { store: this.opts.store.description, keys: this.stored.ring.keys.length });
  }

  /**
   * One rotation step. Re-reads the store first (another replica may have
   * rotated), and saves before the new ring is used, so a crash never loses
   * a key that signed.
   */
  async tick(): Promise<void> {
    const loaded = await this.opts.store.load();
    if (loaded) this.stored = loaded;
    const now = this.now();
    let ring = this.stored.ring;
    let privateKeys = { ...this.stored.privateKeys };
    if (needsNewKey(ring, now, this.opts.policy)) {
      const key = generateSigningKey();
      ring = addKey(ring, key, now);
      privateKeys[key.kid] = key.privatePem;
      this.opts.log.event('TOKEN_KEY_GENERATED', { kid: key.kid });
    }
    ring = nextState(ring, now, this.opts.policy);
    if (JSON.stringify(ring) === JSON.stringify(this.stored.ring)) return;
    const kids = new Set(ring.keys.map((k) => k.kid));
    privateKeys = Object.fromEntries(Object.entries(privateKeys).filter(([kid]) => kids.has(kid)));
    const next: StoredKeys = { version: 1, ring, privateKeys };
    await this.opts.store.save(next);
    this.logChanges(this.stored.ring, ring);
    this.stored = next;
    for (const kid of this.signers.keys()) if (!kids.has(kid)) this.signers.delete(kid);
  }

  /** Runs tick() every intervalMs; a failed tick is logged and the current key keeps signing. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.opts.log.event('TOKEN_KEY_ROTATION_FAILED', { err: err instanceof Error ? err.message : String(err) }));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get ring(): KeyRing {
    return this.stored.ring;
  }

  /** The Signer of the active key. */
  signer(): Signer {
    const active = activeKey(this.stored.ring);
    if (!active) throw new Error('no active signing key');
    let s = this.signers.get(active.kid);
    if (!s) {
      s = nodeSigner(this.stored.privateKeys[active.kid] ?? '', active.kid);
      this.signers.set(active.kid, s);
    }
    return s;
  }

  keyFor(kid: string): EcPublicJwk | undefined {
    return publishedKey(this.stored.ring, kid);
  }

  jwks(): { keys: PublishedJwk[] } {
    return jwks(this.stored.ring);
  }

  private logChanges(before: KeyRing, after: KeyRing): void {
    const was = new Map(before.keys.map((k) => [k.kid, k.state]));
    for (const k of after.keys) if (k.state === 'active' && was.get(k.kid) !== 'active') this.opts.log.event('TOKEN_KEY_ACTIVATED', { kid: k.kid });
    for (const k of before.keys) if (!after.keys.some((a) => a.kid === k.kid)) this.opts.log.event('TOKEN_KEY_RETIRED', { kid: k.kid });
  }
}
