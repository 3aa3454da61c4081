import { X509Certificate } from 'node:crypto';
import type { Upstreams } from './upstreams';

/** How long a trust bundle is reused; a rotated CA is picked up within this time. */
export const BUNDLE_TTL_MS = 30_000;

/** Authenticators whose bundles are kept; the least recently used goes first beyond this. */
export const BUNDLE_CACHE_MAX = 1024;

/**
 * Caches each authenticator's CA certificates from CaSigner.GetBundle, so an
 * authenticate does not cost a round trip. Concurrent misses share one call.
 * Bounded (least recently used out), so many service ids cannot grow it.
 */
export class BundleCache {
  private readonly entries = new Map<string, { at: number; certs: Promise<X509Certificate[]> }>();

  constructor(
    private readonly caSigner: Pick<Upstreams['caSigner'], 'getBundle'>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = BUNDLE_TTL_MS,
    private readonly maxEntries = BUNDLE_CACHE_MAX,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(serviceId: string): Promise<X509Certificate[]> {
    const hit = this.entries.get(serviceId);
    if (hit && this.now() - hit.at < this.ttlMs) {
      // Map order is recency order: move the hit to the end.
      this.entries.delete(serviceId);
      this.entries.set(serviceId, hit);
      return hit.certs;
    }
    const certs = this.caSigner.getBundle({ serviceId }).then((r) => splitPem(r.bundlePem).map((p) => new X509Certificate(p)));
    const entry = { at: this.now(), certs };
    this.entries.delete(serviceId);
    this.entries.set(serviceId, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // A failure is not cached: the next request asks again.
    certs.catch(() => this.entries.get(serviceId) === entry && this.entries.delete(serviceId));
    return certs;
  }
}

export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
