import { NotFoundError, PodidError } from '@podid/errors';
import type { Logger } from '@podid/logging';
import { loadSigningCa, type SigningCa } from '@podid/x509';
import type { CaStore } from './ca-store';

/** CAs kept in memory; policy normally lists far fewer authenticators. */
export const CA_CACHE_MAX = 1024;

/**
 * Loads, checks and caches one SigningCa per service id, only for service
 * ids that `admit` accepts (the authenticators in policy), so no CA is loaded,
 * created or cached for anything else. Concurrent first requests share one
 * load (and one create in local mode); a failed load is not cached, a loaded
 * CA is kept for cacheTtlMs so that a rotated Secret is picked up. At most
 * maxEntries CAs are cached (oldest load out).
 */
export class CaRegistry {
  private readonly cache = new Map<string, { loadedAt: number; ca: Promise<SigningCa> }>();

  constructor(
    private readonly opts: {
      store: CaStore;
      cacheTtlMs: number;
      now: () => Date;
      log: Logger;
      /** Throws (e.g. NotFoundError) for a service id that may not have a CA. */
      admit: (serviceId: string) => Promise<void>;
      maxEntries?: number;
      onLoaded?: (serviceId: string, ca: SigningCa) => void;
    },
  ) {}

  get size(): number {
    return this.cache.size;
  }

  async get(serviceId: string): Promise<SigningCa> {
    await this.opts.admit(serviceId);
    const now = this.opts.now().getTime();
    const hit = this.cache.get(serviceId);
    if (hit && now - hit.loadedAt < this.opts.cacheTtlMs) return hit.ca;
    const ca = this.load(serviceId);
    this.cache.delete(serviceId);
    this.cache.set(serviceId, { loadedAt: now, ca });
    if (this.cache.size > (this.opts.maxEntries ?? CA_CACHE_MAX)) this.cache.delete(this.cache.keys().next().value!);
    ca.catch(() => {
      if (this.cache.get(serviceId)?.ca === ca) this.cache.delete(serviceId);
    });
    return ca;
  }

  private async load(serviceId: string): Promise<SigningCa> {
    const { store, log } = this.opts;
    try {
      let stored = await store.load(serviceId);
      if (!stored && store.create) {
        stored = await store.create(serviceId);
        log.event('CA_CREATED', { service_id: serviceId, source: stored.source });
      }
      if (!stored) {
        log.event('CA_NOT_FOUND', { service_id: serviceId, expected: store.locationOf(serviceId) });
        throw new NotFoundError('CA_NOT_FOUND', `authenticator "${serviceId}": exp=a CA at ${store.locationOf(serviceId)} got=none`);
      }
      const ca = await loadSigningCa(stored, stored.source);
      log.event('CA_LOADED', { service_id: serviceId, source: stored.source, ca_sha256: ca.fingerprint, algorithm: ca.algorithm, not_after: ca.notAfter.toISOString() });
      this.opts.onLoaded?.(serviceId, ca);
      return ca;
    } catch (e) {
      if (e instanceof PodidError && e.code === 'CA_CORRUPT') log.event('CA_CORRUPT', { service_id: serviceId, err: e.message });
      if (e instanceof PodidError && e.code === 'CA_SOURCE_UNAVAILABLE') log.event('CA_SOURCE_UNAVAILABLE', { service_id: serviceId, err: e.message });
      throw e;
    }
  }
}
